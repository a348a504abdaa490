import { ErrorCode, ProxyError } from '@sockeye/core';
import { describe, expect, it } from 'vitest';
import { buildConnectRequest } from '../../src/connect-request.js';
import { ConnectResponseParser } from '../../src/connect-response.js';

const URL_ = 'ws://example.com/socket';

function failure(run: () => unknown): ProxyError {
  try {
    run();
  } catch (error) {
    return error as ProxyError;
  }
  throw new Error('expected a ProxyError');
}

describe('ConnectResponseParser', () => {
  it('refuses unknown option keys, as every options object does', () => {
    expect(() => new ConnectResponseParser('ws://h/', { maxLines: 10 } as never)).toThrow(
      'Unrecognized option: maxLines',
    );
    expect(() => buildConnectRequest({ host: 'h', port: 1 }, { header: {} } as never)).toThrow(
      'Unrecognized option: header',
    );
  });

  it('opens the tunnel on 200 and keeps the bytes after the head', () => {
    const parser = new ConnectResponseParser(URL_);
    const frame = Buffer.from([0x81, 0x02, 0x48, 0x69]);
    const reply = parser.push(
      Buffer.concat([Buffer.from('HTTP/1.1 200 Connection established\r\nVia: 1.1 squid\r\n\r\n'), frame]),
    );
    expect(reply).not.toBeNull();
    expect(reply?.statusCode).toBe(200);
    expect(reply?.statusMessage).toBe('Connection established');
    expect(reply?.headers.via).toBe('1.1 squid');
    expect(reply?.rest).toEqual(frame);
  });

  it('accepts an HTTP/1.0 answer and any split of the bytes', () => {
    const bytes = Buffer.from('HTTP/1.0 200 OK\r\nProxy-Agent: test\r\n\r\n');
    for (let split = 1; split < bytes.length; split++) {
      const parser = new ConnectResponseParser(URL_);
      expect(parser.push(bytes.subarray(0, split))).toBeNull();
      const reply = parser.push(bytes.subarray(split));
      expect(reply?.headers['proxy-agent']).toBe('test');
      expect(reply?.rest.length).toBe(0);
    }
  });

  it('skips interim 1xx answers before the 200, in any split (RFC 9110 §15.2)', () => {
    const bytes = Buffer.from(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n' +
        'HTTP/1.1 200 Connection established\r\nVia: 1.1 p\r\n\r\nearly',
    );
    for (let split = 1; split < bytes.length; split++) {
      const parser = new ConnectResponseParser(URL_);
      const first = parser.push(bytes.subarray(0, split));
      const reply = first ?? parser.push(bytes.subarray(split));
      expect(reply?.statusCode).toBe(200);
      expect(reply?.headers).toEqual({ via: '1.1 p' });
      expect(reply?.rest.toString()).toBe(
        first === null ? 'early' : 'early'.slice(0, split - (bytes.length - 5)),
      );
    }
  });

  it('refuses a 101 (a final answer to CONNECT) and a refusal after a 100', () => {
    for (const [answer, status] of [
      ['HTTP/1.1 101 Switching Protocols\r\n\r\n', 101],
      ['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 407 Auth\r\n\r\n', 407],
    ] as const) {
      const error = failure(() => new ConnectResponseParser(URL_).push(Buffer.from(answer)));
      expect(error.code).toBe(ErrorCode.ProxyRefused);
      expect(error.statusCode).toBe(status);
    }
  });

  it('holds every interim head to the limits', () => {
    const error = failure(() =>
      new ConnectResponseParser(URL_, { maxHeaders: 2 }).push(
        Buffer.from('HTTP/1.1 100 Continue\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n'),
      ),
    );
    expect(error.code).toBe(ErrorCode.ProxyInvalidResponse);
  });

  it('refuses any other status with faye’s message and the answer’s status and headers', () => {
    for (const status of [201, 204, 403, 407, 502]) {
      const error = failure(() =>
        new ConnectResponseParser(URL_).push(
          Buffer.from(`HTTP/1.1 ${status} Nope\r\nProxy-Authenticate: Basic realm="x"\r\n\r\nbody`),
        ),
      );
      expect(error).toBeInstanceOf(ProxyError);
      expect(error.code).toBe(ErrorCode.ProxyRefused);
      expect(error.statusCode).toBe(status);
      expect(error.headers['proxy-authenticate']).toBe('Basic realm="x"');
      expect(error.message).toBe(`Can't establish a connection to the server at ${URL_}`);
    }
  });

  it('fails on an answer that is not HTTP', () => {
    const error = failure(() => new ConnectResponseParser(URL_).push(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n')));
    expect(error).toBeInstanceOf(ProxyError);
    expect(error.code).toBe(ErrorCode.ProxyInvalidResponse);
    expect(error.message).toMatch(
      /^Can't establish a connection to the server at ws:\/\/example.com\/socket: /,
    );
  });

  it('bounds the answer: a line too long or too many headers fail', () => {
    const long = failure(() =>
      new ConnectResponseParser(URL_, { maxLineLength: 64 }).push(
        Buffer.from(`HTTP/1.1 200 ${'x'.repeat(100)}`),
      ),
    );
    expect(long.code).toBe(ErrorCode.ProxyInvalidResponse);
    const many = failure(() =>
      new ConnectResponseParser(URL_, { maxHeaders: 2 }).push(
        Buffer.from('HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n'),
      ),
    );
    expect(many.code).toBe(ErrorCode.ProxyInvalidResponse);
  });

  it('reports a proxy that closed before answering, and nothing once the answer was read', () => {
    const parser = new ConnectResponseParser(URL_);
    parser.push(Buffer.from('HTTP/1.1 200'));
    const error = failure(() => parser.end());
    expect(error.code).toBe(ErrorCode.ProxyClosed);
    expect(error.message).toMatch(/the proxy closed the connection$/);

    const done = new ConnectResponseParser(URL_);
    done.push(Buffer.from('HTTP/1.1 200 OK\r\n\r\n'));
    expect(() => done.end()).not.toThrow();
  });
});
