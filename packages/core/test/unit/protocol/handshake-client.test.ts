import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ErrorCode, HandshakeError } from '../../../src/errors.js';
import { nodeDigest } from '../../../src/node/digest.js';
import type { Extension, ExtensionMessage } from '../../../src/protocol/extension.js';
import {
  type ClientHandshakeOptions,
  createClientHandshake,
} from '../../../src/protocol/handshake-client.js';
import { acceptHandshake } from '../../../src/protocol/handshake-server.js';
import { HttpHeadParser } from '../../../src/protocol/http-head.js';
import { parseWebSocketUrl } from '../../../src/protocol/websocket-url.js';

const deflate = createRequire(import.meta.url)('permessage-deflate') as Extension;

// websocket-driver's client_spec fixtures.
const KEY = '2vBVWg4Qyk3ZoM/5d3QD9Q==';
const ACCEPT = 'QV3I5XUXU2CdhtjixE7QCkCcMZM=';
const RESPONSE =
  'HTTP/1.1 101 Switching Protocols\r\n' +
  'Upgrade: websocket\r\n' +
  'Connection: Upgrade\r\n' +
  `Sec-WebSocket-Accept: ${ACCEPT}\r\n` +
  '\r\n';

function handshake(url = 'ws://www.example.com/socket', options: ClientHandshakeOptions = {}) {
  return createClientHandshake(parseWebSocketUrl(url), options, Buffer.from(KEY, 'base64'), nodeDigest);
}

function head(response: string) {
  return new HttpHeadParser('response').push(Buffer.from(response))!;
}

function failure(run: () => unknown): HandshakeError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HandshakeError);
    return error as HandshakeError;
  }
  throw new Error('expected a HandshakeError');
}

