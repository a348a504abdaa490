import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameEvent, FrameParser } from '../../../src/protocol/frame-parser.js';
import { isControlOpcode, Opcode } from '../../../src/protocol/opcode.js';
import { Role } from '../../../src/protocol/role.js';
import { clientFrame, frame, serverFrame } from './engine-harness.js';

describe('FrameParser, driven directly', () => {
  it('throws on unknown options, a missing role and bad limits', () => {
    expect(() => new FrameParser({ role: Role.Server, max: 1 } as never)).toThrow('Unrecognized option: max');
    expect(() => new FrameParser(undefined as never)).toThrow(TypeError);
    expect(() => new FrameParser({} as never)).toThrow(TypeError);
    expect(() => new FrameParser({ role: Role.Client, maxFragments: 0 })).toThrow(RangeError);
  });

  it('reports one event per read, then None when the fed bytes run out', () => {
    const parser = new FrameParser({ role: Role.Client });
    parser.feed(
      Buffer.concat([
        serverFrame(Opcode.Text, 'a'),
        serverFrame(Opcode.Ping, 'b'),
        serverFrame(Opcode.Binary, 'c', { fin: false }),
      ]),
    );
    expect(parser.read()).toBe(FrameEvent.Message);
    expect([parser.opcode, parser.data.toString()]).toEqual([Opcode.Text, 'a']);
    expect(parser.read()).toBe(FrameEvent.Control);
    expect([parser.opcode, parser.data.toString()]).toEqual([Opcode.Ping, 'b']);
    expect(parser.read()).toBe(FrameEvent.None);
    parser.feed(serverFrame(Opcode.Continuation, 'd'));
    expect(parser.read()).toBe(FrameEvent.Message);
    expect([parser.opcode, parser.data.toString()]).toEqual([Opcode.Binary, 'cd']);
  });

  it('hands out a whole single-frame message as a view on the chunk, without copying', () => {
    const parser = new FrameParser({ role: Role.Client });
    const chunk = serverFrame(Opcode.Binary, Buffer.alloc(1000, 5));
    parser.feed(chunk);
    expect(parser.read()).toBe(FrameEvent.Message);
    expect(parser.data.buffer).toBe(chunk.buffer);
  });

  it('leaves a whole single-frame text to the consumer to validate, and validates what it assembled', () => {
    const parser = new FrameParser({ role: Role.Server });
    parser.feed(clientFrame(Opcode.Text, 'whole'));
    expect(parser.read()).toBe(FrameEvent.Message);
    expect(parser.validated).toBe(false);
    const split = clientFrame(Opcode.Text, 'split');
    parser.feed(split.subarray(0, 8));
    expect(parser.read()).toBe(FrameEvent.None);
    parser.feed(split.subarray(8));
    expect(parser.read()).toBe(FrameEvent.Message);
    expect(parser.validated).toBe(true);
    expect(parser.data.toString()).toBe('split');
  });

  it('does not validate a message carrying RSV bits: only extensions know its bytes', () => {
    const parser = new FrameParser({
      role: Role.Server,
      extensions: {
        validFrameRsv: () => true,
        processIncomingMessage: () => {},
        processOutgoingMessage: () => {},
        close: () => {},
      },
    });
    const bytes = clientFrame(Opcode.Text, Buffer.from([0xff, 0xfe]), { rsv: 0x40, fin: false });
    parser.feed(Buffer.concat([bytes, clientFrame(Opcode.Continuation, Buffer.from([0xfd]))]));
    expect(parser.read()).toBe(FrameEvent.Message);
    expect(parser.rsv).toBe(0x40);
    expect(parser.validated).toBe(false);
  });

  it('reports an error once, then reads nothing more', () => {
    const parser = new FrameParser({ role: Role.Server });
    parser.feed(clientFrame(3, ''));
    expect(parser.read()).toBe(FrameEvent.Error);
    expect(parser.error?.closeCode).toBe(1002);
    expect(parser.halted).toBe(true);
    expect(parser.read()).toBe(FrameEvent.None);
    parser.feed(clientFrame(Opcode.Text, 'x'));
    expect(parser.read()).toBe(FrameEvent.None);
  });

  it('takes a control frame split across reads whole, unmasked, and reads on after it', () => {
    const parser = new FrameParser({ role: Role.Server });
    const ping = clientFrame(Opcode.Ping, 'ping payload, split');
    const after = clientFrame(Opcode.Text, 'after');
    // Inside the header's mask key, then twice inside the payload; the last read also holds the
    // next message.
    const reads = [
      ping.subarray(0, 4),
      ping.subarray(4, 9),
      ping.subarray(9, 15),
      Buffer.concat([ping.subarray(15), after]),
    ];
    const events: Array<[FrameEvent, number, string]> = [];
    for (const chunk of reads) {
      parser.feed(Buffer.from(chunk));
      for (let event = parser.read(); event !== FrameEvent.None; event = parser.read()) {
        events.push([event, parser.opcode, parser.data.toString()]);
      }
    }
    expect(events).toEqual([
      [FrameEvent.Control, Opcode.Ping, 'ping payload, split'],
      [FrameEvent.Message, Opcode.Text, 'after'],
    ]);
  });

  it('reads nothing after halt()', () => {
    const parser = new FrameParser({ role: Role.Server });
    parser.feed(clientFrame(Opcode.Text, 'x'));
    parser.halt();
    expect(parser.read()).toBe(FrameEvent.None);
  });
});

