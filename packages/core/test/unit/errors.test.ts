import { describe, expect, it } from 'vitest';
import {
  ErrorCode,
  HandshakeError,
  NetworkError,
  ProtocolError,
  ProxyError,
  WebSocketError,
} from '../../src/errors.js';

describe('error classes', () => {
  it('carries a stable code and the close code of a protocol failure', () => {
    const error = new ProtocolError(ErrorCode.InvalidUtf8, 1007, 'Invalid UTF-8 sequence');
    expect(error.code).toBe('WS_ERR_INVALID_UTF8');
    expect(error.closeCode).toBe(1007);
    expect(error.name).toBe('ProtocolError');
    expect(error.message).toBe('Invalid UTF-8 sequence');
  });

  it('answers instanceof along the class tree only', () => {
    const proxy = new ProxyError(ErrorCode.ProxyRefused, 'refused', { statusCode: 407 });
    expect(proxy).toBeInstanceOf(ProxyError);
    expect(proxy).toBeInstanceOf(HandshakeError);
    expect(proxy).toBeInstanceOf(WebSocketError);
    expect(proxy).toBeInstanceOf(Error);
    expect(proxy).not.toBeInstanceOf(ProtocolError);
    expect(new NetworkError(ErrorCode.Network, 'reset')).not.toBeInstanceOf(HandshakeError);
    expect(proxy.statusCode).toBe(407);
    expect(proxy.headers).toEqual({});
  });

  it('recognises an error built by another copy of the class (branding by Symbol.for)', () => {
    class OtherCopyRoot extends Error {}
    const foreign = new OtherCopyRoot('x');
    Object.defineProperty(foreign, Symbol.for('sockeye.error.kinds'), {
      value: new Set(['WebSocketError', 'ProtocolError']),
    });
    expect(foreign).toBeInstanceOf(ProtocolError);
    expect(foreign).toBeInstanceOf(WebSocketError);
    expect(foreign).not.toBeInstanceOf(HandshakeError);
    expect({}).not.toBeInstanceOf(WebSocketError);
  });
});
