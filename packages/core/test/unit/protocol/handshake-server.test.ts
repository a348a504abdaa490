import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ErrorCode, HandshakeError } from '../../../src/errors.js';
import { nodeDigest } from '../../../src/node/digest.js';
import type { Extension } from '../../../src/protocol/extension.js';
import {
  acceptHandshake,
  draftKeyNumber,
  httpErrorResponse,
  isWebSocketRequest,
  type ServerHandshake,
  type ServerHandshakeAccepted,
  type ServerHandshakeOptions,
  type ServerHandshakeRejected,
  type ServerHandshakeRequest,
} from '../../../src/protocol/handshake-server.js';
import type { HeaderBag } from '../../../src/protocol/header-tokens.js';

const deflate = createRequire(import.meta.url)('permessage-deflate') as Extension;

// websocket-driver's hybi_spec request.
const KEY = 'JFBCWHksyIpXV+6Wlq/9pw==';
const ACCEPT = 'JdiiuafpBKRqD7eol0y4vJDTsTs=';

function hybiRequest(
  headers: Record<string, string | string[] | undefined> = {},
  method = 'GET',
): ServerHandshakeRequest {
  return {
    method,
    url: '/socket',
    headers: {
      host: 'www.example.com',
      connection: 'Upgrade',
      upgrade: 'websocket',
      origin: 'http://www.example.com',
      'sec-websocket-key': KEY,
      'sec-websocket-version': '13',
      ...headers,
    },
  };
}

function accept(
  request: ServerHandshakeRequest,
  options: ServerHandshakeOptions = {},
): ServerHandshakeAccepted {
  const result = acceptHandshake(request, options, nodeDigest);
  if (!result.ok) throw new Error(`expected acceptance, got ${result.error.message}`);
  return result;
}

function refuse(
  request: ServerHandshakeRequest,
  options: ServerHandshakeOptions = {},
): ServerHandshakeRejected {
  const result: ServerHandshake = acceptHandshake(request, options, nodeDigest);
  if (result.ok) throw new Error('expected a refusal');
  expect(result.error).toBeInstanceOf(HandshakeError);
  return result;
}

function errorResponse(status: string, message: string, extra = ''): string {
  return (
    `HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\n` +
    `Connection: close\r\n${extra}\r\n${message}`
  );
}

describe('isWebSocketRequest (RFC 6455 §4.2.1)', () => {
  it.each<[string, string | undefined, HeaderBag, boolean]>([
    ['a plain upgrade', 'GET', { connection: 'Upgrade', upgrade: 'websocket' }, true],
    ['mixed case and a token list', 'GET', { connection: 'keep-alive, UPGRADE', upgrade: 'WebSocket' }, true],
    ['an Upgrade list', 'GET', { connection: 'upgrade', upgrade: 'h2c, websocket' }, true],
    ['array values', 'GET', { connection: ['keep-alive', 'Upgrade'], upgrade: ['websocket'] }, true],
    ['POST', 'POST', { connection: 'Upgrade', upgrade: 'websocket' }, false],
    ['no method', undefined, { connection: 'Upgrade', upgrade: 'websocket' }, false],
    ['no Connection', 'GET', { upgrade: 'websocket' }, false],
    ['Connection without upgrade', 'GET', { connection: 'keep-alive', upgrade: 'websocket' }, false],
    ['a near miss in Connection', 'GET', { connection: 'upgrade2', upgrade: 'websocket' }, false],
    ['no Upgrade', 'GET', { connection: 'Upgrade' }, false],
    ['another Upgrade', 'GET', { connection: 'Upgrade', upgrade: 'h2c' }, false],
    ['an empty array', 'GET', { connection: [], upgrade: 'websocket' }, false],
  ])('%s → %s', (_name, method, headers, expected) => {
    expect(isWebSocketRequest({ method, headers })).toBe(expected);
  });
});

