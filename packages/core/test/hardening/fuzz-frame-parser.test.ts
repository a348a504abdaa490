import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzRuns } from '../../../../test-support/hardening/fuzz-runs.js';
import { frame } from '../../../../test-support/hardening/raw-peer.js';
import { ProtocolError } from '../../src/errors.js';
import { FrameEvent, FrameParser } from '../../src/protocol/frame-parser.js';
import { Role } from '../../src/protocol/role.js';

/** What a consumer of the parser sees, in order; `fail` ends the list. */
type Seen =
  | { kind: 'message' | 'control'; opcode: number; data: string }
  | { kind: 'fail'; closeCode: number };

/**
 * Runs `bytes` through a parser fed in the given chunk sizes and lists what comes out. Applies the
 * consumer's half of the contract: a text message the parser did not validate is checked here
 * (1007), as the Connection does.
 */
function run(
  bytes: Buffer,
  sizes: readonly number[],
  options: { maxLength?: number; maxFragments?: number } = {},
) {
  const parser = new FrameParser({ role: Role.Server, ...options });
  const seen: Seen[] = [];
  let offset = 0;
  let i = 0;
  while (offset < bytes.length) {
    const size = Math.max(1, sizes.length === 0 ? bytes.length : sizes[i++ % sizes.length]!);
    // The parser unmasks in place: it gets its own copy of each chunk, as a socket would give it.
    parser.feed(Buffer.from(bytes.subarray(offset, offset + size)));
    offset += size;
    for (;;) {
      const event = parser.read();
      if (event === FrameEvent.None) break;
      if (event === FrameEvent.Error) {
        expect(parser.error).toBeInstanceOf(ProtocolError);
        expect(parser.halted).toBe(true);
        seen.push({ kind: 'fail', closeCode: parser.error!.closeCode });
        return seen;
      }
      if (event === FrameEvent.Message && parser.opcode === 1 && !parser.validated && !isUtf8(parser.data)) {
        seen.push({ kind: 'fail', closeCode: 1007 });
        return seen;
      }
      seen.push({
        kind: event === FrameEvent.Message ? 'message' : 'control',
        opcode: parser.opcode,
        data: parser.data.toString('hex'),
      });
    }
  }
  return seen;
}

/** Bytes that look enough like frames to get deep into the parser: real headers, random rest. */
const frameLike = fc
  .array(
    fc.record({
      b0: fc.oneof(
        fc.constantFrom(0x81, 0x82, 0x01, 0x02, 0x00, 0x80, 0x88, 0x89, 0x8a, 0xc1),
        fc.integer({ min: 0, max: 255 }),
      ),
      masked: fc.boolean(),
      length: fc.oneof(fc.integer({ min: 0, max: 130 }), fc.constantFrom(126, 127, 0xffff, 0x10000)),
      lengthForm: fc.constantFrom('7', '16', '64', 'huge'),
      payload: fc.uint8Array({ maxLength: 140 }),
    }),
    { maxLength: 8 },
  )
  .map((frames) =>
    Buffer.concat(
      frames.map(({ b0, masked, length, lengthForm, payload }) => {
        const head: number[] = [b0];
        const m = masked ? 0x80 : 0;
        if (lengthForm === '7') head.push(m | Math.min(length, 125));
        else if (lengthForm === '16') head.push(m | 126, (length >> 8) & 0xff, length & 0xff);
        else if (lengthForm === '64')
          head.push(m | 127, 0, 0, 0, 0, 0, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff);
        else head.push(m | 127, 0x80 | (length & 0x7f), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
        if (masked) head.push(0x11, 0x22, 0x33, 0x44);
        return Buffer.concat([Buffer.from(head), payload]);
      }),
    ),
  );

const anyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
  frameLike,
);
const chunkSizes = fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 12 });

