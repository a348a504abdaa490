import { describe, expect, it } from 'vitest';
import { nodeDigest, randomKey } from '../../../src/node/digest.js';

describe('nodeDigest', () => {
  it('computes SHA-1 of a Latin-1 string', () => {
    expect(nodeDigest.sha1('abc').toString('hex')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(nodeDigest.sha1('\u00ff').toString('hex')).toBe('85e53271e14006f0265921d02d4d736cdc580b0b');
  });

  it('gives the same SHA-1 as base64 text for ASCII input (the only input acceptKey gives it)', () => {
    for (const input of ['abc', 'dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11']) {
      expect(nodeDigest.sha1Base64?.(input)).toBe(nodeDigest.sha1(input).toString('base64'));
    }
  });

  it('computes MD5 of bytes', () => {
    expect(nodeDigest.md5(Buffer.from('abc')).toString('hex')).toBe('900150983cd24fb0d6963f7d28e17f72');
  });
});

describe('randomKey (RFC 6455 §4.1: a fresh random 16-byte nonce per connection)', () => {
  it('gives 16 bytes, different each time', () => {
    const keys = new Set(Array.from({ length: 50 }, () => randomKey().toString('base64')));
    expect(keys.size).toBe(50);
    for (const key of keys) expect(Buffer.from(key, 'base64')).toHaveLength(16);
  });
});
