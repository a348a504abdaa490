import { constants } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { frame, parseFrames } from '../../../../test-support/hardening/raw-peer.js';
import { validateCloseArguments } from '../../src/api/close-arguments.js';
import { Connection } from '../../src/protocol/connection.js';
import { EngineState } from '../../src/protocol/engine.js';
import { FrameEvent, FrameParser } from '../../src/protocol/frame-parser.js';
import { Role } from '../../src/protocol/role.js';
import { collector, Recorder } from './engine-harness.js';

/** A server-role connection fed `bytes` in one chunk. */
function serverFed(bytes: Buffer, options: { maxLength?: number; maxFragments?: number } = {}) {
  const recorder = new Recorder();
  const connection = new Connection(recorder, { role: Role.Server, ...options });
  connection.receiveData(Buffer.from(bytes));
  return { recorder, connection, sent: parseFrames(Buffer.concat(connection.takeOutgoing())) };
}

describe('limits: message size (maxLength)', () => {
  it('defaults to 2^26 - 1 and fails a frame that declares more with 1009, before its payload arrives', () => {
    const head = frame(2, Buffer.alloc(0), { mask: true, length: 2 ** 26 }).subarray(0, 14);
    const { recorder, sent } = serverFed(head);
    expect(recorder.failure?.closeCode).toBe(1009);
    expect(sent.at(-1)?.opcode).toBe(8);
    expect(sent.at(-1)?.payload.readUInt16BE(0)).toBe(1009);
  });

  it('accepts a frame that declares exactly 2^26 - 1 (the wait for its payload is the peer’s cost)', () => {
    const head = frame(2, Buffer.alloc(0), { mask: true, length: 2 ** 26 - 1 }).subarray(0, 14);
    const { recorder, sent } = serverFed(head);
    expect(recorder.failure).toBeNull();
    expect(sent).toEqual([]);
  });

  it('counts every fragment: many small frames over maxLength fail with 1009', () => {
    const parts = Array.from({ length: 11 }, (_, i) =>
      frame(i === 0 ? 2 : 0, Buffer.alloc(100), { fin: i === 10, mask: true }),
    );
    expect(serverFed(Buffer.concat(parts), { maxLength: 1000 }).recorder.failure?.closeCode).toBe(1009);
    expect(
      serverFed(Buffer.concat(parts.slice(0, 10).concat(frame(0, '', { mask: true }))), { maxLength: 1000 })
        .recorder.messages,
    ).toHaveLength(1);
  });

  it('refuses a 64-bit length with the top bit set (1002) and one past 2^53 (1009), never wrapping', () => {
    const top = Buffer.from([0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4]);
    expect(serverFed(top).recorder.failure?.closeCode).toBe(1002);
    const huge = Buffer.from([0x82, 0xff, 0x00, 0x20, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4]);
    expect(serverFed(huge, { maxLength: Number.MAX_SAFE_INTEGER }).recorder.failure?.closeCode).toBe(1009);
  });
});

describe('limits: fragments per message and buffered parts', () => {
  it('allows 131072 fragments by default and fails the 131073rd with 1009, empty fragments included', () => {
    const first = frame(2, '', { fin: false, mask: true });
    const middle = frame(0, '', { fin: false, mask: true });
    const last = frame(0, '', { fin: true, mask: true });
    const ok = Buffer.concat([first, Buffer.concat(Array(131070).fill(middle)), last]);
    const accepted = serverFed(ok);
    expect(accepted.recorder.failure).toBeNull();
    expect(accepted.recorder.messages).toHaveLength(1);
    const tooMany = Buffer.concat([first, Buffer.concat(Array(131071).fill(middle)), last]);
    const refused = serverFed(tooMany);
    expect(refused.recorder.failure?.closeCode).toBe(1009);
    expect(refused.recorder.messages).toHaveLength(0);
  });

  it('a message arriving in half a million one-byte reads does not retain a buffer per read', async () => {
    // Memory must grow with the bytes of a message, not with the number of reads it took: a peer
    // that paces one byte per TCP segment otherwise costs ~100 bytes of heap per payload byte.
    const gc = await collector();
    const size = 1 << 19;
    const wire = frame(2, Buffer.alloc(size, 0x61), { mask: true });
    const parser = new FrameParser({ role: Role.Server });
    // Everything but the last byte, one byte per chunk (views on one buffer, as cheap as can be).
    const held = wire.subarray(0, wire.length - 1);
    gc();
    const before = process.memoryUsage().heapUsed;
    let events = 0;
    for (let i = 0; i < held.length; i++) {
      parser.feed(held.subarray(i, i + 1));
      if (parser.read() !== FrameEvent.None) events++;
    }
    expect(events).toBe(0);
    gc();
    const retained = process.memoryUsage().heapUsed - before;
    parser.feed(wire.subarray(wire.length - 1));
    expect(parser.read()).toBe(FrameEvent.Message);
    expect(parser.data.length).toBe(size);
    expect(retained).toBeLessThan(16 * size);
  });
});