describe('frame parser under hostile input (fuzz)', () => {
  it('never throws, and fails at most once with a 1002, 1007 or 1009 ProtocolError', () => {
    fc.assert(
      fc.property(anyBytes, chunkSizes, (bytes, sizes) => {
        const seen = run(bytes, sizes);
        const fails = seen.filter((s) => s.kind === 'fail');
        expect(fails.length).toBeLessThanOrEqual(1);
        if (fails.length === 1) {
          expect(seen.at(-1)!.kind).toBe('fail');
          expect([1002, 1007, 1009]).toContain((fails[0] as { closeCode: number }).closeCode);
        }
      }),
      { numRuns: fuzzRuns(1000) },
    );
  });

  it('gives the same events however the stream is split into chunks', () => {
    fc.assert(
      fc.property(anyBytes, chunkSizes, (bytes, sizes) => {
        expect(run(bytes, sizes)).toEqual(run(bytes, []));
      }),
      { numRuns: fuzzRuns(1000) },
    );
  });

  it('reads nothing more after a failure, whatever follows', () => {
    fc.assert(
      fc.property(anyBytes, fc.uint8Array({ minLength: 1, maxLength: 200 }), (bytes, more) => {
        const parser = new FrameParser({ role: Role.Server });
        parser.feed(Buffer.from(bytes));
        let event: FrameEvent;
        do event = parser.read();
        while (event !== FrameEvent.None && event !== FrameEvent.Error);
        if (event !== FrameEvent.Error) return;
        parser.feed(Buffer.from(more));
        expect(parser.read()).toBe(FrameEvent.None);
      }),
      { numRuns: fuzzRuns(500) },
    );
  });

  it('reassembles any valid fragmentation, with control frames interleaved, exactly', () => {
    const message = fc.record({
      binary: fc.boolean(),
      fragments: fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 6 }),
      text: fc.string({ unit: 'binary', maxLength: 80 }),
      pings: fc.array(fc.uint8Array({ maxLength: 125 }), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 6 }), chunkSizes, (messages, sizes) => {
        const wire: Buffer[] = [];
        const expected: Seen[] = [];
        for (const m of messages) {
          // Text is split on arbitrary byte boundaries too, code points included.
          const parts = m.binary
            ? m.fragments.map((f) => Buffer.from(f))
            : splitLike(Buffer.from(m.text), m.fragments);
          parts.forEach((part, i) => {
            wire.push(
              frame(i === 0 ? (m.binary ? 2 : 1) : 0, part, { fin: i === parts.length - 1, mask: true }),
            );
            const ping = m.pings[i];
            if (ping !== undefined && i < parts.length - 1) {
              wire.push(frame(9, Buffer.from(ping), { mask: true }));
              expected.push({ kind: 'control', opcode: 9, data: Buffer.from(ping).toString('hex') });
            }
          });
          expected.push({
            kind: 'message',
            opcode: m.binary ? 2 : 1,
            data: Buffer.concat(parts).toString('hex'),
          });
        }
        expect(run(Buffer.concat(wire), sizes)).toEqual(expected);
      }),
      { numRuns: fuzzRuns(300, 0.05) },
    );
  });

  it('stops every message at maxLength and maxFragments with 1009, counting empty fragments', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 30 }),
        chunkSizes,
        (maxLength, maxFragments, fragmentSizes, sizes) => {
          const wire = Buffer.concat(
            fragmentSizes.map((n, i) =>
              frame(i === 0 ? 2 : 0, Buffer.alloc(n, 7), { fin: i === fragmentSizes.length - 1, mask: true }),
            ),
          );
          const total = fragmentSizes.reduce((a, b) => a + b, 0);
          const seen = run(wire, sizes, { maxLength, maxFragments });
          const tooBig = total > maxLength || fragmentSizes.length > maxFragments;
          if (tooBig) expect(seen).toEqual([{ kind: 'fail', closeCode: 1009 }]);
          else
            expect(seen).toEqual([
              { kind: 'message', opcode: 2, data: Buffer.alloc(total, 7).toString('hex') },
            ]);
        },
      ),
      { numRuns: fuzzRuns(500, 0.2) },
    );
  });
});

/** Splits `data` into as many pieces as `shape` has, at offsets proportional to the shape's sizes. */
function splitLike(data: Buffer, shape: readonly Uint8Array[]): Buffer[] {
  const weights = shape.map((s) => s.length + 1);
  const sum = weights.reduce((a, b) => a + b, 0);
  const parts: Buffer[] = [];
  let start = 0;
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i]!;
    const end = i === weights.length - 1 ? data.length : Math.floor((data.length * acc) / sum);
    parts.push(data.subarray(start, end));
    start = end;
  }
  return parts;
}
