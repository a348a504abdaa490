export {
  CloseEvent,
  ErrorCode,
  ErrorEvent,
  Event,
  HandshakeError,
  MessageEvent,
  NetworkError,
  type PermessageDeflateOptions,
  ProtocolError,
  ProxyError,
  permessageDeflate,
  WebSocketError,
} from '@sockeye/core';
export { Client, type ClientProtocols } from './client.js';
export {
  type ClientOptions,
  clientOptionKeys,
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_MAX_LENGTH,
  type HeaderValues,
  type ProxyOptions,
  proxyOptionKeys,
} from './client-options.js';
