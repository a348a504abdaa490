import { describe, expect, it } from 'vitest';
import { checkHeaderOption, headerOptionValues } from '../../../src/protocol/header-option.js';

describe('headerOptionValues', () => {
  it('leaves a header out for undefined, null and an empty list (faye leaves undefined out)', () => {
    expect(headerOptionValues('Cookie', undefined)).toEqual([]);
    expect(headerOptionValues('Cookie', null)).toEqual([]);
    expect(headerOptionValues('Cookie', [])).toEqual([]);
  });

  it('writes strings, numbers, booleans and bigints with String(), trimmed, one value per list element', () => {
    expect(headerOptionValues('X-A', ' yes ')).toEqual(['yes']);
    expect(headerOptionValues('X-A', '')).toEqual(['']);
    expect(headerOptionValues('X-A', 0)).toEqual(['0']);
    expect(headerOptionValues('X-A', false)).toEqual(['false']);
    expect(headerOptionValues('X-A', 10n)).toEqual(['10']);
    expect(headerOptionValues('Set-Cookie', ['a=1', 2, true])).toEqual(['a=1', '2', 'true']);
  });

  it('trims only SP and HTAB (RFC 9110 OWS): U+00A0 is a legal obs-text octet of the value', () => {
    expect(headerOptionValues('X-A', '\t a b \t')).toEqual(['a b']);
    expect(headerOptionValues('X-A', '\u00a0caf\u00e9\u00a0')).toEqual(['\u00a0caf\u00e9\u00a0']);
  });

  it.each([
    ['an object', { a: 1 }],
    ['a symbol', Symbol('x')],
    ['a function', () => 'x'],
    ['null in a list', ['a', null]],
    ['undefined in a list', [undefined]],
    ['a list in a list', [['a']]],
    ['a line break', 'a\r\nX-Injected: 1'],
    ['a NUL', 'a\0'],
    ['a line break in a list', ['ok', 'a\nb']],
    ['another control character', 'a\u0007b'],
    ['DEL', 'a\u007fb'],
    ['a character above U+00FF', 'fish 🐟'],
  ])('throws a TypeError naming the header for %s', (_name, value) => {
    expect(() => headerOptionValues('X-Bad', value)).toThrow(TypeError);
    expect(() => headerOptionValues('X-Bad', value)).toThrow(/X-Bad/);
  });

  it('sends tabs and Latin-1 text (obs-text) as Node does', () => {
    expect(headerOptionValues('X-Ok', 'a\tcafé')).toEqual(['a\tcafé']);
  });

  it('throws a TypeError for a name that is not a token, even when its value leaves it out', () => {
    expect(() => headerOptionValues('Bad Name', 'x')).toThrow(/Invalid header name/);
    expect(() => headerOptionValues('', undefined)).toThrow(TypeError);
  });
});

describe('checkHeaderOption', () => {
  it('takes undefined and null as no headers, and checks every entry of an object', () => {
    expect(() => checkHeaderOption(undefined)).not.toThrow();
    expect(() => checkHeaderOption(null)).not.toThrow();
    expect(() => checkHeaderOption({ Cookie: undefined, 'X-A': null, 'X-B': ['1', 2] })).not.toThrow();
    expect(() => checkHeaderOption({ 'X-Ok': 'yes', 'X-Bad': { a: 1 } })).toThrow(/X-Bad/);
  });

  it('throws a TypeError, naming the option, for anything but an object of names and values', () => {
    for (const headers of ['X-A: b', 1, true, ['X-A', 'b']]) {
      expect(() => checkHeaderOption(headers, 'proxy.headers')).toThrow(
        'The proxy.headers option must be an object of header names and values',
      );
    }
  });
});
