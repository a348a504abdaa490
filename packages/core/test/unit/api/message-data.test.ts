import { describe, expect, it } from 'vitest';
import { binaryPayload, controlPayload } from '../../../src/api/message-data.js';

describe('binaryPayload', () => {
  it('views Buffers, ArrayBuffers and typed arrays without copying', () => {
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const view = binaryPayload(bytes.subarray(1, 3))!;
    expect([...view]).toEqual([2, 3]);
    bytes[1] = 9;
    expect(view[0]).toBe(9);
    const buffer = Buffer.from('x');
    expect(binaryPayload(buffer)).toBe(buffer);
    expect([...binaryPayload(new Uint8Array([5]).buffer)!]).toEqual([5]);
    expect([...binaryPayload(new DataView(new Uint8Array([6, 7]).buffer, 1))!]).toEqual([7]);
  });

  it('returns null for text-like values (strings, numbers, booleans, arrays, objects)', () => {
    for (const value of ['s', 1, true, [1, 2], {}, null, undefined]) expect(binaryPayload(value)).toBeNull();
  });
});

describe('controlPayload', () => {
  it('encodes strings as UTF-8 and other values with String()', () => {
    expect(controlPayload('é')).toEqual(Buffer.from([0xc3, 0xa9]));
    expect(controlPayload(50)).toEqual(Buffer.from('50'));
    expect(controlPayload(new Uint8Array([1]))).toEqual(Buffer.from([1]));
  });

  it('makes null and undefined an empty payload, as faye and ws', () => {
    expect(controlPayload(null)).toEqual(Buffer.alloc(0));
    expect(controlPayload(undefined)).toEqual(Buffer.alloc(0));
  });
});
