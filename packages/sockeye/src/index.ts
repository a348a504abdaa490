import { WebSocket } from './websocket.js';

/** The faye-websocket-shaped export: `import WebSocket from 'sockeye'` as `require('sockeye')`. */
export default WebSocket;

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
export { WebSocket };
