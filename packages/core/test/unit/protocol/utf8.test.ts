import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { isValidUtf8, setUtf8Validator, Utf8Validator } from '../../../src/protocol/utf8.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const fatal = new TextDecoder('utf-8', { fatal: true });
function reference(bytes: Uint8Array): boolean {
  try {
    fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

// RFC 3629 §4 / Unicode Table 3-7, with the boundaries on each side.
const valid: Array<[string, string]> = [
  ['the empty string', ''],
  ['ASCII', '48656c6c6f'],
  ['U+0080, the first 2-byte code point', 'c280'],
  ['U+07FF, the last 2-byte code point', 'dfbf'],
  ['U+0800, the first 3-byte code point', 'e0a080'],
  ['U+D7FF, just below the surrogates', 'ed9fbf'],
  ['U+E000, just above the surrogates', 'ee8080'],
  ['U+FFFF', 'efbfbf'],
  ['U+10000, the first 4-byte code point', 'f0908080'],
  ['U+10FFFF, the last code point', 'f48fbfbf'],
  ['"κόσμε" (Autobahn 6.2.1)', 'cebae1bdb9cf83cebcceb5'],
];
const invalid: Array<[string, string, number]> = [
  ['a lone continuation byte', '80', 0],
  ['0xC0, which only starts overlongs', 'c080', 0],
  ['0xC1, which only starts overlongs', 'c1bf', 0],
  ['an overlong 3-byte form', 'e09f80', 1],
  ['an overlong 4-byte form', 'f08fbfbf', 1],
  ['a high surrogate U+D800', 'eda080', 1],
  ['a low surrogate U+DFFF', 'edbfbf', 1],
  ['U+110000, above the last code point', 'f4908080', 1],
  ['0xF5, which never appears', 'f5808080', 0],
  ['0xFF, which never appears', 'ff', 0],
  ['a 2-byte lead followed by ASCII', 'c241', 1],
  ['a 3-byte sequence cut by ASCII', 'e0a041', 2],
  ['"κόσμε" then an invalid byte (Autobahn 6.3.1)', 'cebae1bdb9cf83cebcceb5eda080656469746564', 12],
];

describe('UTF-8 validation (RFC 3629 §4, RFC 6455 §8.1)', () => {
  it.each(valid)('accepts %s', (_name, bytes) => {
    expect(isValidUtf8(hex(bytes))).toBe(true);
    const validator = new Utf8Validator();
    expect(validator.update(hex(bytes))).toBe(true);
    expect(validator.complete).toBe(true);
  });

  it.each(invalid)('rejects %s at the first invalid byte', (_name, bytes, at) => {
    expect(isValidUtf8(hex(bytes))).toBe(false);
    const validator = new Utf8Validator();
    expect(validator.update(hex(bytes))).toBe(false);
    expect(validator.invalidAt).toBe(at);
    expect(validator.update(hex('41'))).toBe(false);
  });

  it('rejects a sequence truncated at the end, though every byte so far was valid', () => {
    const validator = new Utf8Validator();
    expect(validator.update(hex('48 e2 82'))).toBe(true);
    expect(validator.complete).toBe(false);
    expect(isValidUtf8(hex('48 e2 82'))).toBe(false);
  });

  it('accepts a code point split between two pieces, byte by byte', () => {
    const bytes = hex('f0 9f 98 80');
    const validator = new Utf8Validator();
    for (let i = 0; i < bytes.length; i++) {
      expect(validator.update(bytes, i, i + 1)).toBe(true);
      expect(validator.complete).toBe(i === bytes.length - 1);
    }
  });

  it('reports the stream offset of the first invalid byte across pieces', () => {
    const validator = new Utf8Validator();
    expect(validator.update(Buffer.from('hello '))).toBe(true);
    expect(validator.update(hex('ce ba ff 41'), 0, 4)).toBe(false);
    expect(validator.invalidAt).toBe(8);
    validator.reset();
    expect(validator.complete).toBe(true);
    expect(validator.invalidAt).toBe(-1);
  });

  it('finds a non-ASCII byte anywhere in a long ASCII run, at any alignment', () => {
    const base = Buffer.alloc(600, 0x61);
    for (const offset of [0, 1, 2, 3]) {
      for (const at of [0, 3, 127, 128, 129, 300, 596]) {
        const bytes = Buffer.from(base);
        bytes[offset + at] = 0xff;
        const view = bytes.subarray(offset);
        expect(isValidUtf8(view)).toBe(false);
        const validator = new Utf8Validator();
        validator.update(view);
        expect(validator.invalidAt).toBe(at);
      }
      expect(isValidUtf8(base.subarray(offset))).toBe(true);
    }
  });

  it('agrees with a fatal TextDecoder on random bytes and random text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.string({ unit: 'binary', maxLength: 200 }).map((s) => new Uint8Array(Buffer.from(s))),
          fc
            .tuple(fc.string({ unit: 'binary', maxLength: 200 }), fc.nat(), fc.integer({ min: 0, max: 255 }))
            .map(([s, at, byte]) => {
              const bytes = new Uint8Array(Buffer.from(s));
              if (bytes.length > 0) bytes[at % bytes.length] = byte;
              return bytes;
            }),
        ),
        (bytes) => {
          expect(isValidUtf8(bytes)).toBe(reference(bytes));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('gives the same verdict for any split of the stream into pieces', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 200 }).map((s) => new Uint8Array(Buffer.from(s))),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.option(fc.tuple(fc.nat(), fc.integer({ min: 0x80, max: 0xff }))),
        (bytes, cuts, corruption) => {
          if (corruption !== null && bytes.length > 0) bytes[corruption[0] % bytes.length] = corruption[1];
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const validator = new Utf8Validator();
          let ok = true;
          let start = 0;
          for (const end of [...points, bytes.length]) {
            ok = validator.update(bytes, start, end) && ok;
            start = end;
          }
          expect(ok && validator.complete).toBe(reference(bytes));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

/** The offset of the first invalid byte, fed one byte at a time (the DFA alone), or -1. */
function firstInvalidByte(bytes: Uint8Array): number {
  const validator = new Utf8Validator();
  for (let i = 0; i < bytes.length; i++) if (!validator.update(bytes, i, i + 1)) return validator.invalidAt;
  return -1;
}

/** Long text with every sequence length, so spans reach the native and TextDecoder paths. */
const longText = fc
  .array(fc.constantFrom('a', 'plain ascii run ', 'é', 'ü', '日本', '€', '🐟', '\u{10ffff}', '\u0080'), {
    minLength: 50,
    maxLength: 400,
  })
  .map((parts) => new Uint8Array(Buffer.from(parts.join(''))));

describe.each([
  ['the fatal TextDecoder fallback', null],
  ['buffer.isUtf8 installed by the Node layer', isUtf8],
])('UTF-8 validation of long streams through %s', (_name, check) => {
  afterEach(() => setUtf8Validator(null));

  it('fails at the exact first invalid byte for any split, as the DFA alone does', () => {
    setUtf8Validator(check);
    fc.assert(
      fc.property(
        longText,
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.option(fc.tuple(fc.nat(), fc.integer({ min: 0x80, max: 0xff }))),
        (bytes, cuts, corruption) => {
          if (corruption !== null) bytes[corruption[0] % bytes.length] = corruption[1];
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const validator = new Utf8Validator();
          let ok = true;
          let start = 0;
          for (const end of [...points, bytes.length]) {
            if (!validator.update(bytes, start, end)) {
              ok = false;
              break;
            }
            start = end;
          }
          expect(ok && validator.complete).toBe(reference(bytes));
          expect(ok ? -1 : validator.invalidAt).toBe(firstInvalidByte(bytes));
          expect(isValidUtf8(bytes)).toBe(reference(bytes));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects a piece that ends in a byte which can never start a sequence', () => {
    setUtf8Validator(check);
    const bytes = Buffer.concat([Buffer.alloc(300, 0x61), hex('f8')]);
    const validator = new Utf8Validator();
    expect(validator.update(bytes)).toBe(false);
    expect(validator.invalidAt).toBe(300);
  });

  it('keeps a 4-byte code point open across pieces after a long ASCII run', () => {
    setUtf8Validator(check);
    const bytes = Buffer.concat([Buffer.alloc(1000, 0x61), hex('f0 9f 90 9f'), Buffer.alloc(500, 0x62)]);
    for (const cut of [1001, 1002, 1003]) {
      const validator = new Utf8Validator();
      expect(validator.update(bytes, 0, cut)).toBe(true);
      expect(validator.complete).toBe(false);
      expect(validator.update(bytes, cut, bytes.length)).toBe(true);
      expect(validator.complete).toBe(true);
    }
  });
});
