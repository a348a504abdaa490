import { describe, expect, it } from 'vitest';
import { PreparedMessage } from '../../../src/api/prepared-message.js';

describe('PreparedMessage (RFC 6455 §5.2 framing, encoded once)', () => {
  it('encodes text as one unmasked FIN text frame', () => {
    const message = new PreparedMessage('Hello');
    expect(message.binary).toBe(false);
    expect(Buffer.concat(message.frames)).toEqual(Buffer.from([0x81, 0x05, ...Buffer.from('Hello')]));
    expect(message.byteLength).toBe(7);
  });

  it('encodes bytes as a binary frame with a 16-bit length past 125 bytes', () => {
    const message = new PreparedMessage(new Uint8Array(200));
    expect(message.binary).toBe(true);
    const wire = Buffer.concat(message.frames);
    expect([...wire.subarray(0, 4)]).toEqual([0x82, 0x7e, 0x00, 0xc8]);
    expect(wire.length).toBe(204);
  });

  it('sends other values as String() text, like send()', () => {
    expect(new PreparedMessage(42).data).toBe('42');
  });
});
