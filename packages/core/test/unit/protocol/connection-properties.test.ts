import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../src/protocol/frame-encoder.js';
import { Opcode } from '../../../src/protocol/opcode.js';
import { Role } from '../../../src/protocol/role.js';
import { closePayload, frame, Harness } from './engine-harness.js';

/** Payload sizes biased to the length-form boundaries (125/126, 65535/65536). */
const smallSize = fc.integer({ min: 0, max: 300 });
const size = fc.oneof(
  { weight: 8, arbitrary: smallSize },
  { weight: 1, arbitrary: fc.constantFrom(125, 126, 127, 65535, 65536, 70000) },
);
const maskKey = fc.uint8Array({ minLength: 4, maxLength: 4 });

type Message = { binary: true; data: Uint8Array } | { binary: false; data: string };
function messageOf(sizes: fc.Arbitrary<number>): fc.Arbitrary<Message> {
  // Large payloads are one repeated random byte: generating 64 KiB of entropy per run is slow and adds nothing.
  const bytes = fc
    .tuple(sizes, fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 255 }))
    .map(([n, random, fill]) => (n <= 300 ? random.subarray(0, n) : new Uint8Array(n).fill(fill)));
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    sizes.map((n) => '\u00e9'.repeat(n >> 1)),
  );
  return fc.oneof(
    bytes.map((data) => ({ binary: true as const, data })),
    text.map((data) => ({ binary: false as const, data })),
  );
}
const message = messageOf(size);
const smallMessage = messageOf(smallSize);

/** Encodes `m` as frames split at `cuts`, each masked with `key` (when given). */
function encodeMessage(m: Message, cuts: number[], key: Uint8Array | null): Buffer {
  const payload = m.binary ? Buffer.from(m.data) : Buffer.from(m.data);
  const points = [...new Set(cuts.map((c) => c % (payload.length + 1)))].sort((a, b) => a - b);
  const bounds = [0, ...points.filter((p) => p > 0 && p < payload.length), payload.length];
  const frames: Buffer[] = [];
  for (let i = 0; i + 1 < bounds.length || (i === 0 && bounds.length === 1); i++) {
    const piece = payload.subarray(bounds[i]!, bounds[i + 1] ?? payload.length);
    const opcode = i === 0 ? (m.binary ? Opcode.Binary : Opcode.Text) : Opcode.Continuation;
    const fin = i + 2 >= bounds.length;
    frames.push(...encodeFrame(opcode, piece, key === null ? { fin } : { fin, mask: true, maskKey: key }));
    if (fin) break;
  }
  return Buffer.concat(frames);
}

/** Events with binary data as hex, so large payloads compare as one string. */
function compact(events: ReturnType<Harness['take']>) {
  return events.map((e) =>
    e.type === 'message' && e.binary ? { ...e, data: (e.data as Buffer).toString('hex') } : e,
  );
}

function expected(m: Message) {
  return { type: 'message', data: m.binary ? Buffer.from(m.data).toString('hex') : m.data, binary: m.binary };
}

describe('Properties: parse(serialize(x)) = x', () => {
  it('a server reads back any message encoded as masked frames, with any fragmentation and key', () => {
    fc.assert(
      fc.property(message, fc.array(fc.nat(), { maxLength: 4 }), maskKey, (m, cuts, key) => {
        const h = new Harness(Role.Server);
        const wire = encodeMessage(m, cuts, key);
        h.receive(wire);
        expect(compact(h.take())).toEqual([expected(m)]);
      }),
      { numRuns: 300 },
    );
  });

  it('a client reads back any message encoded as unmasked frames, with any fragmentation', () => {
    fc.assert(
      fc.property(message, fc.array(fc.nat(), { maxLength: 4 }), (m, cuts) => {
        const h = new Harness(Role.Client);
        h.receive(encodeMessage(m, cuts, null));
        expect(compact(h.take())).toEqual([expected(m)]);
      }),
      { numRuns: 300 },
    );
  });

  it('what one Connection sends, the other receives, in both directions', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 5 }), (messages) => {
        const c = new Harness(Role.Client);
        const s = new Harness(Role.Server);
        for (const m of messages) {
          if (m.binary) c.connection.sendBinary(m.data);
          else c.connection.sendText(m.data);
          if (m.binary) s.connection.sendBinary(m.data);
          else s.connection.sendText(m.data);
        }
        s.receive(c.sent());
        c.receive(s.sent());
        expect(compact(s.take())).toEqual(messages.map(expected));
        expect(compact(c.take())).toEqual(messages.map(expected));
      }),
      { numRuns: 200 },
    );
  });
});

/** A frame of a plausible stream: mostly valid, sometimes not. */
const anyFrame = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(smallMessage, fc.array(fc.nat(), { maxLength: 3 }), maskKey)
      .map(([m, cuts, key]) => encodeMessage(m, cuts, key)),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(Opcode.Ping, Opcode.Pong), fc.uint8Array({ maxLength: 125 }))
      .map(([op, p]) => frame(op, p, { key: Buffer.from('a1b2c3d4', 'hex') })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 0xffff }), fc.string({ maxLength: 20 }))
      .map(([code, reason]) =>
        frame(Opcode.Close, closePayload(code, reason), { key: Buffer.from('01020304', 'hex') }),
      ),
  },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 20 }).map((b) => Buffer.from(b)) },
);

describe('Properties: any chunking of a byte stream yields the same events', () => {
  it('splitting the stream anywhere changes neither the events nor the bytes sent', () => {
    fc.assert(
      fc.property(
        fc.array(anyFrame, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (frames, cuts) => {
          const stream = Buffer.concat(frames);
          const whole = new Harness(Role.Server);
          whole.receive(stream);
          const split = new Harness(Role.Server);
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          let start = 0;
          for (const end of [...points, stream.length]) {
            split.connection.receiveData(Buffer.from(stream.subarray(start, end)));
            start = end;
          }
          expect(compact(split.take())).toEqual(compact(whole.take()));
          expect(split.sent().toString('hex')).toBe(whole.sent().toString('hex'));
          expect(split.connection.state).toBe(whole.connection.state);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('one byte at a time gives the same events as the whole stream', () => {
    fc.assert(
      fc.property(fc.array(anyFrame, { minLength: 1, maxLength: 4 }), (frames) => {
        const stream = Buffer.concat(frames);
        const whole = new Harness(Role.Server);
        whole.receive(stream);
        const bytewise = new Harness(Role.Server);
        bytewise.receive(stream, 1);
        expect(compact(bytewise.take())).toEqual(compact(whole.take()));
        expect(bytewise.sent().toString('hex')).toBe(whole.sent().toString('hex'));
      }),
      { numRuns: 60 },
    );
  });
});
