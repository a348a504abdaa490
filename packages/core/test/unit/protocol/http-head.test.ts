import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, HandshakeError } from '../../../src/errors.js';
import {
  type HttpHead,
  HttpHeadParser,
  type HttpHeadParserOptions,
} from '../../../src/protocol/http-head.js';

const RESPONSE =
  'HTTP/1.1 101 Switching Protocols\r\n' +
  'Upgrade: websocket\r\n' +
  'Connection: Upgrade\r\n' +
  'Sec-WebSocket-Accept: QV3I5XUXU2CdhtjixE7QCkCcMZM=\r\n' +
  '\r\n';

const REQUEST =
  'GET /chat?room=1 HTTP/1.1\r\n' +
  'Host: www.example.com\r\n' +
  'Upgrade: websocket\r\n' +
  'Connection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
  'Sec-WebSocket-Version: 13\r\n' +
  '\r\n';

function parseAll(kind: 'request' | 'response', input: string | Buffer, options?: HttpHeadParserOptions) {
  const parser = new HttpHeadParser(kind, options);
  const head = parser.push(typeof input === 'string' ? Buffer.from(input, 'latin1') : input);
  return { head, rest: parser.rest, parser };
}

function errorOf(
  kind: 'request' | 'response',
  input: string,
  options?: HttpHeadParserOptions,
): HandshakeError {
  try {
    parseAll(kind, input, options);
  } catch (error) {
    expect(error).toBeInstanceOf(HandshakeError);
    return error as HandshakeError;
  }
  throw new Error('expected the parser to throw');
}

describe('HttpHeadParser: responses (RFC 9112 §4)', () => {
  it('parses a 101 response: status, reason, version, lower-cased headers and raw headers', () => {
    const { head, rest } = parseAll('response', RESPONSE);
    expect(head).toEqual({
      statusCode: 101,
      statusMessage: 'Switching Protocols',
      httpVersion: '1.1',
      headers: {
        upgrade: 'websocket',
        connection: 'Upgrade',
        'sec-websocket-accept': 'QV3I5XUXU2CdhtjixE7QCkCcMZM=',
      },
      rawHeaders: [
        'Upgrade',
        'websocket',
        'Connection',
        'Upgrade',
        'Sec-WebSocket-Accept',
        'QV3I5XUXU2CdhtjixE7QCkCcMZM=',
      ],
    });
    expect(head!.method).toBeUndefined();
    expect(rest.length).toBe(0);
  });

  it('hands back the bytes after the blank line (a frame that came with the 101)', () => {
    const input = Buffer.concat([Buffer.from(RESPONSE), Buffer.from([0x81, 0x02, 0x48, 0x69])]);
    const { head, rest, parser } = parseAll('response', input);
    expect(head?.statusCode).toBe(101);
    expect([...rest]).toEqual([0x81, 0x02, 0x48, 0x69]);
    expect(parser.head).toBe(head);
  });

  it('returns null until the blank line arrives', () => {
    const parser = new HttpHeadParser('response');
    expect(parser.push(Buffer.from('HTTP/1.1 200 OK\r\n'))).toBeNull();
    expect(parser.push(Buffer.from('Content-Length: 0\r\n'))).toBeNull();
    expect(parser.head).toBeNull();
    expect(parser.push(Buffer.from('\r\n'))?.statusCode).toBe(200);
  });

  it('accepts a status line without a reason phrase, with or without its space', () => {
    expect(parseAll('response', 'HTTP/1.1 101\r\n\r\n').head?.statusMessage).toBe('');
    expect(parseAll('response', 'HTTP/1.1 101 \r\n\r\n').head?.statusMessage).toBe('');
    expect(parseAll('response', 'HTTP/1.0 403 Go away now\r\n\r\n').head).toMatchObject({
      statusCode: 403,
      statusMessage: 'Go away now',
      httpVersion: '1.0',
    });
  });

  it.each([
    ['HTTP/1.1 4 Switching Protocols'], // faye's "bad status line" fixture
    ['HTTP/1.1 10 OK'],
    ['HTTP/1.1 1011 OK'],
    ['HTTP/1.1 099 OK'],
    ['HTTP/1.1  101 OK'],
    ['HTTP/11 101 OK'],
    ['HTTP/1.x 101 OK'],
    ['http/1.1 101 OK'],
    ['ICY 200 OK'],
    ['HTTP/1.1 101 Bad\x01Reason'],
    [''],
  ])('rejects the status line %j as an invalid response', (line) => {
    const error = errorOf('response', `${line}\r\n\r\n`);
    expect(error.code).toBe(ErrorCode.HandshakeInvalidResponse);
    expect(error.statusCode).toBeUndefined();
  });
});

