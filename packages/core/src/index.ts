export { CloseEvent, ErrorEvent, Event, MessageEvent } from './api/event.js';
export { defineEventHandlers, type EventListenerLike, EventTargetEmitter } from './api/event-target.js';
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
