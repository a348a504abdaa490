import { describe, expect, it } from 'vitest';
import { closeCodeArgument, validateCloseArguments } from '../../../src/api/close-arguments.js';

describe('closeCodeArgument (WebIDL [Clamp] unsigned short, as browsers and faye take the code)', () => {
  it('converts numeric strings and fractions, rounding ties to even, and clamps to 0–65535', () => {
    expect(closeCodeArgument(undefined)).toBeUndefined();
    expect(closeCodeArgument(3000)).toBe(3000);
    expect(closeCodeArgument('3000')).toBe(3000);
    expect(closeCodeArgument(3000.4)).toBe(3000);
    expect(closeCodeArgument(3000.5)).toBe(3000);
    expect(closeCodeArgument(3001.5)).toBe(3002);
    expect(closeCodeArgument(3000.6)).toBe(3001);
    expect(closeCodeArgument(-5)).toBe(0);
    expect(closeCodeArgument(70000)).toBe(65535);
    expect(closeCodeArgument('abc')).toBe(0);
  });

  it('leaves what the conversion gives to the code check: 0 and 65535 are refused there', () => {
    expect(() => validateCloseArguments(closeCodeArgument('abc'), undefined)).toThrow(SyntaxError);
    expect(() => validateCloseArguments(closeCodeArgument(70000), undefined)).toThrow(SyntaxError);
  });
});

describe('validateCloseArguments (RFC 6455 §7.4, WHATWG close())', () => {
  it('accepts every code that may be sent on the wire, and no code at all', () => {
    for (const code of [undefined, 1000, 1001, 1002, 1003, 1007, 1010, 1011, 1012, 1013, 1014, 3000, 4999]) {
      expect(() => validateCloseArguments(code, undefined)).not.toThrow();
    }
  });

  it('rejects reserved, local-only, unassigned and non-integer codes with a SyntaxError', () => {
    for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 1000.5, Number.NaN]) {
      expect(() => validateCloseArguments(code, undefined)).toThrow(SyntaxError);
    }
    expect(() => validateCloseArguments(1006, undefined)).toThrow(/1006 is none of these/);
  });

  it('allows a reason of 123 UTF-8 bytes and rejects 124', () => {
    expect(() => validateCloseArguments(1000, 'a'.repeat(123))).not.toThrow();
    expect(() => validateCloseArguments(1000, 'a'.repeat(124))).toThrow(/123 bytes/);
    expect(() => validateCloseArguments(1000, '€'.repeat(41))).not.toThrow(); // 123 bytes
    expect(() => validateCloseArguments(1000, `${'€'.repeat(41)}a`)).toThrow(SyntaxError); // 124 bytes
  });
});