describe('HttpHeadParser: interim responses (RFC 9110 §15.2)', () => {
  const INTERIM = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n';

  it('returns an interim head by default', () => {
    expect(parseAll('response', INTERIM + RESPONSE).head?.statusCode).toBe(100);
  });

  it('with skipInterim, returns the final head and the bytes after it, in any split', () => {
    const bytes = Buffer.from(`${INTERIM}${RESPONSE}frame`, 'latin1');
    const final = parseAll('response', RESPONSE).head;
    for (let split = 0; split <= bytes.length; split++) {
      const parser = new HttpHeadParser('response', { skipInterim: true });
      const first = parser.push(bytes.subarray(0, split));
      const head = first ?? parser.push(bytes.subarray(split));
      expect(head).toEqual(final);
      expect(parser.head).toBe(head);
      const rest = first === null ? 'frame' : 'frame'.slice(0, split - (bytes.length - 5));
      expect(parser.rest.toString('latin1')).toBe(rest);
    }
  });

  it('with skipInterim, returns a 101 and every other final status', () => {
    for (const status of [101, 200, 204, 407, 599]) {
      const head = parseAll('response', `HTTP/1.1 ${status} X\r\n\r\n`, { skipInterim: true }).head;
      expect(head?.statusCode).toBe(status);
    }
  });

  it('holds each interim head to the limits on its own', () => {
    const three = 'A: 1\r\nB: 2\r\nC: 3\r\n';
    const fine = `HTTP/1.1 100 Continue\r\n${three}\r\nHTTP/1.1 101 OK\r\n${three}\r\n`;
    expect(parseAll('response', fine, { maxHeaders: 3, skipInterim: true }).head?.statusCode).toBe(101);
    const tooMany = `HTTP/1.1 100 Continue\r\n${three}D: 4\r\n\r\nHTTP/1.1 101 OK\r\n\r\n`;
    expect(errorOf('response', tooMany, { maxHeaders: 3, skipInterim: true }).code).toBe(
      ErrorCode.HandshakeHeadTooLarge,
    );
  });

  it('has no effect on a request parser', () => {
    expect(parseAll('request', REQUEST, { skipInterim: true }).head?.method).toBe('GET');
  });
});

describe('HttpHeadParser: requests (RFC 9112 §3)', () => {
  it('parses a request line and its headers', () => {
    const { head } = parseAll('request', REQUEST);
    expect(head).toMatchObject({
      method: 'GET',
      target: '/chat?room=1',
      httpVersion: '1.1',
      headers: { host: 'www.example.com', 'sec-websocket-version': '13' },
    });
    expect(head!.statusCode).toBeUndefined();
    expect(head!.rawHeaders).toHaveLength(10);
  });

  it('hands back the eight key bytes of a hixie-76 request', () => {
    const body = Buffer.from([0x91, 0x25, 0x3e, 0xd3, 0xa9, 0xe7, 0x6a, 0x88]);
    const { rest } = parseAll('request', Buffer.concat([Buffer.from(REQUEST), body]));
    expect(rest.equals(body)).toBe(true);
  });

  it('ignores one empty line before the request line (RFC 9112 §2.2)', () => {
    expect(parseAll('request', `\r\n${REQUEST}`).head?.method).toBe('GET');
  });

  it.each([
    ['GET /  HTTP/1.1'],
    ['GET / HTTP/1.1 extra'],
    ['GET /'],
    ['GET'],
    ['G(T / HTTP/1.1'],
    ['GET /a\x7fb HTTP/1.1'],
    [' GET / HTTP/1.1'],
    ['GET / HTTP/2'],
  ])('rejects the request line %j with 400', (line) => {
    const error = errorOf('request', `${line}\r\nHost: x\r\n\r\n`);
    expect(error.code).toBe(ErrorCode.HandshakeInvalidRequest);
    expect(error.statusCode).toBe(400);
  });
});

