import { describe, expect, it } from 'vitest';
import { matchesNoProxy, parseProxyUrl, proxyFromEnvironment } from '../../src/proxy-from-env.js';

const proxyFor = (url: string, env: Record<string, string>): string | null =>
  proxyFromEnvironment(url, env)?.href ?? null;

describe('proxyFromEnvironment', () => {
  it('uses HTTPS_PROXY for wss: and HTTP_PROXY for ws:', () => {
    const env = { HTTPS_PROXY: 'http://secure:1', HTTP_PROXY: 'http://plain:2' };
    expect(proxyFor('wss://example.com/', env)).toBe('http://secure:1/');
    expect(proxyFor('ws://example.com/', env)).toBe('http://plain:2/');
  });

  it('reads lower-case names too, and prefers them', () => {
    expect(proxyFor('wss://example.com/', { https_proxy: 'http://lower:1' })).toBe('http://lower:1/');
    expect(
      proxyFor('ws://example.com/', { http_proxy: 'http://lower:1', HTTP_PROXY: 'http://upper:2' }),
    ).toBe('http://lower:1/');
  });

  it('prefers python-websockets’ wss_proxy / ws_proxy', () => {
    expect(proxyFor('wss://e.com/', { wss_proxy: 'http://ws:1', https_proxy: 'http://h:2' })).toBe(
      'http://ws:1/',
    );
    expect(proxyFor('ws://e.com/', { ws_proxy: 'http://ws:1', http_proxy: 'http://h:2' })).toBe(
      'http://ws:1/',
    );
  });

  it('is null when nothing is set, when only the other scheme is set, or when the value is empty', () => {
    expect(proxyFor('ws://e.com/', {})).toBeNull();
    expect(proxyFor('ws://e.com/', { HTTPS_PROXY: 'http://p:1' })).toBeNull();
    expect(proxyFor('wss://e.com/', { HTTP_PROXY: 'http://p:1' })).toBeNull();
    expect(proxyFor('ws://e.com/', { http_proxy: '  ' })).toBeNull();
  });

  it('ignores upper-case HTTP_PROXY in a CGI request (httpoxy)', () => {
    expect(proxyFor('ws://e.com/', { REQUEST_METHOD: 'GET', HTTP_PROXY: 'http://evil:1' })).toBeNull();
    expect(proxyFor('ws://e.com/', { REQUEST_METHOD: 'GET', http_proxy: 'http://ok:1' })).toBe(
      'http://ok:1/',
    );
  });

  it('treats a value without a scheme as http:, keeps credentials, and accepts https: proxies', () => {
    expect(proxyFor('ws://e.com/', { HTTP_PROXY: 'proxy.corp:3128' })).toBe('http://proxy.corp:3128/');
    expect(proxyFor('ws://e.com/', { HTTP_PROXY: 'http://u:p@proxy.corp' })).toBe('http://u:p@proxy.corp/');
    expect(proxyFor('wss://e.com/', { HTTPS_PROXY: 'https://proxy.corp:8443' })).toBe(
      'https://proxy.corp:8443/',
    );
  });

  it('refuses proxies it cannot speak to instead of silently connecting directly', () => {
    expect(() => proxyFor('ws://e.com/', { HTTP_PROXY: 'socks5://p:1080' })).toThrow(
      /Unsupported proxy protocol/,
    );
    expect(() => parseProxyUrl('http://[bad')).toThrow(TypeError);
  });

  it('honours NO_PROXY and no_proxy, with the target’s default port', () => {
    expect(proxyFor('ws://a.internal/', { HTTP_PROXY: 'p:1', NO_PROXY: 'internal' })).toBeNull();
    expect(proxyFor('ws://a.internal/', { HTTP_PROXY: 'p:1', no_proxy: '.internal' })).toBeNull();
    expect(proxyFor('ws://a.internal/', { HTTP_PROXY: 'p:1', no_proxy: 'internal:80' })).toBeNull();
    expect(proxyFor('wss://a.internal/', { HTTPS_PROXY: 'p:1', no_proxy: 'internal:80' })).toBe(
      'http://p:1/',
    );
    expect(proxyFor('wss://a.internal/', { HTTPS_PROXY: 'p:1', no_proxy: 'internal:443' })).toBeNull();
    expect(proxyFor('ws://other.com/', { HTTP_PROXY: 'p:1', NO_PROXY: 'internal' })).toBe('http://p:1/');
  });
});

