import { describe, expect, it } from 'vitest';
import { basicCredentials, buildConnectRequest, connectAuthority } from '../../src/connect-request.js';

const text = (buffer: Buffer): string => buffer.toString('latin1');

describe('buildConnectRequest', () => {
  it('asks for host:port with Host and keep-alive headers, and ends the head with a blank line', () => {
    expect(text(buildConnectRequest({ host: 'www.example.com', port: 80 }))).toBe(
      'CONNECT www.example.com:80 HTTP/1.1\r\n' +
        'Host: www.example.com:80\r\n' +
        'Connection: keep-alive\r\n' +
        'Proxy-Connection: keep-alive\r\n' +
        '\r\n',
    );
  });

  it('adds Basic Proxy-Authorization from the proxy URL user info', () => {
    const head = text(
      buildConnectRequest({ host: 'www.example.com', port: 443 }, { proxy: 'http://user:pass@proxy:3128' }),
    );
    expect(head).toContain('\r\nProxy-Authorization: Basic dXNlcjpwYXNz\r\n');
  });

  it('decodes percent-escaped credentials before encoding them', () => {
    const head = text(
      buildConnectRequest({ host: 'h', port: 1 }, { proxy: new URL('http://us%40er:p%3Ass@proxy') }),
    );
    const value = /Proxy-Authorization: Basic (\S+)/.exec(head)?.[1];
    expect(Buffer.from(value ?? '', 'base64').toString()).toBe('us@er:p:ss');
  });

  it('sends no Proxy-Authorization without user info', () => {
    expect(text(buildConnectRequest({ host: 'h', port: 1 }, { proxy: 'http://proxy' }))).not.toMatch(
      /Proxy-Authorization/i,
    );
  });

  it('appends user headers in order, after the built-in ones', () => {
    const head = text(
      buildConnectRequest(
        { host: 'h', port: 1 },
        { headers: { 'User-Agent': 'node', 'X-Two': ['a', 'b'], 'X-N': 3 } },
      ),
    );
    expect(
      head.endsWith('Proxy-Connection: keep-alive\r\nUser-Agent: node\r\nX-Two: a, b\r\nX-N: 3\r\n\r\n'),
    ).toBe(true);
  });

  it('leaves out a header whose value is undefined or null, and throws for one it cannot send', () => {
    const head = text(
      buildConnectRequest(
        { host: 'h', port: 1 },
        { headers: { 'X-Undef': undefined, 'X-Null': null, 'X-Empty': [], 'User-Agent': 'node' } },
      ),
    );
    expect(head.endsWith('Proxy-Connection: keep-alive\r\nUser-Agent: node\r\n\r\n')).toBe(true);
    // faye sent an object as `[object Object]`; a null inside a list has no meaning either.
    for (const value of [{ a: 1 }, ['a', null], Symbol('s')]) {
      expect(() =>
        buildConnectRequest({ host: 'h', port: 1 }, { headers: { 'X-Bad': value as never } }),
      ).toThrow(/X-Bad/);
    }
  });

  it('keeps the first value of a header given twice, so user headers cannot override Host or credentials', () => {
    const head = text(
      buildConnectRequest(
        { host: 'target', port: 8080 },
        { proxy: 'http://u:p@proxy', headers: { host: 'evil', 'proxy-authorization': 'Bearer x' } },
      ),
    );
    expect(head).toContain('Host: target:8080\r\n');
    expect(head).not.toContain('evil');
    expect(head).not.toContain('Bearer');
  });

  it('lets a user header supply Proxy-Authorization when the URL has no credentials', () => {
    const head = text(
      buildConnectRequest({ host: 'h', port: 1 }, { headers: { 'Proxy-Authorization': 'Bearer t0ken' } }),
    );
    expect(head).toContain('Proxy-Authorization: Bearer t0ken\r\n');
  });

  it('puts IPv6 targets in brackets', () => {
    expect(text(buildConnectRequest({ host: '::1', port: 9000 }))).toMatch(
      /^CONNECT \[::1\]:9000 HTTP\/1\.1\r\nHost: \[::1\]:9000\r\n/,
    );
    expect(connectAuthority({ host: '[::1]', port: 9000 })).toBe('[::1]:9000');
  });

  it('rejects CR and LF in header values and names, so no request can be smuggled', () => {
    expect(() =>
      buildConnectRequest({ host: 'h', port: 1 }, { headers: { 'X-A': 'ok\r\nX-B: injected' } }),
    ).toThrow(TypeError);
    expect(() => buildConnectRequest({ host: 'h', port: 1 }, { headers: { 'X-A\r\nX-B': 'v' } })).toThrow(
      TypeError,
    );
    expect(() => buildConnectRequest({ host: 'h', port: 1 }, { headers: { 'X A': 'v' } })).toThrow(TypeError);
    expect(() => buildConnectRequest({ host: 'h', port: 1 }, { headers: { 'X-A': 'nul\0' } })).toThrow(
      TypeError,
    );
  });

  it('takes header names as given: one with surrounding spaces is not a token (as in the client)', () => {
    // The client checks proxy.headers with core's rule before it connects; the builder must agree,
    // or the same option would throw there and be trimmed here.
    expect(() => buildConnectRequest({ host: 'h', port: 1 }, { headers: { ' User-Agent': 'v' } })).toThrow(
      /Invalid header name: " User-Agent"/,
    );
    expect(() => buildConnectRequest({ host: 'h', port: 1 }, { headers: { 'X-A\t': 'v' } })).toThrow(
      TypeError,
    );
  });

  it('rejects a target host with spaces or line breaks, and ports outside 1–65535', () => {
    expect(() => buildConnectRequest({ host: 'h HTTP/1.1\r\nX: y', port: 1 })).toThrow(TypeError);
    expect(() => buildConnectRequest({ host: '', port: 1 })).toThrow(TypeError);
    expect(() => buildConnectRequest({ host: 'h', port: 0 })).toThrow(RangeError);
    expect(() => buildConnectRequest({ host: 'h', port: 65536 })).toThrow(RangeError);
    expect(() => buildConnectRequest({ host: 'h', port: 1.5 })).toThrow(RangeError);
  });
});

describe('basicCredentials', () => {
  it('is null without user info and Basic base64(user:password) with it', () => {
    expect(basicCredentials(new URL('http://proxy'))).toBeNull();
    expect(basicCredentials(new URL('http://user@proxy'))).toBe(
      `Basic ${Buffer.from('user:').toString('base64')}`,
    );
    expect(basicCredentials(new URL('http://us%C3%A9r:pw@proxy'))).toBe(
      `Basic ${Buffer.from('usér:pw', 'utf8').toString('base64')}`,
    );
  });
});