describe('HttpHeadParser: header fields (RFC 9112 §5)', () => {
  it('accepts bare LF line ends (RFC 9112 §2.2)', () => {
    const { head } = parseAll('response', RESPONSE.replaceAll('\r\n', '\n'));
    expect(head?.headers.upgrade).toBe('websocket');
  });

  it('trims optional whitespace around values and keeps inner whitespace', () => {
    const { head } = parseAll('response', 'HTTP/1.1 200 OK\r\nX-A: \t a  b \t\r\nX-Empty:\r\n\r\n');
    expect(head?.headers['x-a']).toBe('a  b');
    expect(head?.headers['x-empty']).toBe('');
  });

  it('joins repeated fields with ", " and set-cookie values with a line feed', () => {
    const { head } = parseAll(
      'response',
      'HTTP/1.1 101 OK\r\nVia: a\r\nvia: b\r\nSet-Cookie: a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT\r\nset-cookie: b=2\r\n\r\n',
    );
    expect(head?.headers.via).toBe('a, b');
    expect(head?.headers['set-cookie']?.split('\n')).toEqual([
      'a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT',
      'b=2',
    ]);
    expect(head?.rawHeaders.filter((_, i) => i % 2 === 0)).toEqual([
      'Via',
      'via',
      'Set-Cookie',
      'set-cookie',
    ]);
  });

  it('keeps a header named __proto__ as a plain entry', () => {
    const { head } = parseAll('response', 'HTTP/1.1 200 OK\r\n__proto__: x\r\nconstructor: y\r\n\r\n');
    expect(Object.getPrototypeOf(head!.headers)).toBeNull();
    expect(Object.entries(head!.headers)).toEqual([
      ['__proto__', 'x'],
      ['constructor', 'y'],
    ]);
  });

  it('reads obs-text bytes as Latin-1', () => {
    const input = Buffer.concat([
      Buffer.from('HTTP/1.1 200 OK\r\nX-Name: caf'),
      Buffer.from([0xe9]),
      Buffer.from('\r\n\r\n'),
    ]);
    expect(parseAll('response', input).head?.headers['x-name']).toBe('café');
  });

  it.each([
    ['obsolete line folding', 'X-A: one\r\n two'],
    ['folding with a tab', 'X-A: one\r\n\ttwo'],
    ['whitespace before the colon', 'X-A : one'],
    ['no colon', 'X-A one'],
    ['an empty name', ': one'],
    ['a separator in the name', 'X(A): one'],
    ['a NUL in the value', 'X-A: o\x00ne'],
    ['a bare CR in the value', 'X-A: o\rne'],
    ['a DEL in the value', 'X-A: o\x7fne'],
  ])('rejects %s', (_name, line) => {
    const response = errorOf('response', `HTTP/1.1 101 OK\r\n${line}\r\n\r\n`);
    expect(response.code).toBe(ErrorCode.HandshakeInvalidResponse);
    const request = errorOf('request', `GET / HTTP/1.1\r\n${line}\r\n\r\n`);
    expect(request.code).toBe(ErrorCode.HandshakeInvalidRequest);
    expect(request.statusCode).toBe(400);
  });
});

