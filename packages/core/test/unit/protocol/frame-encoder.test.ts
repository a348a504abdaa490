import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../src/protocol/frame-encoder.js';
import { Opcode } from '../../../src/protocol/opcode.js';
import { hex, KEY, readFrames } from './engine-harness.js';

const asHex = (chunks: Buffer[]) => Buffer.concat(chunks).toString('hex');

describe('RFC 6455 §5.7 Examples, as encodeFrame writes them', () => {
  it('encodes a single-frame unmasked text message', () => {
    expect(asHex(encodeFrame(Opcode.Text, Buffer.from('Hello')))).toBe('810548656c6c6f');
  });

  it('encodes a single-frame masked text message with the given key', () => {
    expect(asHex(encodeFrame(Opcode.Text, Buffer.from('Hello'), { mask: true, maskKey: KEY }))).toBe(
      '818537fa213d7f9f4d5158',
    );
  });

  it('encodes a fragmented unmasked text message', () => {
    expect(asHex(encodeFrame(Opcode.Text, Buffer.from('Hel'), { fin: false }))).toBe('010348656c');
    expect(asHex(encodeFrame(Opcode.Continuation, Buffer.from('lo')))).toBe('80026c6f');
  });

  it('encodes an unmasked ping and a masked pong', () => {
    expect(asHex(encodeFrame(Opcode.Ping, Buffer.from('Hello')))).toBe('890548656c6c6f');
    expect(asHex(encodeFrame(Opcode.Pong, Buffer.from('Hello'), { mask: true, maskKey: KEY }))).toBe(
      '8a8537fa213d7f9f4d5158',
    );
  });

  it('encodes 256 bytes of binary data with a 16-bit length', () => {
    const chunks = encodeFrame(Opcode.Binary, Buffer.alloc(256));
    expect(Buffer.concat(chunks).subarray(0, 4).toString('hex')).toBe('827e0100');
    expect(Buffer.concat(chunks).length).toBe(260);
  });

  it('encodes 64 KiB of binary data with a 64-bit length', () => {
    const chunks = encodeFrame(Opcode.Binary, Buffer.alloc(65536));
    expect(chunks[0]!.toString('hex')).toBe('827f0000000000010000');
  });
});

describe('encodeFrame buffers', () => {
  it('throws on an unknown option key, as every options object in sockeye does', () => {
    // A typo (`masked`) would otherwise send an unmasked client frame, which servers must refuse.
    expect(() => encodeFrame(Opcode.Text, Buffer.from('hi'), { masked: true } as never)).toThrow(
      'Unrecognized option: masked',
    );
  });

  it('returns a small unmasked frame as one buffer holding header and payload', () => {
    const chunks = encodeFrame(Opcode.Binary, Buffer.alloc(1024, 1));
    expect(chunks).toHaveLength(1);
  });

  it('returns a large unmasked frame as [header, payload] with the caller bytes, not a copy', () => {
    const payload = new Uint8Array(2000).fill(9);
    const chunks = encodeFrame(Opcode.Binary, payload);
    expect(chunks).toHaveLength(2);
    expect(chunks[1]!.buffer).toBe(payload.buffer);
    expect(Buffer.isBuffer(chunks[1])).toBe(true);
  });

  it('returns a masked frame as one buffer and leaves the payload untouched', () => {
    const payload = Buffer.alloc(100_000, 0x42);
    const chunks = encodeFrame(Opcode.Binary, payload, { mask: true });
    expect(chunks).toHaveLength(1);
    expect(payload.equals(Buffer.alloc(100_000, 0x42))).toBe(true);
    const [frame] = readFrames(chunks[0]!);
    expect(frame!.masked).toBe(true);
    expect(frame!.payload.equals(payload)).toBe(true);
  });

  it('sets the RSV bits it is asked to', () => {
    expect(asHex(encodeFrame(Opcode.Text, Buffer.alloc(0), { rsv1: true }))).toBe('c100');
    expect(asHex(encodeFrame(Opcode.Text, Buffer.alloc(0), { rsv2: true, rsv3: true }))).toBe('b100');
  });

  it('encodes an empty masked frame with a key and no payload', () => {
    expect(
      asHex(encodeFrame(Opcode.Close, new Uint8Array(0), { mask: true, maskKey: hex('01020304') })),
    ).toBe('888001020304');
  });

  it('throws on a mask key that is not 4 bytes', () => {
    expect(() => encodeFrame(Opcode.Text, Buffer.from('x'), { mask: true, maskKey: hex('0102') })).toThrow(
      RangeError,
    );
  });
});
