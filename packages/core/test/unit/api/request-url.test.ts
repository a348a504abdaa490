import { describe, expect, it } from 'vitest';
import { absoluteTarget, requestUrl } from '../../../src/api/request-url.js';

describe('absoluteTarget', () => {
  it('is null for the origin form and anything that is not scheme://', () => {
    expect(absoluteTarget('/chat?x=1')).toBeNull();
    expect(absoluteTarget('*')).toBeNull();
    expect(absoluteTarget('example.com:443')).toBeNull();
    expect(absoluteTarget('1http://example.com/')).toBeNull();
  });

  it('splits the authority from the path and query, "/" standing in for an empty path', () => {
    expect(absoluteTarget('http://example.com:8080/chat?x=1')).toEqual({
      authority: 'example.com:8080',
      path: '/chat?x=1',
    });
    expect(absoluteTarget('HTTPS://[::1]:9/')).toEqual({ authority: '[::1]:9', path: '/' });
    expect(absoluteTarget('ws://example.com')).toEqual({ authority: 'example.com', path: '/' });
    expect(absoluteTarget('http://example.com?x=1')).toEqual({ authority: 'example.com', path: '/?x=1' });
  });

  it('drops userinfo from the authority (RFC 9110 §4.2.4), so credentials never reach the url', () => {
    expect(absoluteTarget('http://user:secret@example.com:81/chat')).toEqual({
      authority: 'example.com:81',
      path: '/chat',
    });
    expect(absoluteTarget('http://a@b@example.com/')).toEqual({ authority: 'example.com', path: '/' });
    // An @ after the authority is the path's or the query's, not userinfo.
    expect(absoluteTarget('http://example.com/a@b?c=@')).toEqual({
      authority: 'example.com',
      path: '/a@b?c=@',
    });
    expect(requestUrl({ url: 'http://u:p@h.example/ws', headers: {}, socket: {} }, 'ws')).toBe(
      'ws://h.example/ws',
    );
  });
});

describe('requestUrl', () => {
  const request = (url: string, headers: Record<string, string> = { host: 'h.example' }) => ({
    url,
    headers,
    socket: {},
  });

  it('is the scheme, the Host header and the target in origin form', () => {
    expect(requestUrl(request('/chat?x=1'), 'ws')).toBe('ws://h.example/chat?x=1');
    expect(requestUrl(request('/e', { host: 'h', 'x-forwarded-proto': 'https' }), 'http')).toBe(
      'https://h/e',
    );
  });

  it('takes the authority of an absolute-form target over Host, with the connection’s scheme', () => {
    expect(requestUrl(request('http://example.com:8080/chat'), 'ws')).toBe('ws://example.com:8080/chat');
    expect(requestUrl(request('http://example.com'), 'http')).toBe('http://example.com/');
  });
});
