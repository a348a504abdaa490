import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExtensionParams } from '../../../src/protocol/extension.js';
import { parseExtensionHeader, serializeExtension } from '../../../src/protocol/extension-header.js';

// websocket-extensions 0.2.0's own parser, the reference for what plugins expect to receive.
const require = createRequire(import.meta.url);
const extensionsEntry = require.resolve('websocket-extensions');
const LibraryParser = require(extensionsEntry.replace(/websocket_extensions\.js$/, 'parser.js')) as {
  parseHeader(header: string): { toArray(): Array<{ name: string; params: ExtensionParams }> };
};

function parse(header: string) {
  return parseExtensionHeader(header).map(({ name, params }) => ({ name, params: { ...params } }));
}

describe('Sec-WebSocket-Extensions parsing (RFC 6455 §9.1, websocket-extensions semantics)', () => {
  it('gives no offers for an empty header', () => {
    expect(parseExtensionHeader('')).toEqual([]);
  });

  it.each([
    ['a', [{ name: 'a', params: {} }]],
    [
      'a, b',
      [
        { name: 'a', params: {} },
        { name: 'b', params: {} },
      ],
    ],
    [
      'a, a',
      [
        { name: 'a', params: {} },
        { name: 'a', params: {} },
      ],
    ],
    ['a; b', [{ name: 'a', params: { b: true } }]],
    ['a; b=1', [{ name: 'a', params: { b: 1 } }]],
    ['a; b=-1.5', [{ name: 'a', params: { b: -1.5 } }]],
    ['a; b="1"', [{ name: 'a', params: { b: 1 } }]],
    ['a; b=01', [{ name: 'a', params: { b: '01' } }]],
    ['a; b=1.', [{ name: 'a', params: { b: '1.' } }]],
    ['a; b=hi', [{ name: 'a', params: { b: 'hi' } }]],
    ['a; b="hi, \\"there"', [{ name: 'a', params: { b: 'hi, "there' } }]],
    ['a; b="x\\\\y"', [{ name: 'a', params: { b: 'xy' } }]],
    ['a; b; b=hi', [{ name: 'a', params: { b: [true, 'hi'] } }]],
    ['a; b; b=hi; b=3', [{ name: 'a', params: { b: [true, 'hi', 3] } }]],
    ['a; b=1; c=2', [{ name: 'a', params: { b: 1, c: 2 } }]],
    ['A-B; C', [{ name: 'A-B', params: { C: true } }]],
    [
      'a ;\tb = 1 ,  c',
      [
        { name: 'a', params: { b: 1 } },
        { name: 'c', params: {} },
      ],
    ],
    ['a\r\n ; b', [{ name: 'a', params: { b: true } }]],
    ['a; b="tab\there"', [{ name: 'a', params: { b: 'tab\there' } }]],
  ])('parses %j', (header, expected) => {
    expect(parse(header)).toEqual(expected);
  });

  it('parses the complex list of the websocket-extensions spec in order', () => {
    expect(parse('a; b=1, c, b; d, c; e="hi, there"; e, a; b')).toEqual([
      { name: 'a', params: { b: 1 } },
      { name: 'c', params: {} },
      { name: 'b', params: { d: true } },
      { name: 'c', params: { e: ['hi, there', true] } },
      { name: 'a', params: { b: true } },
    ]);
  });

  it('handles names and parameters that are Object.prototype members', () => {
    const [offer] = parseExtensionHeader('hasOwnProperty; __proto__=1; constructor');
    expect(offer!.name).toBe('hasOwnProperty');
    expect(Object.getPrototypeOf(offer!.params)).toBe(Object.prototype);
    expect(Object.hasOwn(offer!.params, '__proto__')).toBe(true);
    expect(Object.keys(offer!.params)).toEqual(['__proto__', 'constructor']);
    expect(offer!.params.constructor).toBe(true);
  });

  it.each([
    'a,',
    ',a',
    'a b',
    'a ',
    ' a',
    'a;',
    'a; b=',
    'a; b="open',
    'a; b="x\\',
    'a; =1',
    'a; b=c=d',
    'a; b="ctl\x01"',
    'a\r\nb',
    'a\r\n',
    'x-webkit- -frame',
    'a; b="\\é"',
  ])('rejects %j with a SyntaxError naming the header', (header) => {
    expect(() => parseExtensionHeader(header)).toThrow(SyntaxError);
    expect(() => parseExtensionHeader(header)).toThrow(`Invalid Sec-WebSocket-Extensions header: ${header}`);
  });

  it('cuts a long header in the error message', () => {
    const header = `a; b="${'x'.repeat(1000)}`;
    expect(() => parseExtensionHeader(header)).toThrow(/header: a; b="x{250}…$/);
  });

  it('agrees with websocket-extensions 0.2.0 on generated headers, valid or not', () => {
    const piece = fc.constantFrom(
      'a',
      'b',
      'permessage-deflate',
      ';',
      ',',
      '=',
      ' ',
      '\t',
      '\r\n ',
      '\r\n',
      '"',
      '\\',
      '\\"',
      '1',
      '-',
      '.',
      '0',
      'é',
      '\x01',
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 14 }).map((pieces) => pieces.join('')),
        (header) => {
          let expected: unknown;
          let actual: unknown;
          try {
            expected = LibraryParser.parseHeader(header).toArray();
          } catch (error) {
            expected = (error as Error).name;
          }
          try {
            actual = parse(header);
          } catch (error) {
            actual = (error as Error).name;
          }
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('Sec-WebSocket-Extensions parsing in linear time (CVE-2020-7662 family)', () => {
  const M = 1 << 20;
  // `keep` false is the server's path for extensions it does not have: a syntax scan only.
  it.each([
    ['an unclosed quoted string of escapes', `a; b="${'\\c'.repeat(M / 2)}`, true, 'SyntaxError'],
    ['a run of spaces before garbage', `a${' '.repeat(M)}x`, true, 'SyntaxError'],
    ['many parameters then a dangling ;', `a${'; b'.repeat(M / 3)};`, false, 'SyntaxError'],
    ['many extensions then a dangling ,', `${'a, '.repeat(M / 3)},`, false, 'SyntaxError'],
    ['folded whitespace before garbage', `a${'\r\n '.repeat(M / 3)}x`, true, 'SyntaxError'],
    ['many valid extensions, none kept', `${'x; y=1, '.repeat(M / 8)}x`, false, 0],
    [
      'one parameter repeated 100k times (quadratic in the library)',
      `a${'; b=1'.repeat(100_000)}`,
      true,
      100_000,
    ],
    ['a 1 MiB quoted value', `a; b="${'a b\\"'.repeat(200_000)}"`, true, 800_000],
  ])('%s', (name, header, keep, expected) => {
    const started = performance.now();
    let outcome: unknown;
    try {
      const offers = parseExtensionHeader(header, () => keep);
      const value = offers[0]?.params.b;
      outcome = offers.length === 0 ? 0 : Array.isArray(value) ? value.length : String(value).length;
    } catch (error) {
      outcome = (error as Error).name;
    }
    expect(outcome).toBe(expected);
    console.log(`${name}: ${(performance.now() - started).toFixed(1)} ms`);
  });
});

describe('parseExtensionHeader with a filter', () => {
  it('builds only the elements the filter keeps, in order', () => {
    const seen: string[] = [];
    const offers = parseExtensionHeader('a; x=1, b; y, a; z="q"', (name) => {
      seen.push(name);
      return name === 'a';
    });
    expect(seen).toEqual(['a', 'b', 'a']);
    expect(offers.map((o) => ({ ...o, params: { ...o.params } }))).toEqual([
      { name: 'a', params: { x: 1 } },
      { name: 'a', params: { z: 'q' } },
    ]);
  });

  it('still checks the syntax of the elements it leaves out', () => {
    expect(() => parseExtensionHeader('a, b; y="open', (name) => name === 'a')).toThrow(SyntaxError);
    expect(() => parseExtensionHeader('b; =1', () => false)).toThrow(SyntaxError);
    expect(() => parseExtensionHeader('b; y=', () => false)).toThrow(SyntaxError);
  });
});

describe('serializeExtension', () => {
  it.each([
    [{}, 'a'],
    [{ b: true }, 'a; b'],
    [{ b: 42 }, 'a; b=42'],
    [{ b: 'hi' }, 'a; b=hi'],
    [{ b: 'hi, there' }, 'a; b="hi, there"'],
    [{ b: 'say "x"\\' }, 'a; b="say \\"x\\"\\\\"'],
    [{ b: 'hello world', c: 'a b' }, 'a; b="hello world"; c="a b"'],
    [{ b: [true, 'hi'], c: 1 }, 'a; b; b=hi; c=1'],
    [{ b: '' }, 'a; b=""'],
  ] as Array<[ExtensionParams, string]>)('serialises %j as %j', (params, expected) => {
    expect(serializeExtension('a', params)).toBe(expected);
  });

  it('round-trips through the parser for values without backslashes', () => {
    const params = { b: 'hi, "there"', c: true, d: 15, e: ['x', 'y z'] };
    expect(parse(serializeExtension('ext', params))).toEqual([{ name: 'ext', params }]);
  });
});