describe('limits: messages the runtime cannot hold', () => {
  // maxLength may be set up to 2^53 - 1, above what Node can put in one Buffer or V8 in one string.
  // Such a message fails with 1009 instead of throwing out of the engine (a crash in a socket's
  // data handler).
  it.skipIf(constants.MAX_LENGTH > 2 ** 34)('fails a binary frame over the largest Buffer with 1009', () => {
    const length = constants.MAX_LENGTH + 4;
    const parser = new FrameParser({ role: Role.Client, maxLength: 2 ** 40 });
    parser.feed(frame(2, Buffer.alloc(0), { length }));
    expect(parser.read()).toBe(FrameEvent.None);
    // Views on one 64 KiB read, until a quarter has arrived and the message's buffer is made.
    const read = Buffer.alloc(1 << 16);
    let event: FrameEvent = FrameEvent.None;
    for (let fed = 0; event === FrameEvent.None && fed < length; fed += read.length) {
      parser.feed(read.subarray());
      event = parser.read();
    }
    expect(event).toBe(FrameEvent.Error);
    expect(parser.error?.closeCode).toBe(1009);
  });

  it('fails a text message longer than the longest string with 1009, not 1007', () => {
    const length = constants.MAX_STRING_LENGTH + 1;
    // Zeroed (so untouched: no memory until read) and valid UTF-8: NUL is a character.
    const wire = Buffer.alloc(10 + length);
    frame(1, Buffer.alloc(0), { length }).copy(wire);
    const recorder = new Recorder();
    const connection = new Connection(recorder, { role: Role.Client, maxLength: 2 ** 30 });
    connection.receiveData(wire);
    expect(recorder.messages).toHaveLength(0);
    expect(recorder.failure?.closeCode).toBe(1009);
    expect(recorder.failure?.message).toMatch(/do not fit in a string/);
  });
});

describe('limits: memory while a message arrives', () => {
  it('reserves a message’s buffer only once a quarter of its announced length has arrived', () => {
    // A peer must not make us reserve maxLength by announcing it in a header: until a quarter of
    // the frame is here it costs what it sent. From then on the message is copied into a buffer of
    // its own as it comes, so the reads need not all be held until the end.
    const length = 32 << 20;
    const read = Buffer.alloc(1 << 16);
    for (let i = 0; i < read.length; i++) read[i] = (i * 7) & 0xff;
    const parser = new FrameParser({ role: Role.Client });
    const before = process.memoryUsage().arrayBuffers;
    parser.feed(frame(2, Buffer.alloc(0), { length }));
    expect(parser.read()).toBe(FrameEvent.None);
    // Every read is a view on the same 64 KiB, so only the parser's own allocations show.
    const quarter = length / 4 / read.length;
    let fed = 0;
    const feedReads = (count: number) => {
      for (let i = 0; i < count; i++, fed++) {
        parser.feed(read.subarray());
        expect(parser.read()).toBe(fed === length / read.length - 1 ? FrameEvent.Message : FrameEvent.None);
      }
    };
    feedReads(quarter - 1);
    expect(process.memoryUsage().arrayBuffers - before, 'reserved before a quarter arrived').toBeLessThan(
      1 << 20,
    );
    feedReads(1);
    expect(process.memoryUsage().arrayBuffers - before, 'reserved at a quarter').toBeGreaterThanOrEqual(
      length,
    );
    feedReads(length / read.length - fed);
    expect(parser.data.length).toBe(length);
    for (const offset of [0, 1, length / 4 - 1, length / 4, length - 1]) {
      expect(parser.data[offset], `byte ${offset}`).toBe(read[offset % read.length]);
    }
  });

  it('lets go of a large message’s reads once they are copied into it, before its end', async () => {
    // Joining at the end held every read and then a copy: twice the message at its peak.
    const gc = await collector();
    const payload = Buffer.alloc(4 << 20);
    for (let i = 0; i < payload.length; i++) payload[i] = i & 0xff;
    const wire = frame(2, payload, { mask: true });
    const parser = new FrameParser({ role: Role.Server });
    const step = 1 << 16;
    const reads: WeakRef<Buffer>[] = [];
    const feedUpTo = (end: number) => {
      for (let i = reads.length * step; i < end; i += step) {
        // Copies, as a socket's reads are: the parser owns what it is fed (it unmasks in place).
        const read = Buffer.from(wire.subarray(i, Math.min(i + step, wire.length)));
        reads.push(new WeakRef(read));
        parser.feed(read);
        expect(parser.read()).toBe(i + step >= wire.length ? FrameEvent.Message : FrameEvent.None);
      }
    };
    feedUpTo(wire.length / 2);
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    const held = reads.filter((read) => read.deref() !== undefined).length;
    expect(held, `reads still held of ${reads.length}`).toBeLessThanOrEqual(1);
    feedUpTo(wire.length);
    expect(parser.data.equals(payload)).toBe(true);
  });
});