describe('createClientHandshake: the request (RFC 6455 §4.1)', () => {
  it('writes the exact request of websocket-driver (client_spec)', () => {
    const client = handshake();
    expect(client.key).toBe(KEY);
    expect(client.request.toString()).toBe(
      'GET /socket HTTP/1.1\r\n' +
        'Host: www.example.com\r\n' +
        'Upgrade: websocket\r\n' +
        'Connection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${KEY}\r\n` +
        'Sec-WebSocket-Version: 13\r\n' +
        '\r\n',
    );
  });

  it('adds Sec-WebSocket-Protocol', () => {
    expect(handshake(undefined, { protocols: ['foo', 'bar', 'xmpp'] }).request.toString()).toContain(
      'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: foo, bar, xmpp\r\n\r\n',
    );
  });

  it('turns URL userinfo into Basic credentials, percent-decoded', () => {
    expect(handshake('ws://user:pass@www.example.com/socket').request.toString()).toContain(
      'Sec-WebSocket-Version: 13\r\nAuthorization: Basic dXNlcjpwYXNz\r\n\r\n',
    );
    const encoded = handshake('ws://us%40er:p%C3%A4ss%3A@www.example.com/').request.toString();
    expect(encoded).toContain(`Authorization: Basic ${Buffer.from('us@er:päss:').toString('base64')}\r\n`);
    expect(handshake('ws://user@h/').request.toString()).toContain(
      `Authorization: Basic ${Buffer.from('user:').toString('base64')}\r\n`,
    );
    expect(handshake('ws://us%zzer@h/').request.toString()).toContain(
      `Authorization: Basic ${Buffer.from('us%zzer:').toString('base64')}\r\n`,
    );
  });

  it('appends custom headers last (client_spec) and an Origin before them', () => {
    const request = handshake(undefined, { headers: { 'User-Agent': 'Chrome' }, origin: 'http://a.example' });
    expect(request.request.toString()).toContain(
      'Sec-WebSocket-Version: 13\r\nOrigin: http://a.example\r\nUser-Agent: Chrome\r\n\r\n',
    );
  });

  it('keeps the first of case-insensitively repeated headers and never lets them replace its own', () => {
    const request = handshake('ws://user:pass@www.example.com/socket', {
      protocols: ['chat'],
      origin: 'http://mine',
      headers: {
        'X-A': ' one ',
        'x-a': 'two',
        host: 'evil',
        Upgrade: 'h2c',
        'Sec-WebSocket-Key': 'forged',
        'sec-websocket-version': '8',
        'Sec-WebSocket-Protocol': 'other',
        'Sec-WebSocket-Extensions': 'x',
        Authorization: 'Bearer x',
        Origin: 'http://other',
        Cookie: 'a=1',
      },
    }).request.toString();
    expect(request).toBe(
      'GET /socket HTTP/1.1\r\n' +
        'Host: www.example.com\r\n' +
        'Upgrade: websocket\r\n' +
        'Connection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${KEY}\r\n` +
        'Sec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Protocol: chat\r\n' +
        'Authorization: Basic dXNlcjpwYXNz\r\n' +
        'Origin: http://mine\r\n' +
        'X-A: one\r\n' +
        'Sec-WebSocket-Extensions: x\r\n' +
        'Cookie: a=1\r\n' +
        '\r\n',
    );
  });

  it('sends a custom Sec-WebSocket-Protocol or -Extensions only when it writes none (as faye and ws)', () => {
    const headers = { 'Sec-WebSocket-Protocol': 'token.abc', 'Sec-WebSocket-Extensions': 'x-foo' };
    const bare = handshake(undefined, { headers }).request.toString();
    expect(bare).toContain(
      '\r\nSec-WebSocket-Protocol: token.abc\r\nSec-WebSocket-Extensions: x-foo\r\n\r\n',
    );
    const own = handshake(undefined, {
      headers,
      protocols: ['chat'],
      extensions: [deflate],
    }).request.toString();
    expect(own).not.toContain('token.abc');
    expect(own).not.toContain('x-foo');
    expect(own).toContain('Sec-WebSocket-Protocol: chat\r\n');
    // The server echoing a protocol the client sent that way fails as any other it did not offer.
    expect(() =>
      handshake(undefined, { headers }).validate(
        head(RESPONSE.replace('\r\n\r\n', '\r\nSec-WebSocket-Protocol: token.abc\r\n\r\n')),
      ),
    ).toThrow('Sec-WebSocket-Protocol mismatch');
  });

  it('lets a custom Authorization through when the URL has no credentials', () => {
    expect(handshake(undefined, { headers: { Authorization: 'Bearer t' } }).request.toString()).toContain(
      'Authorization: Bearer t\r\n',
    );
  });

  it('puts Sec-WebSocket-Extensions last', () => {
    expect(
      handshake(undefined, { extensions: [deflate], headers: { 'X-A': 'b' } }).request.toString(),
    ).toContain('X-A: b\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n');
  });

  it('writes the path and query, the port when not the default, and IPv6 hosts in brackets', () => {
    expect(handshake('wss://h.example:8443/a/b?c=d&e').request.toString()).toMatch(
      /^GET \/a\/b\?c=d&e HTTP\/1\.1\r\nHost: h\.example:8443\r\n/,
    );
    expect(handshake('ws://h.example:80').request.toString()).toMatch(
      /^GET \/ HTTP\/1\.1\r\nHost: h\.example\r\n/,
    );
    expect(handshake('ws://[::1]:9000/').request.toString()).toContain('Host: [::1]:9000\r\n');
  });

  it.each<[string, ClientHandshakeOptions, RegExp]>([
    ['an unknown option', { protocol: 'x' } as ClientHandshakeOptions, /Unrecognized option: protocol/],
    ['a protocol that is not a token', { protocols: ['a b'] }, /Invalid subprotocol/],
    ['an empty protocol', { protocols: [''] }, /Invalid subprotocol/],
    ['a repeated protocol', { protocols: ['a', 'a'] }, /Duplicate subprotocol: a/],
    ['a header value with a line break', { headers: { 'X-A': 'a\r\nB: c' } }, /Invalid value for header X-A/],
    ['a header name that is not a token', { headers: { 'X A': 'b' } }, /Invalid header name/],
    ['an Origin with a line break', { origin: 'http://a\nB: c' }, /Invalid value for header Origin/],
  ])('throws for %s', (_name, options, message) => {
    expect(() => handshake(undefined, options)).toThrow(message);
  });

  it('needs a 16-byte key', () => {
    expect(() =>
      createClientHandshake(parseWebSocketUrl('ws://h/'), {}, Buffer.alloc(15), nodeDigest),
    ).toThrow('The handshake key must be 16 bytes');
  });
});

