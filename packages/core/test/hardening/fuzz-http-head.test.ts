import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzRuns } from '../../../../test-support/hardening/fuzz-runs.js';
import { HandshakeError } from '../../src/errors.js';
import { type HttpHeadKind, HttpHeadParser } from '../../src/protocol/http-head.js';

/** Feeds `bytes` in the given chunk sizes; the head (as plain data), or the error's code. */
function run(
  kind: HttpHeadKind,
  bytes: Buffer,
  sizes: readonly number[],
  limits: { maxLineLength?: number; maxHeaders?: number } = {},
) {
  const parser = new HttpHeadParser(kind, limits);
  let offset = 0;
  let i = 0;
  while (offset < bytes.length) {
    const size = Math.max(1, sizes.length === 0 ? bytes.length : sizes[i++ % sizes.length]!);
    const chunk = bytes.subarray(offset, offset + size);
    offset += chunk.length;
    let head: ReturnType<HttpHeadParser['push']>;
    try {
      head = parser.push(chunk);
    } catch (error) {
      expect(error).toBeInstanceOf(HandshakeError);
      // Once failed, it stays failed with the same error.
      expect(() => parser.push(Buffer.from('x'))).toThrow(error as Error);
      return { error: (error as HandshakeError).code };
    }
    if (head !== null) {
      return {
        head: { ...head, headers: { ...head.headers } },
        rest: Buffer.concat([parser.rest, bytes.subarray(offset)]).toString('latin1'),
      };
    }
  }
  return { incomplete: true };
}

const piece = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '\r\n',
      '\n',
      '\r',
      ' ',
      '\t',
      ':',
      ': ',
      'HTTP/1.1',
      'HTTP/1.0',
      'HTTP/2',
      '101',
      'GET',
      '/',
    ),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'Upgrade',
      'upgrade: websocket',
      'Sec-WebSocket-Key',
      'set-cookie: a=1',
      'X: y',
      '\r\n\r\n',
      '\r\n ',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom('\x00', '\x7f', '\xff', 'é', '"', '(', '@') },
  { weight: 2, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 4 }) },
);
const headLike = fc
  .tuple(
    fc.constantFrom('HTTP/1.1 101 Switching Protocols\r\n', 'GET /chat HTTP/1.1\r\n', '', 'HTTP/1.1 200\r\n'),
    fc.array(piece, { maxLength: 40 }),
  )
  .map(([start, pieces]) => Buffer.from(start + pieces.join(''), 'latin1'));
const anyBytes = fc.oneof(
  headLike,
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
);
const chunkSizes = fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 10 });
const kind = fc.constantFrom<HttpHeadKind>('request', 'response');

describe('HTTP head parser under hostile input (fuzz)', () => {
  it('throws nothing but HandshakeError, and gives the same result for any split of the bytes', () => {
    fc.assert(
      fc.property(kind, anyBytes, chunkSizes, (k, bytes, sizes) => {
        expect(run(k, bytes, sizes)).toEqual(run(k, bytes, []));
      }),
      { numRuns: fuzzRuns(1000) },
    );
  });

  it('reads a well-formed head back exactly, with the bytes after it left untouched', () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/);
    const value = fc.stringMatching(/^[!-~]([ -~]{0,30}[!-~])?$/);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(name, value), { maxLength: 20 }),
        fc.uint8Array({ maxLength: 50 }),
        fc.boolean(),
        chunkSizes,
        (fields, body, crlf, sizes) => {
          const eol = crlf ? '\r\n' : '\n';
          const text = `HTTP/1.1 101 Switching Protocols${eol}${fields.map(([n, v]) => `${n}: ${v}${eol}`).join('')}${eol}`;
          const bytes = Buffer.concat([Buffer.from(text, 'latin1'), Buffer.from(body)]);
          const result = run('response', bytes, sizes);
          const expected: Record<string, string> = {};
          for (const [n, v] of fields) {
            const key = n.toLowerCase();
            expected[key] = key in expected ? `${expected[key]}${key === 'set-cookie' ? '\n' : ', '}${v}` : v;
          }
          expect(result.head?.statusCode).toBe(101);
          expect(result.head?.headers).toEqual(expected);
          expect(result.head?.rawHeaders).toEqual(fields.flat());
          expect(result.rest).toBe(Buffer.from(body).toString('latin1'));
        },
      ),
      { numRuns: fuzzRuns(500, 0.2) },
    );
  });

  it('enforces maxLineLength and maxHeaders exactly, however the bytes are split', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 300 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: -2, max: 2 }),
        fc.integer({ min: -2, max: 2 }),
        chunkSizes,
        (maxLineLength, maxHeaders, lineDelta, countDelta, sizes) => {
          const lineLength = maxLineLength + lineDelta;
          const count = Math.max(0, maxHeaders + countDelta);
          const long = `X-Long: ${'a'.repeat(lineLength - 8)}`;
          const fields = Array.from({ length: count }, (_, i) => (i === 0 ? long : `X-${i}: v`));
          const text = `GET / HTTP/1.1\r\n${fields.map((f) => `${f}\r\n`).join('')}\r\n`;
          const result = run('request', Buffer.from(text), sizes, { maxLineLength, maxHeaders });
          const tooLong = count > 0 && lineLength > maxLineLength;
          const tooMany = count > maxHeaders;
          if (tooLong || tooMany) expect(result).toEqual({ error: 'WS_ERR_HANDSHAKE_HEAD_TOO_LARGE' });
          else expect(result.head?.rawHeaders).toHaveLength(2 * count);
        },
      ),
      { numRuns: fuzzRuns(500, 0.2) },
    );
  });

  it('an endless line is refused after maxLineLength bytes, holding no more than that', () => {
    const parser = new HttpHeadParser('response', {});
    parser.push(Buffer.from('HTTP/1.1 101 OK\r\nX: '));
    const block = Buffer.alloc(1024, 0x61);
    let fed = 0;
    let error: unknown = null;
    for (let i = 0; i < 1024 && error === null; i++) {
      try {
        parser.push(block);
        fed += block.length;
      } catch (e) {
        error = e;
      }
    }
    expect((error as HandshakeError).code).toBe('WS_ERR_HANDSHAKE_HEAD_TOO_LARGE');
    expect(fed).toBeLessThanOrEqual(8192);
  });
});
