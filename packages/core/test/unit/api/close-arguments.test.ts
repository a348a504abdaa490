import { describe, expect, it } from 'vitest';
import { validateCloseArguments } from '../../../src/api/close-arguments.js';

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
    expect(() => validateCloseArguments(1006, undefined)).toThrow(/1006 is neither/);
  });

  it('allows a reason of 123 UTF-8 bytes and rejects 124', () => {
    expect(() => validateCloseArguments(1000, 'a'.repeat(123))).not.toThrow();
    expect(() => validateCloseArguments(1000, 'a'.repeat(124))).toThrow(/123 bytes/);
    expect(() => validateCloseArguments(1000, '€'.repeat(41))).not.toThrow(); // 123 bytes
    expect(() => validateCloseArguments(1000, `${'€'.repeat(41)}a`)).toThrow(SyntaxError); // 124 bytes
  });
});
