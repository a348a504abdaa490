export { CloseEvent, ErrorEvent, Event, MessageEvent } from './api/event.js';
export { defineEventHandlers, type EventListenerLike, EventTargetEmitter } from './api/event-target.js';
export { isSecureRequest, type RequestLike, requestUrl } from './api/request-url.js';
export {
  ErrorCode,
  HandshakeError,
  type HandshakeErrorOptions,
  NetworkError,
  ProtocolError,
  ProxyError,
  WebSocketError,
  type WebSocketErrorOptions,
} from './errors.js';
export { validateOptions } from './options.js';
export { type Engine, type EngineHandler, EngineState } from './protocol/engine.js';
export type {
  ClientExtensionSession,
  Extension,
  ExtensionFrame,
  ExtensionMessage,
  ExtensionParams,
  ExtensionPipeline,
  ExtensionSession,
  ServerExtensionSession,
} from './protocol/extension.js';
