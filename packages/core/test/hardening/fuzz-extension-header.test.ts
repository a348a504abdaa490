import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzRuns } from '../../../../test-support/hardening/fuzz-runs.js';
import { parseExtensionHeader, serializeExtension } from '../../src/protocol/extension-header.js';

const require = createRequire(import.meta.url);
/** The parser of npm websocket-extensions 0.2.0, whose grammar and values sockeye keeps. */
const reference = require('websocket-extensions/lib/parser') as {
  parseHeader(header: string): { toArray(): Array<{ name: string; params: Record<string, unknown> }> };
};

// Pieces of the grammar and of the attacks on it: tokens, separators, quoting, escapes, linear
// whitespace and folding, control characters, non-ASCII, numbers.
const piece = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'permessage-deflate',
      'x',
      'a',
      'client_max_window_bits',
      '15',
      '-1',
      '0.5',
      '07',
    ),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom(';', ',', '=', '"', '\\', ' ', '\t', '\r\n ', '\r\n', '\\c', '\\\\', '\\"'),
  },
  { weight: 1, arbitrary: fc.constantFrom('\x00', '\x7f', '\x1f', 'é', '€', '(', '/', '{', '?') },
  { weight: 2, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 3 }) },
);
/** Any code points (a unit arbitrary: much cheaper to generate than `unit: 'binary'` here). */
const anyText = fc.string({ unit: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), maxLength: 60 });
const headerLike = fc.array(piece, { maxLength: 30 }).map((pieces) => pieces.join(''));

function ours(header: string): unknown {
  try {
    return parseExtensionHeader(header).map(({ name, params }) => ({ name, params: { ...params } }));
  } catch (error) {
    expect(error).toBeInstanceOf(SyntaxError);
    return 'SyntaxError';
  }
}

function theirs(header: string): unknown {
  try {
    return reference
      .parseHeader(header)
      .toArray()
      .map(({ name, params }) => ({ name, params: { ...params } }));
  } catch (error) {
    expect(error).toBeInstanceOf(SyntaxError);
    return 'SyntaxError';
  }
}

describe('Sec-WebSocket-Extensions parser under hostile input (fuzz)', () => {
  it('throws nothing but SyntaxError, whatever the header', () => {
    fc.assert(
      fc.property(fc.oneof(headerLike, anyText), (header) => {
        ours(header);
      }),
      { numRuns: fuzzRuns(1000) },
    );
  });

  it('accepts and rejects exactly what websocket-extensions does, with the same values', () => {
    fc.assert(
      fc.property(headerLike, (header) => {
        // websocket-extensions assigns `__proto__` through the prototype; sockeye keeps it as data.
        fc.pre(!header.includes('__proto__'));
        expect(ours(header)).toEqual(theirs(header));
      }),
      { numRuns: fuzzRuns(1000) },
    );
  });

  it('parses back what it serialises', () => {
    const token = fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/);
    const value = fc.oneof(
      fc.constant(true as const),
      fc.integer({ min: 0, max: 1_000_000 }),
      token,
      // Quoted text (printable ASCII, quotes and backslashes included) that does not read as a number.
      fc
        .string({ unit: 'grapheme-ascii', maxLength: 12 })
        .filter((s) => !/^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(s) && !s.includes('\\')),
    );
    const offer = fc.record({ name: token, params: fc.dictionary(token, value, { maxKeys: 4 }) });
    fc.assert(
      fc.property(fc.array(offer, { minLength: 1, maxLength: 4 }), (offers) => {
        const header = offers.map((o) => serializeExtension(o.name, o.params)).join(', ');
        const parsed = parseExtensionHeader(header).map(({ name, params }) => ({
          name,
          params: { ...params },
        }));
        expect(parsed).toEqual(offers.map((o) => ({ name: o.name, params: { ...o.params } })));
      }),
      { numRuns: fuzzRuns(500, 0.2) },
    );
  });

  it('gives a 1 MiB crafted header an answer (timed in scripts/hostile-headers.ts)', () => {
    const MiB = 1 << 20;
    const crafted = [
      `permessage-deflate; x="${'\\c'.repeat(MiB / 2)}`,
      `permessage-deflate; x="${'\\c'.repeat(MiB / 2)}"`,
      `permessage-deflate${';'.repeat(MiB)}`,
      `permessage-deflate${' '.repeat(MiB)}x`,
      `permessage-deflate${'\r\n '.repeat(MiB / 3)}; a`,
      'permessage-deflate; client_max_window_bits, '.repeat(MiB / 44).slice(0, -2),
      `permessage-deflate${'; b=1'.repeat(MiB / 5)}`,
    ];
    const outcomes = crafted.map((header) => {
      const result = ours(header);
      return result === 'SyntaxError' ? result : (result as unknown[]).length;
    });
    expect(outcomes).toEqual(['SyntaxError', 1, 'SyntaxError', 'SyntaxError', 1, Math.floor(MiB / 44), 1]);
  });
});