describe('HttpHeadParser: a head whole in one chunk (one string for all its lines)', () => {
  it('ends at the first blank line, a bare-LF one before a CRLF CRLF in the bytes after it', () => {
    const { head, rest } = parseAll('request', 'GET / HTTP/1.1\nHost: a\n\nframe\r\n\r\nmore');
    expect(head?.headers.host).toBe('a');
    expect(rest.toString('latin1')).toBe('frame\r\n\r\nmore');
  });

  it('finishes a head whose lines came earlier when the next chunk starts with the blank line', () => {
    const parser = new HttpHeadParser('request');
    expect(parser.push(Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n', 'latin1'))).toBeNull();
    const head = parser.push(Buffer.from('\r\nX\r\n\r\n', 'latin1'));
    expect(head?.rawHeaders).toEqual(['Host', 'a']);
    expect(parser.rest.toString('latin1')).toBe('X\r\n\r\n');
  });

  it('keeps each name as sent, in any spelling of a common field, under its lower-case key', () => {
    const { head } = parseAll(
      'request',
      'GET / HTTP/1.1\r\nHOST: a\r\nupgrade: websocket\r\nSec-WebSocket-Key: k\r\nHostx: b\r\n\r\n',
    );
    expect(head?.rawHeaders).toEqual([
      'HOST',
      'a',
      'upgrade',
      'websocket',
      'Sec-WebSocket-Key',
      'k',
      'Hostx',
      'b',
    ]);
    expect(head?.headers).toEqual({ host: 'a', upgrade: 'websocket', 'sec-websocket-key': 'k', hostx: 'b' });
  });

  it('applies the line limit to each line of a whole head', () => {
    const error = errorOf('request', `GET /${'a'.repeat(100)} HTTP/1.1\r\nHost: a\r\n\r\n`, {
      maxLineLength: 50,
    });
    expect(error.statusCode).toBe(431);
  });

  it('rejects a field without a colon even when a later line has one', () => {
    expect(errorOf('request', 'GET / HTTP/1.1\r\nNoColon\r\nHost: a\r\n\r\n').statusCode).toBe(400);
  });
});

describe('HttpHeadParser: limits', () => {
  it('accepts a line of exactly maxLineLength bytes and rejects one byte more', () => {
    const line = (n: number) => `X-A: ${'a'.repeat(n - 5)}`;
    expect(parseAll('response', `HTTP/1.1 200 OK\r\n${line(8192)}\r\n\r\n`).head).not.toBeNull();
    const error = errorOf('response', `HTTP/1.1 200 OK\r\n${line(8193)}\r\n\r\n`);
    expect(error.code).toBe(ErrorCode.HandshakeHeadTooLarge);
    expect(error.message).toBe('HTTP header line longer than 8192 bytes');
  });

  it('answers 431 for a request whose line is too long', () => {
    const error = errorOf('request', `GET /${'a'.repeat(9000)} HTTP/1.1\r\n\r\n`);
    expect(error.code).toBe(ErrorCode.HandshakeHeadTooLarge);
    expect(error.statusCode).toBe(431);
    expect(error.message).toBe('HTTP start line longer than 8192 bytes');
  });

  it('stops an endless line before its end arrives, holding at most one line', () => {
    const parser = new HttpHeadParser('response', { maxLineLength: 100 });
    parser.push(Buffer.from('HTTP/1.1 200 OK\r\nX-A: '));
    expect(parser.push(Buffer.alloc(50, 0x61))).toBeNull();
    expect(() => parser.push(Buffer.alloc(50, 0x61))).toThrow(/longer than 100 bytes/);
  });

  it('counts a CR split from its LF as part of the line break, not the line', () => {
    const parser = new HttpHeadParser('response', { maxLineLength: 15 });
    expect(parser.push(Buffer.from('HTTP/1.1 200 OK\r'))).toBeNull();
    expect(parser.push(Buffer.from('\n\r\n'))?.statusCode).toBe(200);
  });

  it('accepts maxHeaders fields and rejects one more', () => {
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `X-${i}: v\r\n`).join('');
    expect(parseAll('request', `GET / HTTP/1.1\r\n${fields(128)}\r\n`).head?.rawHeaders).toHaveLength(256);
    const error = errorOf('request', `GET / HTTP/1.1\r\n${fields(129)}\r\n`);
    expect(error.code).toBe(ErrorCode.HandshakeHeadTooLarge);
    expect(error.statusCode).toBe(431);
    expect(error.message).toBe('More than 128 HTTP header fields');
    expect(
      errorOf('response', `HTTP/1.1 101 OK\r\n${fields(3)}\r\n`, { maxHeaders: 2 }).statusCode,
    ).toBeUndefined();
  });

  it('rejects a 1 MiB header line arriving in 64 KiB chunks', () => {
    const huge = Buffer.from(`HTTP/1.1 200 OK\r\nX-A: ${'a'.repeat(1 << 20)}\r\n\r\n`);
    const started = performance.now();
    const parser = new HttpHeadParser('response');
    let error: unknown;
    try {
      for (let i = 0; i < huge.length; i += 65536) parser.push(huge.subarray(i, i + 65536));
    } catch (caught) {
      error = caught;
    }
    expect((error as HandshakeError).code).toBe(ErrorCode.HandshakeHeadTooLarge);
    console.log(`1 MiB header line rejected in ${(performance.now() - started).toFixed(1)} ms`);
  });

  it('parses a head of many short lines in one linear pass', () => {
    const parser = new HttpHeadParser('response', { maxHeaders: 20_000 });
    const fields = 'X: y\r\n'.repeat(20_000);
    const started = performance.now();
    const head = parser.push(Buffer.from(`HTTP/1.1 200 OK\r\n${fields}\r\n`));
    expect(head?.headers.x?.length).toBe(20_000 * 3 - 2);
    console.log(`20k header fields parsed in ${(performance.now() - started).toFixed(1)} ms`);
  });
});

describe('HttpHeadParser: life cycle', () => {
  it('throws the same error on every push after a failure', () => {
    const parser = new HttpHeadParser('response');
    let first: unknown;
    try {
      parser.push(Buffer.from('NOPE\r\n'));
    } catch (error) {
      first = error;
    }
    expect(first).toBeInstanceOf(HandshakeError);
    expect(() => parser.push(Buffer.from('HTTP/1.1 101 OK\r\n\r\n'))).toThrow(first as Error);
  });

  it('refuses input after the head is complete', () => {
    const { parser } = parseAll('response', RESPONSE);
    expect(() => parser.push(Buffer.from('more'))).toThrow('The HTTP head is already complete');
  });

  it('validates its options', () => {
    expect(() => new HttpHeadParser('response', { maxLines: 3 } as HttpHeadParserOptions)).toThrow(
      'Unrecognized option: maxLines',
    );
    expect(() => new HttpHeadParser('reply' as 'response')).toThrow(TypeError);
  });
});

describe('HttpHeadParser: any split of the input gives the same result', () => {
  function splitInput(input: Buffer, cuts: number[]): Buffer[] {
    const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
    const chunks: Buffer[] = [];
    let last = 0;
    for (const point of points) {
      chunks.push(input.subarray(last, point));
      last = point;
    }
    chunks.push(input.subarray(last));
    return chunks;
  }

  function outcome(
    kind: 'request' | 'response',
    chunks: Buffer[],
  ): { head: HttpHead | null; rest: string } | string {
    const parser = new HttpHeadParser(kind, { maxLineLength: 64, maxHeaders: 6 });
    let head: HttpHead | null = null;
    const rest: Buffer[] = [];
    try {
      for (const chunk of chunks) {
        if (head !== null) rest.push(chunk);
        else head = parser.push(chunk);
        if (head !== null && rest.length === 0) rest.push(parser.rest);
      }
    } catch (error) {
      return (error as HandshakeError).code;
    }
    return { head, rest: Buffer.concat(rest).toString('latin1') };
  }

  const lineArb = fc.oneof(
    fc.constantFrom(
      'Upgrade: websocket',
      'Connection: keep-alive, Upgrade',
      'X-Empty:',
      'X:  spaced  ',
      ' folded',
    ),
    fc.string({ unit: fc.constantFrom('a', ':', ' ', '\t', '\r', '-', '\x00', 'é'), maxLength: 80 }),
  );
  const headArb = fc.record({
    kind: fc.constantFrom<'request' | 'response'>('request', 'response'),
    start: fc.constantFrom('GET / HTTP/1.1', 'HTTP/1.1 101 Switching Protocols', 'HTTP/1.1 4 Oops', ''),
    lines: fc.array(lineArb, { maxLength: 8 }),
    eol: fc.constantFrom('\r\n', '\n'),
    tail: fc.constantFrom('', '\r\n', '\x81\x02Hi', '\n\n'),
  });

  it('for generated heads, valid and invalid alike', () => {
    fc.assert(
      fc.property(
        headArb,
        fc.array(fc.nat(), { maxLength: 12 }),
        ({ kind, start, lines, eol, tail }, cuts) => {
          const input = Buffer.from(
            `${start}${eol}${lines.map((l) => l + eol).join('')}${eol}${tail}`,
            'latin1',
          );
          const whole = outcome(kind, [input]);
          expect(outcome(kind, splitInput(input, cuts))).toEqual(whole);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('byte by byte for the fixture response with a trailing frame', () => {
    const input = Buffer.concat([Buffer.from(RESPONSE), Buffer.from([0x81, 0x00])]);
    const bytes = [...input].map((b) => Buffer.from([b]));
    expect(outcome('response', bytes)).toEqual(outcome('response', [input]));
  });
});
