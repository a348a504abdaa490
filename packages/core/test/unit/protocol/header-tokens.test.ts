import { describe, expect, it } from 'vitest';
import {
  headerValue,
  isSafeFieldValue,
  isToken,
  isTokenChar,
  listHasToken,
  splitHeaderList,
  truncateForMessage,
} from '../../../src/protocol/header-tokens.js';

describe('tokens (RFC 9110 §5.6.2)', () => {
  it.each(['websocket', 'permessage-deflate', "!#$%&'*+-.^_`|~09AZaz", 'v1.chat'])(
    '%j is a token',
    (value) => {
      expect(isToken(value)).toBe(true);
    },
  );

  it.each([
    '',
    'a b',
    'a,b',
    'a;b',
    'a=b',
    'a"b',
    'a/b',
    'a\tb',
    'é',
    'a\x7f',
    '(a)',
    '[a]',
    '{a}',
    'a:b',
    'a?b',
    'a@b',
    'a\\b',
  ])('%j is not a token', (value) => {
    expect(isToken(value)).toBe(false);
  });

  it('classifies every code unit', () => {
    const tokenChars = Array.from({ length: 300 }, (_, c) => c).filter(isTokenChar);
    expect(tokenChars).toHaveLength(77);
    expect(tokenChars.every((c) => c > 0x20 && c < 0x7f)).toBe(true);
  });
});

describe('lists (RFC 9110 §5.6.1)', () => {
  it.each([
    ['a', ['a']],
    ['a, b', ['a', 'b']],
    [' a ,\tb\t', ['a', 'b']],
    ['a,,b, ,', ['a', 'b']],
    ['', []],
    [',', []],
    ['keep-alive, Upgrade', ['keep-alive', 'Upgrade']],
  ])('splits %j', (value, expected) => {
    expect(splitHeaderList(value)).toEqual(expected);
  });

  it('finds a token case-insensitively, whole elements only', () => {
    expect(listHasToken('keep-alive, Upgrade', 'upgrade')).toBe(true);
    expect(listHasToken('UPGRADE', 'upgrade')).toBe(true);
    expect(listHasToken('upgrades, xupgrade', 'upgrade')).toBe(false);
    expect(listHasToken(undefined, 'upgrade')).toBe(false);
    expect(listHasToken('', 'upgrade')).toBe(false);
    expect(listHasToken(' ,\t Upgrade\t, ', 'upgrade')).toBe(true);
  });

  it('compares ASCII letters only without case: the Kelvin sign is not a k', () => {
    // '\u212A'.toLowerCase() is 'k': a Unicode-aware comparison would take 'websoc\u212Aet'.
    expect(listHasToken('websoc\u212Aet', 'websocket')).toBe(false);
    expect(listHasToken('WebSocket', 'websocket')).toBe(true);
  });

  it('splits a 1 MiB list in one pass', () => {
    const started = performance.now();
    expect(listHasToken(`${' ,'.repeat(1 << 19)}upgrade`, 'upgrade')).toBe(true);
    console.log(`1 MiB list: ${(performance.now() - started).toFixed(1)} ms`);
  });
});

describe('header values', () => {
  it('reads strings, joins arrays and treats an empty array as absent', () => {
    const headers = { a: 'x', b: ['y', 'z'], c: [], d: undefined };
    expect(headerValue(headers, 'a')).toBe('x');
    expect(headerValue(headers, 'b')).toBe('y, z');
    expect(headerValue(headers, 'c')).toBeUndefined();
    expect(headerValue(headers, 'd')).toBeUndefined();
    expect(headerValue(headers, 'e')).toBeUndefined();
  });

  it('refuses CR, LF and NUL in values it writes', () => {
    expect(isSafeFieldValue('ok value\twith tab é')).toBe(true);
    expect(isSafeFieldValue('a\rb')).toBe(false);
    expect(isSafeFieldValue('a\nb')).toBe(false);
    expect(isSafeFieldValue('a\0b')).toBe(false);
  });

  it('cuts long values for messages', () => {
    expect(truncateForMessage('short')).toBe('short');
    expect(truncateForMessage('x'.repeat(300))).toBe(`${'x'.repeat(256)}…`);
    expect(truncateForMessage('abcdef', 3)).toBe('abc…');
  });
});