describe('ClientHandshake.validate (RFC 6455 §4.2.2)', () => {
  it('accepts the response of client_spec with no protocol and no extension', () => {
    expect(handshake().validate(head(RESPONSE))).toEqual({ protocol: '', extensions: null });
  });

  it('accepts Connection as a token list and Upgrade in any case (faye rejects the list)', () => {
    const response = RESPONSE.replace('Connection: Upgrade', 'Connection: keep-alive, upgrade').replace(
      'Upgrade: websocket',
      'Upgrade: WebSocket',
    );
    expect(handshake().validate(head(response)).protocol).toBe('');
  });

  it('reports the selected subprotocol', () => {
    const response = RESPONSE.replace('\r\n\r\n', '\r\nSec-WebSocket-Protocol: xmpp\r\n\r\n');
    expect(handshake(undefined, { protocols: ['foo', 'xmpp'] }).validate(head(response)).protocol).toBe(
      'xmpp',
    );
  });

  it.each<[string, string, ClientHandshakeOptions, ErrorCode, string]>([
    [
      'a 200',
      RESPONSE.replace('101 Switching Protocols', '200 OK'),
      {},
      ErrorCode.HandshakeUnexpectedStatus,
      'Unexpected response code: 200',
    ],
    [
      'a bad Upgrade (client_spec)',
      RESPONSE.replace('Upgrade: websocket', 'Upgrade: wrong'),
      {},
      ErrorCode.HandshakeInvalidResponse,
      "'Upgrade' header value is not 'websocket'",
    ],
    [
      'no Upgrade',
      RESPONSE.replace('Upgrade: websocket\r\n', ''),
      {},
      ErrorCode.HandshakeInvalidResponse,
      "'Upgrade' header value is not 'websocket'",
    ],
    [
      'an Upgrade list',
      RESPONSE.replace('Upgrade: websocket', 'Upgrade: websocket, h2c'),
      {},
      ErrorCode.HandshakeInvalidResponse,
      "'Upgrade' header value is not 'websocket'",
    ],
    [
      'no Connection',
      RESPONSE.replace('Connection: Upgrade\r\n', ''),
      {},
      ErrorCode.HandshakeInvalidResponse,
      "'Connection' header value must contain 'Upgrade'",
    ],
    [
      'Connection: close',
      RESPONSE.replace('Connection: Upgrade', 'Connection: close'),
      {},
      ErrorCode.HandshakeInvalidResponse,
      "'Connection' header value must contain 'Upgrade'",
    ],
    [
      'a bad accept (client_spec)',
      RESPONSE.replace('QV3', 'wrong'),
      {},
      ErrorCode.HandshakeAcceptMismatch,
      'Sec-WebSocket-Accept mismatch',
    ],
    [
      'no accept',
      RESPONSE.replace(`Sec-WebSocket-Accept: ${ACCEPT}\r\n`, ''),
      {},
      ErrorCode.HandshakeAcceptMismatch,
      'Sec-WebSocket-Accept mismatch',
    ],
    [
      'two accepts',
      RESPONSE.replace('\r\n\r\n', `\r\nSec-WebSocket-Accept: ${ACCEPT}\r\n\r\n`),
      {},
      ErrorCode.HandshakeAcceptMismatch,
      'Sec-WebSocket-Accept mismatch',
    ],
    [
      'a protocol not offered (client_spec)',
      RESPONSE.replace('\r\n\r\n', '\r\nSec-WebSocket-Protocol: irc\r\n\r\n'),
      { protocols: ['foo', 'xmpp'] },
      ErrorCode.HandshakeProtocolMismatch,
      'Sec-WebSocket-Protocol mismatch',
    ],
    [
      'a protocol when none was offered',
      RESPONSE.replace('\r\n\r\n', '\r\nSec-WebSocket-Protocol: xmpp\r\n\r\n'),
      {},
      ErrorCode.HandshakeProtocolMismatch,
      'Sec-WebSocket-Protocol mismatch',
    ],
    [
      'an empty protocol',
      RESPONSE.replace('\r\n\r\n', '\r\nSec-WebSocket-Protocol:\r\n\r\n'),
      { protocols: ['a'] },
      ErrorCode.HandshakeProtocolMismatch,
      'Sec-WebSocket-Protocol mismatch',
    ],
    [
      'an extension not offered',
      RESPONSE.replace('\r\n\r\n', '\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n'),
      {},
      ErrorCode.HandshakeExtensionMismatch,
      'Server sent an extension response for unknown extension "permessage-deflate"',
    ],
    [
      'parameters the plugin refuses',
      RESPONSE.replace(
        '\r\n\r\n',
        '\r\nSec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=99\r\n\r\n',
      ),
      { extensions: [deflate] },
      ErrorCode.HandshakeExtensionMismatch,
      'Server sent unacceptable extension parameters: permessage-deflate; server_max_window_bits=99',
    ],
    [
      'a malformed extension header',
      RESPONSE.replace('\r\n\r\n', '\r\nSec-WebSocket-Extensions: permessage-deflate;\r\n\r\n'),
      { extensions: [deflate] },
      ErrorCode.HandshakeExtensionMismatch,
      'Invalid Sec-WebSocket-Extensions header: permessage-deflate;',
    ],
  ])('fails on %s', (_name, response, options, code, message) => {
    const parsed = head(response);
    const error = failure(() => handshake(undefined, options).validate(parsed));
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
    expect(error.statusCode).toBe(parsed.statusCode);
    expect(error.headers).toBe(parsed.headers);
  });

  it('keeps the status and headers of a refusal for the application', () => {
    const error = failure(() =>
      handshake().validate(head('HTTP/1.1 403 Forbidden\r\nX-Reason: no\r\nContent-Length: 0\r\n\r\n')),
    );
    expect(error.statusCode).toBe(403);
    expect(error.headers['x-reason']).toBe('no');
  });
});