describe('acceptHandshake: RFC 6455 §4.2.2 response', () => {
  it('writes the exact 101 response of websocket-driver (hybi_spec)', () => {
    const result = accept(hybiRequest());
    expect(result.response.toString()).toBe(
      'HTTP/1.1 101 Switching Protocols\r\n' +
        'Upgrade: websocket\r\n' +
        'Connection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${ACCEPT}\r\n` +
        '\r\n',
    );
    expect(result).toMatchObject({
      version: 'hybi-13',
      protocol: '',
      extensions: null,
      extensionResponse: '',
      awaitingBody: false,
      challenge: null,
    });
  });

  it('selects the first of the client protocols the server supports (client order, as faye)', () => {
    const result = accept(hybiRequest({ 'sec-websocket-protocol': 'foo, bar, xmpp' }), {
      protocols: ['xmpp', 'bar'],
    });
    expect(result.protocol).toBe('bar');
    expect(result.response.toString()).toContain('\r\nSec-WebSocket-Protocol: bar\r\n\r\n');
    expect(
      accept(hybiRequest({ 'sec-websocket-protocol': 'foo, bar, xmpp' }), { protocols: ['xmpp'] }).protocol,
    ).toBe('xmpp');
  });

  it('opens with no protocol when none is in common, or none is offered or supported', () => {
    for (const [header, protocols] of [
      ['foo, bar', ['irc']],
      [undefined, ['irc']],
      ['foo', null],
      ['foo', []],
      ['foo,,  ,bar', ['baz']],
    ] as const) {
      const result = accept(hybiRequest({ 'sec-websocket-protocol': header }), { protocols });
      expect(result.protocol).toBe('');
      expect(result.response.toString()).not.toContain('Sec-WebSocket-Protocol');
    }
  });

  it('reads repeated protocol headers (an array) as one list, and compares case-sensitively', () => {
    expect(
      accept(hybiRequest({ 'sec-websocket-protocol': ['a', 'Chat, chat'] }), { protocols: ['chat'] })
        .protocol,
    ).toBe('chat');
  });

  it('never selects a supported protocol that is not a token', () => {
    expect(
      accept(hybiRequest({ 'sec-websocket-protocol': 'a b, c' }), { protocols: ['a b', 'c'] }).protocol,
    ).toBe('c');
  });

  it('puts custom headers first (as faye) and never lets them replace its own', () => {
    const result = accept(hybiRequest(), {
      headers: {
        Authorization: 'Bearer WAT',
        'Set-Cookie': ['a=1', 'b=2'],
        Upgrade: 'h2c',
        'sec-websocket-accept': 'forged',
        'X-Number': 42,
        'X-List': ['one', 'two'],
        'x-number': 43,
      },
    });
    expect(result.response.toString()).toBe(
      'HTTP/1.1 101 Switching Protocols\r\n' +
        'Authorization: Bearer WAT\r\n' +
        'Set-Cookie: a=1\r\n' +
        'Set-Cookie: b=2\r\n' +
        'X-Number: 42\r\n' +
        'X-List: one, two\r\n' +
        'Upgrade: websocket\r\n' +
        'Connection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${ACCEPT}\r\n` +
        '\r\n',
    );
  });

  it('leaves out a custom header whose value is undefined or null, as faye leaves undefined out', () => {
    const result = accept(hybiRequest(), {
      headers: { Cookie: undefined, 'X-Null': null, 'Set-Cookie': [], 'x-null': 'second', 'X-Ok': 'yes' },
    });
    expect(result.response.toString()).toBe(
      'HTTP/1.1 101 Switching Protocols\r\n' +
        'x-null: second\r\n' +
        'X-Ok: yes\r\n' +
        'Upgrade: websocket\r\n' +
        'Connection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${ACCEPT}\r\n` +
        '\r\n',
    );
  });

  it.each([
    [{ 'X-Obj': { a: 1 } }, /X-Obj/],
    [{ 'X-List': ['ok', null] }, /X-List/],
    [{ 'X-Sym': Symbol('s') }, /X-Sym/],
  ])('refuses custom header values it cannot write, %s, with a TypeError', (headers, message) => {
    const options = { headers } as unknown as ServerHandshakeOptions;
    expect(() => acceptHandshake(hybiRequest(), options, nodeDigest)).toThrow(message);
    expect(() => acceptHandshake(hybiRequest(), options, nodeDigest)).toThrow(TypeError);
  });

  it.each([
    [{ 'X-Evil': 'a\r\nSet-Cookie: x=1' }, /X-Evil/],
    [{ 'X-Evil': ['ok', 'a\nb'] }, /X-Evil/],
    [{ 'X-Evil': 'nul\0' }, /X-Evil/],
    [{ 'Bad Name': 'x' }, /Invalid header name/],
    [{ '': 'x' }, /Invalid header name/],
  ])('refuses unsafe custom headers %j with a TypeError', (headers, message) => {
    expect(() => acceptHandshake(hybiRequest(), { headers }, nodeDigest)).toThrow(message);
    expect(() => acceptHandshake(hybiRequest(), { headers }, nodeDigest)).toThrow(TypeError);
  });

  it('throws on unknown options, as faye does', () => {
    expect(() =>
      acceptHandshake(hybiRequest(), { protocol: ['x'] } as ServerHandshakeOptions, nodeDigest),
    ).toThrow('Unrecognized option: protocol');
  });
});