describe('limits: memory after a message', () => {
  it('keeps nothing of a delivered message once its handler has returned', async () => {
    // An idle connection must not pin the last message it received: with the default maxLength
    // that would be up to 64 MiB per connection, for as long as the connection lives.
    const gc = await collector();
    for (const reads of [1, 4]) {
      let delivered: WeakRef<Buffer> | null = null;
      const handler = new Recorder();
      handler.onMessage = (data) => {
        delivered = new WeakRef(data as Buffer);
      };
      const connection = new Connection(handler, { role: Role.Server });
      const wire = frame(2, Buffer.alloc(1 << 20, 0x61), { mask: true });
      const step = Math.ceil(wire.length / reads);
      // Copies: the engine owns what it is fed (it unmasks in place).
      for (let i = 0; i < wire.length; i += step)
        connection.receiveData(Buffer.from(wire.subarray(i, i + step)));
      expect(delivered).not.toBeNull();
      gc();
      await new Promise((resolve) => setImmediate(resolve));
      gc();
      expect((delivered as WeakRef<Buffer> | null)?.deref(), `message in ${reads} read(s)`).toBeUndefined();
      expect(connection.state).toBe(EngineState.Open);
    }
  });
});

describe('limits: control frames', () => {
  it('refuses a received control payload over 125 bytes with 1002', () => {
    for (const opcode of [8, 9, 10]) {
      const { recorder } = serverFed(frame(opcode, Buffer.alloc(126), { mask: true }));
      expect(recorder.failure?.closeCode).toBe(1002);
    }
  });

  it('refuses to send a ping or pong over 125 bytes (RangeError), and sends nothing', () => {
    for (const role of [Role.Server, Role.Client]) {
      const connection = new Connection(new Recorder(), { role });
      expect(() => connection.sendPing(Buffer.alloc(126))).toThrow(RangeError);
      expect(() => connection.sendPong(Buffer.alloc(126))).toThrow(RangeError);
      expect(connection.takeOutgoing()).toEqual([]);
      expect(connection.sendPing(Buffer.alloc(125))).toBe(true);
      expect(connection.sendPong(Buffer.alloc(125))).toBe(true);
    }
  });
});

describe('limits: close reason on send', () => {
  it('allows at most 123 UTF-8 bytes, counted in bytes, not characters (SyntaxError)', () => {
    expect(() => validateCloseArguments(1000, 'a'.repeat(123))).not.toThrow();
    expect(() => validateCloseArguments(1000, 'a'.repeat(124))).toThrow(SyntaxError);
    expect(() => validateCloseArguments(1000, '€'.repeat(41))).not.toThrow();
    expect(() => validateCloseArguments(1000, '€'.repeat(42))).toThrow(SyntaxError);
    expect(() => validateCloseArguments(1000, '😀'.repeat(31))).toThrow(SyntaxError);
    expect(() => validateCloseArguments(1000, `${'😀'.repeat(30)}abc`)).not.toThrow();
  });

  it('refuses a reason that is not a string, before any bytes are sent', () => {
    // ws 8.20.1: close(code, TypedArray) framed bytes of an uninitialised buffer.
    // (The WebSocket API converts a reason with String() first, as WebIDL's USVString does.)
    for (const reason of [new Uint8Array(10), Buffer.from('abc'), 42, { length: 3 }]) {
      const connection = new Connection(new Recorder(), { role: Role.Server });
      expect(() => connection.sendClose(1000, reason as unknown as string)).toThrow(
        new TypeError('A close reason must be a string'),
      );
      expect(parseFrames(Buffer.concat(connection.takeOutgoing()))).toEqual([]);
      expect(connection.closeSent).toBe(false);
    }
  });
});