describe('a client and a server handshake agree', () => {
  it('with a protocol and permessage-deflate, through the HTTP head parser both ways', async () => {
    const client = createClientHandshake(
      parseWebSocketUrl('ws://127.0.0.1:8080/chat?x=1'),
      { protocols: ['v2.chat', 'v1.chat'], extensions: [deflate], origin: 'http://127.0.0.1' },
      Buffer.alloc(16, 7),
      nodeDigest,
    );
    const request = new HttpHeadParser('request').push(client.request)!;
    expect(request).toMatchObject({ method: 'GET', target: '/chat?x=1' });
    const server = acceptHandshake(
      { method: request.method, url: request.target, headers: request.headers },
      { protocols: ['v1.chat', 'v2.chat'], extensions: [deflate] },
      nodeDigest,
    );
    if (!server.ok) throw server.error;
    expect(server.protocol).toBe('v2.chat');
    const result = client.validate(
      new HttpHeadParser('response').push(Buffer.from(server.response, 'latin1'))!,
    );
    expect(result.protocol).toBe('v2.chat');
    expect(result.extensions).not.toBeNull();
    const message = {
      rsv1: false,
      rsv2: false,
      rsv3: false,
      opcode: 1,
      data: Buffer.from('deflated '.repeat(8)),
    };
    const compressed = await new Promise<ExtensionMessage>((resolve, reject) =>
      result.extensions!.processOutgoingMessage(message, (e, m) => (e ? reject(e) : resolve(m!))),
    );
    expect(compressed.rsv1).toBe(true);
    const inflated = await new Promise<ExtensionMessage>((resolve, reject) =>
      server.extensions!.processIncomingMessage(compressed, (e, m) => (e ? reject(e) : resolve(m!))),
    );
    expect(inflated.data.toString()).toBe('deflated '.repeat(8));
    await Promise.all([
      new Promise<void>((resolve) => result.extensions!.close(resolve)),
      new Promise<void>((resolve) => server.extensions!.close(resolve)),
    ]);
  });
});