describe('acceptHandshake: request shape', () => {
  it('takes a Node IncomingMessage as it is (checked by the type checker)', () => {
    expectTypeOf<IncomingMessage>().toExtend<ServerHandshakeRequest>();
    expectTypeOf<IncomingMessage>().toExtend<Parameters<typeof isWebSocketRequest>[0]>();
  });
});

describe('acceptHandshake: refusals', () => {
  it('answers 426 with Sec-WebSocket-Version: 13 to another version (RFC 6455 §4.4)', () => {
    const result = refuse(hybiRequest({ 'sec-websocket-version': '8' }));
    expect(result.response.toString()).toBe(
      errorResponse(
        '426 Upgrade Required',
        'Unsupported WebSocket version: 8',
        'Sec-WebSocket-Version: 13\r\n',
      ),
    );
    expect(result.error.code).toBe(ErrorCode.HandshakeUnsupportedVersion);
    expect(result.error.statusCode).toBe(426);
  });

  it.each([['13, 13'], ['13.0'], [''], ['7']])('answers 426 to the version %j', (version) => {
    expect(refuse(hybiRequest({ 'sec-websocket-version': version })).error.statusCode).toBe(426);
  });

  it('answers 426 to a request without a version (a draft client when drafts are off)', () => {
    const result = refuse(hybiRequest({ 'sec-websocket-version': undefined }));
    expect(result.response.toString()).toBe(
      errorResponse(
        '426 Upgrade Required',
        'Missing handshake request header: Sec-WebSocket-Version',
        'Sec-WebSocket-Version: 13\r\n',
      ),
    );
  });

  it.each<[string, Record<string, string | string[] | undefined>, string]>([
    [
      'a missing key',
      { 'sec-websocket-key': undefined },
      'Missing handshake request header: Sec-WebSocket-Key',
    ],
    [
      'an empty key array (dropped by Node)',
      { 'sec-websocket-key': [] },
      'Missing handshake request header: Sec-WebSocket-Key',
    ],
    [
      'a key sent twice (joined by Node)',
      { 'sec-websocket-key': `${KEY}, ${KEY}` },
      'Duplicate handshake request header: Sec-WebSocket-Key',
    ],
    [
      'a key array of two',
      { 'sec-websocket-key': [KEY, KEY] },
      'Duplicate handshake request header: Sec-WebSocket-Key',
    ],
    [
      'a key of 15 bytes',
      { 'sec-websocket-key': 'AAAAAAAAAAAAAAAAAAAA' },
      'Invalid Sec-WebSocket-Key header: AAAAAAAAAAAAAAAAAAAA',
    ],
    [
      'a key of 17 bytes',
      { 'sec-websocket-key': 'AAAAAAAAAAAAAAAAAAAAAAA=' },
      'Invalid Sec-WebSocket-Key header: AAAAAAAAAAAAAAAAAAAAAAA=',
    ],
    [
      'a key with a bad character',
      { 'sec-websocket-key': 'JFBCWHksyIpXV+6Wlq/9p!==' },
      'Invalid Sec-WebSocket-Key header: JFBCWHksyIpXV+6Wlq/9p!==',
    ],
    [
      'a key without padding',
      { 'sec-websocket-key': 'JFBCWHksyIpXV+6Wlq/9pwAA' },
      'Invalid Sec-WebSocket-Key header: JFBCWHksyIpXV+6Wlq/9pwAA',
    ],
  ])('answers 400 to %s', (_name, headers, message) => {
    const result = refuse(hybiRequest(headers));
    expect(result.response.toString()).toBe(errorResponse('400 Bad Request', message));
    expect(result.error.code).toBe(ErrorCode.HandshakeInvalidKey);
    expect(result.error.statusCode).toBe(400);
  });

  it('takes one Host line among other rawHeaders, in any case', () => {
    const request = {
      ...hybiRequest(),
      rawHeaders: ['Upgrade', 'websocket', 'hOsT', 'www.example.com', 'X', 'host'],
    };
    expect(accept(request).response.toString()).toContain(ACCEPT);
  });

  it('accepts HTTP/1.1 and later, and a request that does not say its version', () => {
    for (const httpVersion of ['1.1', '1.2', '2.0', undefined]) {
      expect(accept({ ...hybiRequest(), httpVersion }).response.toString()).toContain(ACCEPT);
    }
  });

  it('accepts a one-element key array', () => {
    expect(accept(hybiRequest({ 'sec-websocket-key': [KEY] })).response.toString()).toContain(ACCEPT);
  });

  it.each<[string, ServerHandshakeRequest, string]>([
    ['POST (ws answers 405; sockeye keeps 400)', hybiRequest({}, 'POST'), 'Invalid HTTP method: POST'],
    ['a missing method', { ...hybiRequest(), method: undefined }, 'Invalid HTTP method: undefined'],
    [
      'HTTP/1.0 (RFC 6455 §4.2.1: "An HTTP/1.1 or higher GET request"; ws and faye take it)',
      { ...hybiRequest(), httpVersion: '1.0' },
      'HTTP/1.0 cannot upgrade: a WebSocket handshake needs HTTP/1.1 or later',
    ],
    [
      'no Host (RFC 6455 §4.2.1 item 2, RFC 9112 §3.2)',
      hybiRequest({ host: undefined }),
      'Missing handshake request header: Host',
    ],
    ['an empty Host', hybiRequest({ host: '' }), 'Missing handshake request header: Host'],
    ['a Host array of two', hybiRequest({ host: ['a', 'b'] }), 'Duplicate handshake request header: Host'],
    [
      'two Host lines in rawHeaders (Node keeps the first in headers)',
      { ...hybiRequest(), rawHeaders: ['Host', 'www.example.com', 'HOST', 'evil.example'] },
      'Duplicate handshake request header: Host',
    ],
    [
      'rawHeaders without Host',
      { ...hybiRequest(), rawHeaders: ['Upgrade', 'websocket'] },
      'Missing handshake request header: Host',
    ],
    [
      'a missing Upgrade (dropped past maxHeadersCount)',
      hybiRequest({ upgrade: undefined }),
      'Missing handshake request header: Upgrade',
    ],
    ['another Upgrade', hybiRequest({ upgrade: 'h2c' }), "'Upgrade' header value must contain 'websocket'"],
    [
      'a missing Connection',
      hybiRequest({ connection: undefined }),
      'Missing handshake request header: Connection',
    ],
    [
      'Connection: close',
      hybiRequest({ connection: 'close' }),
      "'Connection' header value must contain 'Upgrade'",
    ],
  ])('answers 400 to %s', (_name, request, message) => {
    const result = refuse(request);
    expect(result.response.toString()).toBe(errorResponse('400 Bad Request', message));
    expect(result.error.code).toBe(ErrorCode.HandshakeInvalidRequest);
  });

  it('answers the invalid extension header of hybi_spec with 400 (Content-Length 57)', () => {
    const result = refuse(hybiRequest({ 'sec-websocket-extensions': 'x-webkit- -frame' }));
    expect(result.response.toString()).toBe(
      'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 57\r\nConnection: close\r\n\r\n' +
        'Invalid Sec-WebSocket-Extensions header: x-webkit- -frame',
    );
    // Checked whether or not the server has extensions, as faye does.
    expect(
      refuse(hybiRequest({ 'sec-websocket-extensions': 'a;' }), { extensions: [deflate] }).error.statusCode,
    ).toBe(400);
  });

  it('answers 400 when a plugin throws on the offer', () => {
    const broken: Extension = {
      ...deflate,
      name: 'broken',
      createServerSession() {
        throw new Error('boom');
      },
    };
    const result = refuse(hybiRequest({ 'sec-websocket-extensions': 'broken' }), { extensions: [broken] });
    expect(result.response.toString()).toBe(errorResponse('400 Bad Request', 'Extension negotiation failed'));
  });

  it('cuts long peer values echoed in the message', () => {
    const result = refuse(hybiRequest({ 'sec-websocket-version': '9'.repeat(10_000) }));
    expect(result.error.message).toBe(`Unsupported WebSocket version: ${'9'.repeat(256)}…`);
  });

  it('httpErrorResponse counts the body in UTF-8 bytes', () => {
    expect(httpErrorResponse(403, 'Origin ✗').toString()).toBe(errorResponse('403 Forbidden', 'Origin ✗'));
    expect(httpErrorResponse(499, 'x').toString()).toBe(errorResponse('499 Error', 'x'));
  });
});

