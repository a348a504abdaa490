import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FrameCounter } from '../../../src/loadgen/frame-counter.js';
import { buildFrame, Opcode } from '../../../src/loadgen/frames.js';

// ws's own frame encoder, so the counter is checked against a real peer's bytes.
const require = createRequire(import.meta.url);
const Sender = require(join(dirname(require.resolve('ws')), 'lib/sender.js')) as {
  frame(data: Buffer, options: object): Buffer[];
};

function wsFrame(payload: Buffer, opcode: number, fin = true, mask = false): Buffer {
  return Buffer.concat(Sender.frame(payload, { fin, opcode, mask, readOnly: true, rsv1: false }));
}

describe('FrameCounter', () => {
  it('counts one message per data frame for 7-bit, 16-bit and 64-bit lengths', () => {
    const stream = Buffer.concat([
      wsFrame(Buffer.alloc(0), 1),
      wsFrame(Buffer.alloc(125), 2),
      wsFrame(Buffer.alloc(126), 1),
      wsFrame(Buffer.alloc(65535), 2),
      wsFrame(Buffer.alloc(65536), 2),
    ]);
    const counter = new FrameCounter();
    expect(counter.feed(stream)).toBe(5);
    expect(counter.messages).toBe(5);
  });

  it('gives the same count wherever the stream is split, even inside a header', () => {
    const stream = Buffer.concat([
      wsFrame(Buffer.alloc(300), 2),
      wsFrame(Buffer.alloc(3), 1),
      wsFrame(Buffer.alloc(70000), 2),
    ]);
    for (let cut = 0; cut <= stream.length; cut += cut < 20 ? 1 : 997) {
      const counter = new FrameCounter();
      const total = counter.feed(stream.subarray(0, cut)) + counter.feed(stream.subarray(cut));
      expect(total, `split at ${cut}`).toBe(3);
    }
  });

  it('counts byte-by-byte input', () => {
    const stream = Buffer.concat([wsFrame(Buffer.alloc(200), 1), wsFrame(Buffer.alloc(1), 2)]);
    const counter = new FrameCounter();
    let total = 0;
    for (let i = 0; i < stream.length; i++) total += counter.feed(stream.subarray(i, i + 1));
    expect(total).toBe(2);
  });

  it('counts a fragmented message once, at its final fragment', () => {
    const stream = Buffer.concat([
      wsFrame(Buffer.alloc(10), 1, false),
      wsFrame(Buffer.alloc(10), 0, false),
      wsFrame(Buffer.alloc(10), 0, true),
    ]);
    expect(new FrameCounter().feed(stream)).toBe(1);
  });

  it('does not count control frames, and notes a close frame', () => {
    const counter = new FrameCounter();
    const n = counter.feed(
      Buffer.concat([wsFrame(Buffer.from('hi'), 0x9), wsFrame(Buffer.from([3, 232]), 0x8)]),
    );
    expect(n).toBe(0);
    expect(counter.closed).toBe(true);
  });

  it('skips the masking key of masked (client) frames', () => {
    const stream = Buffer.concat([
      wsFrame(Buffer.alloc(40), 1, true, true),
      buildFrame(Opcode.Binary, Buffer.alloc(200)),
    ]);
    expect(new FrameCounter().feed(stream)).toBe(2);
  });

  it('starts at the given offset', () => {
    const frame = wsFrame(Buffer.alloc(5), 1);
    const chunk = Buffer.concat([Buffer.from('HTTP/1.1 101 ...\r\n\r\n'), frame]);
    expect(new FrameCounter().feed(chunk, chunk.length - frame.length)).toBe(1);
  });
});