describe('RFC 6455 §5.2 opcodes', () => {
  it('tells control opcodes (high bit set) from data opcodes', () => {
    expect([0, 1, 2, 3, 7].map(isControlOpcode)).toEqual([false, false, false, false, false]);
    expect([8, 9, 10, 11, 15].map(isControlOpcode)).toEqual([true, true, true, true, true]);
  });
});

describe('RFC 6455 §5.3 unmasking of large payloads split across reads', () => {
  /** Feeds `bytes` cut at `cuts`, collecting every message. */
  function parseSplit(parser: FrameParser, bytes: Buffer, cuts: number[]): Buffer[] {
    const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
    const messages: Buffer[] = [];
    let start = 0;
    for (const end of [...points, bytes.length]) {
      // The parser owns what it is fed: hand it a copy, as a socket hands over a fresh chunk.
      parser.feed(Buffer.from(bytes.subarray(start, end)));
      for (let event = parser.read(); event !== FrameEvent.None; event = parser.read()) {
        expect(event).toBe(FrameEvent.Message);
        messages.push(Buffer.from(parser.data));
      }
      start = end;
    }
    return messages;
  }

  it('unmasks each byte with the key octet of its payload offset, whatever the split', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 70_000 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 7 }),
        (size, key, cuts) => {
          const payload = Buffer.alloc(size);
          for (let i = 0; i < size; i++) payload[i] = (i * 151 + 3) & 0xff;
          const bytes = Buffer.concat([
            frame(Opcode.Binary, payload, { key }),
            frame(Opcode.Binary, payload.subarray(0, 700), { key: Uint8Array.from([9, 8, 7, 6]) }),
          ]);
          const parser = new FrameParser({ role: Role.Server });
          const messages = parseSplit(parser, bytes, cuts);
          expect(messages.length).toBe(2);
          expect(messages[0]!.equals(payload)).toBe(true);
          expect(messages[1]!.equals(payload.subarray(0, 700))).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('joins a fragmented binary message whose fragments have their own keys, whatever the split', () => {
    // Large pieces stay masked until the join and small ones are unmasked into a block: each
    // piece must be unmasked with its own fragment's key at its own payload offset.
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            size: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 900, max: 9000 })),
            key: fc.uint8Array({ minLength: 4, maxLength: 4 }),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        fc.array(fc.nat(), { maxLength: 9 }),
        (fragments, cuts) => {
          const total = fragments.reduce((sum, f) => sum + f.size, 0);
          const payload = Buffer.alloc(total);
          for (let i = 0; i < total; i++) payload[i] = (i * 37 + 11) & 0xff;
          let offset = 0;
          const bytes = Buffer.concat(
            fragments.map(({ size, key }, i) => {
              const part = payload.subarray(offset, offset + size);
              offset += size;
              const opcode = i === 0 ? Opcode.Binary : Opcode.Continuation;
              return frame(opcode, part, { key, fin: i === fragments.length - 1 });
            }),
          );
          const parser = new FrameParser({ role: Role.Server });
          const messages = parseSplit(parser, bytes, cuts);
          expect(messages.length).toBe(1);
          expect(messages[0]!.equals(payload)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('validates large fragmented text across reads and fails at the piece holding the bad byte', () => {
    const text = Buffer.from('κόσμε 🐟 日本語 '.repeat(400));
    const fragments = Buffer.concat([
      clientFrame(Opcode.Text, text.subarray(0, 3001), { fin: false }),
      clientFrame(Opcode.Continuation, text.subarray(3001)),
    ]);
    const parser = new FrameParser({ role: Role.Server });
    const messages = parseSplit(parser, fragments, [1000, 2500, 5000, 7001]);
    expect(messages.length).toBe(1);
    expect(messages[0]!.equals(text)).toBe(true);

    const bad = Buffer.from(text);
    bad[4000] = 0xff;
    const failing = new FrameParser({ role: Role.Server });
    const stream = Buffer.concat([
      clientFrame(Opcode.Text, bad.subarray(0, 3001), { fin: false }),
      clientFrame(Opcode.Continuation, bad.subarray(3001)),
    ]);
    // The bad byte sits in the second piece: the first is accepted, the second fails with 1007.
    const cut = 3500;
    failing.feed(Buffer.from(stream.subarray(0, cut)));
    expect(failing.read()).toBe(FrameEvent.None);
    failing.feed(Buffer.from(stream.subarray(cut, cut + 2000)));
    expect(failing.read()).toBe(FrameEvent.Error);
    expect(failing.error?.closeCode).toBe(1007);
  });
});