describe('acceptHandshake: permessage-deflate (RFC 7692)', () => {
  it('answers an offer and returns the pipeline', () => {
    const result = accept(
      hybiRequest({
        'sec-websocket-extensions': 'permessage-deflate; client_max_window_bits; server_no_context_takeover',
      }),
      { extensions: [deflate], maxLength: 1 << 20 },
    );
    expect(result.response.toString()).toBe(
      'HTTP/1.1 101 Switching Protocols\r\n' +
        'Upgrade: websocket\r\n' +
        'Connection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${ACCEPT}\r\n` +
        'Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n' +
        '\r\n',
    );
    expect(result.extensionResponse).toBe('permessage-deflate; server_no_context_takeover');
    expect(result.extensions).not.toBeNull();
    result.extensions!.close();
  });

  it('returns no pipeline without an offer', () => {
    expect(accept(hybiRequest(), { extensions: [deflate] }).extensions).toBeNull();
  });
});

describe('acceptHandshake: hostile headers cost linear time', () => {
  const M = 1 << 20;
  it.each([
    ['Sec-WebSocket-Protocol', { 'sec-websocket-protocol': `${'a,'.repeat(M / 2)}b` }, ''],
    ['Sec-WebSocket-Protocol of spaces', { 'sec-websocket-protocol': `a${' '.repeat(M)}, x` }, 'x'],
    ['Sec-WebSocket-Extensions (valid)', { 'sec-websocket-extensions': `${'x; y, '.repeat(M / 6)}z` }, ''],
    [
      'Sec-WebSocket-Extensions (invalid)',
      { 'sec-websocket-extensions': `a; b="${'\\c'.repeat(M / 2)}` },
      400,
    ],
    ['Connection', { connection: `${'a, '.repeat(M / 3)}upgrade` }, ''],
    ['Sec-WebSocket-Key', { 'sec-websocket-key': 'A'.repeat(M) }, 400],
  ])('a 1 MiB %s', (name, headers, expected) => {
    const started = performance.now();
    const result = acceptHandshake(
      hybiRequest(headers),
      { protocols: ['x'], extensions: [deflate] },
      nodeDigest,
    );
    expect(result.ok ? result.protocol : result.error.statusCode).toBe(expected);
    console.log(`1 MiB ${name}: ${(performance.now() - started).toFixed(1)} ms`);
  });
});

