// The parts of the API besides the faye-shaped class: named exports of the ES module, and static
// members of the class for CommonJS, where the class is the whole export.
export { Client, type ClientOptions, type ClientProtocols, type ProxyOptions } from '@sockeye/client';
export {
  CloseCode,
  CloseEvent,
  ErrorCode,
  ErrorEvent,
  Event,
  HandshakeError,
  MessageEvent,
  NetworkError,
  type PermessageDeflateOptions,
  PreparedMessage,
  ProtocolError,
  ProxyError,
  permessageDeflate,
  ReadyState,
  validateOptions,
  WebSocketError,
} from '@sockeye/core';
export { EventSource, type EventSourceOptions, isEventSource, type SendOptions } from '@sockeye/eventsource';
export { proxyFromEnvironment } from '@sockeye/proxy';
export {
  type AttachHandle,
  type AttachOptions,
  attach,
  isWebSocket,
  type ListenHandle,
  type ListenOptions,
  listen,
  type ServerOptions,
  type UpgradeRequest,
} from '@sockeye/server';
