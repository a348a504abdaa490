import { describe, expect, it } from 'vitest';
import { FrameEvent, FrameParser } from '../../../src/protocol/frame-parser.js';
import { isControlOpcode, Opcode } from '../../../src/protocol/opcode.js';
import { Role } from '../../../src/protocol/role.js';
import { clientFrame, serverFrame } from './engine-harness.js';

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