describe('matchesNoProxy', () => {
  it('matches everything with *', () => {
    expect(matchesNoProxy('anything.example', 80, '*')).toBe(true);
    expect(matchesNoProxy('anything.example', 80, 'foo, *')).toBe(true);
  });

  it('matches every host on one port with *:port, as the README lists', () => {
    expect(matchesNoProxy('anything.example', 80, '*:80')).toBe(true);
    expect(matchesNoProxy('[::1]', 80, '*:80')).toBe(true);
    expect(matchesNoProxy('anything.example', 443, '*:80')).toBe(false);
  });

  it('matches a domain and its subdomains, never a mere string suffix', () => {
    expect(matchesNoProxy('example.com', 80, 'example.com')).toBe(true);
    expect(matchesNoProxy('a.b.example.com', 80, 'example.com')).toBe(true);
    expect(matchesNoProxy('badexample.com', 80, 'example.com')).toBe(false);
    expect(matchesNoProxy('example.com', 80, '.example.com')).toBe(true);
    expect(matchesNoProxy('a.example.com', 80, '.example.com')).toBe(true);
    expect(matchesNoProxy('a.example.com', 80, '*.example.com')).toBe(true);
    expect(matchesNoProxy('example.org', 80, '.example.com')).toBe(false);
  });

  it('ignores case, surrounding white space and trailing dots; accepts spaces as separators', () => {
    expect(matchesNoProxy('API.Example.COM.', 80, ' foo.org ,  EXAMPLE.com ')).toBe(true);
    expect(matchesNoProxy('b.org', 80, 'a.org b.org')).toBe(true);
    expect(matchesNoProxy('c.org', 80, 'a.org,,b.org,')).toBe(false);
  });

  it('restricts an entry with a port to that port', () => {
    expect(matchesNoProxy('example.com', 8080, 'example.com:8080')).toBe(true);
    expect(matchesNoProxy('example.com', 80, 'example.com:8080')).toBe(false);
  });

  it('matches IP literals exactly, IPv4 and IPv6, bracketed or not, with or without a port', () => {
    expect(matchesNoProxy('127.0.0.1', 80, '127.0.0.1')).toBe(true);
    expect(matchesNoProxy('127.0.0.10', 80, '127.0.0.1')).toBe(false);
    expect(matchesNoProxy('10.0.0.1', 80, '0.0.1')).toBe(false);
    expect(matchesNoProxy('[::1]', 80, '::1')).toBe(true);
    expect(matchesNoProxy('::1', 80, '[0:0::1]')).toBe(true);
    expect(matchesNoProxy('::1', 8080, '[::1]:8080')).toBe(true);
    expect(matchesNoProxy('::1', 80, '[::1]:8080')).toBe(false);
    expect(matchesNoProxy('::2', 80, '::1')).toBe(false);
  });

  it('matches CIDR blocks', () => {
    expect(matchesNoProxy('10.1.2.3', 80, '10.0.0.0/8')).toBe(true);
    expect(matchesNoProxy('11.1.2.3', 80, '10.0.0.0/8')).toBe(false);
    expect(matchesNoProxy('192.168.1.77', 80, '192.168.1.64/26')).toBe(true);
    expect(matchesNoProxy('192.168.1.128', 80, '192.168.1.64/26')).toBe(false);
    expect(matchesNoProxy('fd12::1', 80, 'fd00::/8')).toBe(true);
    expect(matchesNoProxy('fe80::1', 80, 'fd00::/8')).toBe(false);
    expect(matchesNoProxy('::ffff:10.0.0.1', 80, '::ffff:10.0.0.0/104')).toBe(true);
    expect(matchesNoProxy('example.com', 80, '10.0.0.0/8')).toBe(false);
    expect(matchesNoProxy('10.0.0.1', 80, '10.0.0.0/40')).toBe(false);
  });

  it('does not exempt loopback unless told to', () => {
    expect(matchesNoProxy('localhost', 80, '')).toBe(false);
    expect(matchesNoProxy('127.0.0.1', 80, 'example.com')).toBe(false);
  });
});
