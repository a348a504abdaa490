import { describe, expect, it } from 'vitest';
import { Client } from '../../src/client.js';
import { clientOptionKeys, DEFAULT_HANDSHAKE_TIMEOUT, proxyOptionKeys } from '../../src/client-options.js';
import { outcome } from '../support/events.js';

// Port 9 (discard) on loopback: nothing listens there, and the client is closed before it connects.
const URL_ = 'ws://127.0.0.1:9/';

function construct(...args: ConstructorParameters<typeof Client>): Client {
  const ws = new Client(...args);
  ws.close();
  return ws;
}

describe('Client construction', () => {
  it('accepts ws: and wss: URLs, keeps the URL as given and starts CONNECTING', async () => {
    const ws = new Client('ws://127.0.0.1:9/path?q=1');
    expect(ws.url).toBe('ws://127.0.0.1:9/path?q=1');
    expect(ws.readyState).toBe(Client.CONNECTING);
    expect(ws.statusCode).toBeUndefined();
    expect(ws.headers).toBeUndefined();
    expect(ws.protocol).toBe('');
    ws.close();
    await outcome(ws);
    expect(construct(new URL('wss://127.0.0.1:9/')).url).toBe('wss://127.0.0.1:9/');
  });

  it('throws "<url> is not a valid WebSocket URL" for other schemes, junk and fragments', () => {
    for (const url of [
      'http://example.com/',
      'https://example.com/',
      'ftp://x/',
      'not a url',
      'ws://host/#frag',
    ]) {
      expect(() => new Client(url)).toThrow(`${url} is not a valid WebSocket URL`);
    }
  });

  it('throws for unknown options, also inside proxy', () => {
    expect(() => new Client(URL_, [], { net: {}, bogus: true } as never)).toThrow(
      'Unrecognized option: bogus',
    );
    expect(() => new Client(URL_, [], { proxy: { origin: 'http://p', bogus: 1 } } as never)).toThrow(
      'Unrecognized option: bogus',
    );
  });

  it('throws for a maxLength or maxFragments the engine cannot take, not when the server answers', () => {
    // The engine is built inside the socket's data handler: a throw there would crash the process.
    for (const options of [
      { maxLength: -1 },
      { maxLength: 1.5 },
      { maxLength: Number.POSITIVE_INFINITY },
      { maxFragments: 0 },
    ]) {
      expect(() => new Client(URL_, [], options)).toThrow(RangeError);
    }
  });

  it('throws for a proxy header that cannot go in the CONNECT request, at once', () => {
    const proxy = { origin: 'http://127.0.0.1:9' };
    expect(
      () => new Client(URL_, [], { proxy: { ...proxy, headers: { 'X-A': 'a\r\nInjected: 1' } } }),
    ).toThrow(TypeError);
    expect(() => new Client(URL_, [], { proxy: { ...proxy, headers: { 'bad name': 'a' } } })).toThrow(
      TypeError,
    );
  });

  it('knows every documented option', () => {
    expect([...clientOptionKeys].sort()).toEqual(
      [
        'ca',
        'closeTimeout',
        'extensions',
        'handshakeTimeout',
        'headers',
        'highWaterMark',
        'maxFragments',
        'maxLength',
        'net',
        'ping',
        'pingTimeout',
        'proxy',
        'tls',
      ].sort(),
    );
    expect([...proxyOptionKeys].sort()).toEqual(['fromEnvironment', 'headers', 'origin', 'tls']);
    expect(DEFAULT_HANDSHAKE_TIMEOUT).toBe(10_000);
  });

  it('rejects bad option values synchronously', () => {
    expect(() => new Client(URL_, [], { handshakeTimeout: -1 })).toThrow(TypeError);
    expect(() => new Client(URL_, [], { closeTimeout: Number.NaN })).toThrow(TypeError);
    // Node runs a timer longer than 2^31 - 1 ms after 1 ms.
    expect(() => new Client(URL_, [], { handshakeTimeout: 2 ** 31 })).toThrow(RangeError);
    expect(() => new Client(URL_, [], { pingTimeout: 2 ** 31 })).toThrow(RangeError);
    expect(() => new Client(URL_, [], { extensions: [{ name: 'x' } as never] })).toThrow(TypeError);
    expect(() => new Client(URL_, [], { proxy: { origin: 'socks5://p:1080' } })).toThrow(
      /Unsupported proxy protocol/,
    );
    expect(() => new Client(URL_, [], { proxy: { origin: 'http://p', fromEnvironment: true } })).toThrow(
      TypeError,
    );
    expect(() => new Client(URL_, [], { headers: { 'X-A': 'b\r\nX-Injected: 1' } })).toThrow(TypeError);
    // An object (faye sent `[object Object]`), a symbol or a null inside a list cannot be a value.
    for (const value of [{ a: 1 }, Symbol('x'), ['ok', null], ['ok', undefined]]) {
      expect(() => new Client(URL_, [], { headers: { 'X-Bad': value as never } })).toThrow(/X-Bad/);
    }
    expect(() => new Client(URL_, [], { headers: 'X-A: b' as never })).toThrow(TypeError);
    expect(() => new Client(URL_, [], { proxy: { headers: { 'X-Bad': { a: 1 } as never } } })).toThrow(
      /X-Bad/,
    );
    expect(() => new Client(URL_, ['not a token'])).toThrow(SyntaxError);
    expect(() => new Client(URL_, ['a', 'a'])).toThrow(SyntaxError);
  });

  it('takes a single subprotocol as a string, and null or undefined as none', () => {
    expect(() => construct(URL_, 'chat')).not.toThrow();
    expect(() => construct(URL_, null)).not.toThrow();
    expect(() => construct(URL_, undefined, null)).not.toThrow();
  });

  it('has the readyState constants on the class and the instance', () => {
    const ws = construct(URL_);
    expect([Client.CONNECTING, Client.OPEN, Client.CLOSING, Client.CLOSED]).toEqual([0, 1, 2, 3]);
    expect(ws.OPEN).toBe(1);
  });
});
