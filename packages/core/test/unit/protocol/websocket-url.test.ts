import { describe, expect, it } from 'vitest';
import { parseWebSocketUrl, webSocketUrlPort } from '../../../src/protocol/websocket-url.js';

describe('parseWebSocketUrl (RFC 6455 §3, WHATWG WebSocket constructor)', () => {
  it.each([
    ['ws://www.example.com/socket', 'ws://www.example.com/socket', 80],
    ['wss://www.example.com', 'wss://www.example.com/', 443],
    ['ws://www.example.com:80/', 'ws://www.example.com/', 80],
    ['wss://www.example.com:443/a?b=c', 'wss://www.example.com/a?b=c', 443],
    ['ws://127.0.0.1:8080/x', 'ws://127.0.0.1:8080/x', 8080],
    ['wss://[::1]:9443/', 'wss://[::1]:9443/', 9443],
    ['WS://Example.COM/Path', 'ws://example.com/Path', 80],
    ['ws://user:pass@host/', 'ws://user:pass@host/', 80],
  ])('accepts %j', (input, href, port) => {
    const url = parseWebSocketUrl(input);
    expect(url.href).toBe(href);
    expect(webSocketUrlPort(url)).toBe(port);
  });

  it.each([
    'stream.wikimedia.org/rc', // websocket-driver client_spec
    'http://www.example.com/',
    'https://www.example.com/',
    'ftp://www.example.com/',
    'ws://www.example.com/#fragment',
    'ws://www.example.com/#',
    'ws://',
    'ws://host:99999/',
    '',
  ])('refuses %j with "<url> is not a valid WebSocket URL"', (input) => {
    expect(() => parseWebSocketUrl(input)).toThrow(SyntaxError);
    expect(() => parseWebSocketUrl(input)).toThrow(`${input} is not a valid WebSocket URL`);
  });

  it('takes a URL object and returns a copy of it', () => {
    const input = new URL('ws://example.com/a');
    const url = parseWebSocketUrl(input);
    expect(url).not.toBe(input);
    expect(url.href).toBe(input.href);
    expect(() => parseWebSocketUrl(new URL('http://example.com/'))).toThrow(
      'http://example.com/ is not a valid WebSocket URL',
    );
  });
});