describe('acceptHandshake: drafts behind allowDrafts', () => {
  // websocket-driver's draft76_spec request and its expected answer.
  const draft76: ServerHandshakeRequest = {
    method: 'GET',
    url: '/socket',
    headers: {
      connection: 'Upgrade',
      upgrade: 'WebSocket',
      origin: 'http://www.example.com',
      host: 'www.example.com',
      'sec-websocket-key1': '1   38 wZ3f9 23O0 3l 0r',
      'sec-websocket-key2': '27   0E 6 2  1665:< ;U 1H',
    },
  };
  const draft75: ServerHandshakeRequest = {
    method: 'GET',
    url: '/socket',
    headers: {
      connection: 'Upgrade',
      upgrade: 'WebSocket',
      origin: 'http://www.example.com',
      host: 'www.example.com',
    },
  };

  it('treats every request as RFC 6455 when drafts are off (the default)', () => {
    expect(refuse(draft76).error.statusCode).toBe(426);
    expect(refuse(draft75, { allowDrafts: false }).error.statusCode).toBe(426);
  });

  it('writes the exact hixie-76 101 head and awaits the key bytes', () => {
    const result = accept(draft76, { allowDrafts: true });
    expect(result.response.toString()).toBe(
      'HTTP/1.1 101 WebSocket Protocol Handshake\r\n' +
        'Upgrade: WebSocket\r\n' +
        'Connection: Upgrade\r\n' +
        'Sec-WebSocket-Origin: http://www.example.com\r\n' +
        'Sec-WebSocket-Location: ws://www.example.com/socket\r\n' +
        '\r\n',
    );
    expect(result).toMatchObject({
      version: 'hixie-76',
      protocol: '',
      extensions: null,
      awaitingBody: true,
      challenge: { key1: 197703290, key2: 300690739 },
    });
  });

  it('writes the exact hixie-75 101 head, custom headers after its own', () => {
    const result = accept(draft75, {
      allowDrafts: true,
      secure: true,
      headers: { 'X-A': 'b', Upgrade: 'no' },
    });
    expect(result.response.toString()).toBe(
      'HTTP/1.1 101 Web Socket Protocol Handshake\r\n' +
        'Upgrade: WebSocket\r\n' +
        'Connection: Upgrade\r\n' +
        'WebSocket-Origin: http://www.example.com\r\n' +
        'WebSocket-Location: wss://www.example.com/socket\r\n' +
        'X-A: b\r\n' +
        '\r\n',
    );
    expect(result).toMatchObject({ version: 'hixie-75', awaitingBody: false, challenge: null });
  });

  it('takes the Location from the url option and leaves out a missing Origin', () => {
    const request = { ...draft75, headers: { ...draft75.headers, origin: undefined } };
    const result = accept(request, { allowDrafts: true, url: 'ws://example.org/x' });
    expect(result.response.toString()).toBe(
      'HTTP/1.1 101 Web Socket Protocol Handshake\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n' +
        'WebSocket-Location: ws://example.org/x\r\n\r\n',
    );
    expect(() => acceptHandshake(request, { allowDrafts: true, url: 'ws://x/\r\nA: b' }, nodeDigest)).toThrow(
      TypeError,
    );
  });

  it('refuses an Origin or Host that would break the head', () => {
    const request = { ...draft75, headers: { ...draft75.headers, host: 'a\r\nb' } };
    expect(refuse(request, { allowDrafts: true }).error.statusCode).toBe(400);
  });

  it('still reads a request carrying an RFC header as RFC 6455', () => {
    const request = { ...draft76, headers: { ...draft76.headers, 'sec-websocket-key': KEY } };
    expect(refuse(request, { allowDrafts: true }).error.message).toBe(
      'Missing handshake request header: Sec-WebSocket-Version',
    );
  });

  it('answers the invalid key of draft76_spec with the exact 400', () => {
    const request = {
      ...draft76,
      headers: { ...draft76.headers, 'sec-websocket-key1': '2 L785 8o% s9Sy9@V. 4<1P5' },
    };
    const result = refuse(request, { allowDrafts: true });
    expect(result.response.toString()).toBe(
      errorResponse('400 Bad Request', 'Client sent invalid Sec-WebSocket-Key headers'),
    );
    expect(result.response.toString()).toContain('Content-Length: 45\r\n');
  });

  it.each([
    ['sec-websocket-key1', 'Missing required header: Sec-WebSocket-Key1'],
    ['sec-websocket-key2', 'Missing required header: Sec-WebSocket-Key2'],
  ])('answers 400 to a missing %s', (header, message) => {
    const request = { ...draft76, headers: { ...draft76.headers, [header]: undefined } };
    const result = refuse(request, { allowDrafts: true });
    expect(result.error.message).toBe(message);
    expect(result.error.statusCode).toBe(400);
    expect(result.response.toString()).toBe(errorResponse('400 Bad Request', message));
  });

  it('refuses a draft request that is not an upgrade', () => {
    expect(refuse({ ...draft75, method: 'HEAD' }, { allowDrafts: true }).error.statusCode).toBe(400);
  });
});

describe('draftKeyNumber (hixie-76 §5.2)', () => {
  it.each([
    ['1   38 wZ3f9 23O0 3l 0r', 197703290],
    ['27   0E 6 2  1665:< ;U 1H', 300690739],
    ['4 @1  46546xW%0l 1 5', 829309203],
    [' 4294967295', 4294967295],
  ])('reads %j as %d', (key, expected) => {
    expect(draftKeyNumber(key)).toBe(expected);
  });

  it.each([
    ['no digits', 'a b c'],
    ['a zero number', '0 0 0'],
    ['no spaces', '12345'],
    ['a remainder', '1 2 3'],
    ['a quotient past 32 bits', ' 4294967296'],
    ['a number past 2^53', ` ${'9'.repeat(30)}`],
  ])('refuses %s', (_name, key) => {
    expect(draftKeyNumber(key)).toBe(-1);
  });
});
