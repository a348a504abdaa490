export { validateCloseArguments } from './api/close-arguments.js';
export { CloseEvent, ErrorEvent, Event, MessageEvent } from './api/event.js';
export { defineEventHandlers, type EventListenerLike, EventTargetEmitter } from './api/event-target.js';
export { binaryPayload, type MessageData } from './api/message-data.js';
export { type MessageSink, type MessageSource, type PipeOptions, pipeMessages } from './api/pipe.js';
export { PreparedMessage } from './api/prepared-message.js';
export { ReadyState } from './api/ready-state.js';
export { isSecureRequest, type RequestLike, requestUrl } from './api/request-url.js';
export {
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_HIGH_WATER_MARK,
  failWebSocket,
  openWebSocket,
  WebSocket,
  type WebSocketFailOptions,
  type WebSocketInit,
  type WebSocketOpenParams,
  type WebSocketOptions,
  webSocketOptionKeys,
} from './api/websocket.js';
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
export {
  type DriverHandler,
  type DriverSocket,
  SocketDriver,
  type SocketDriverOptions,
} from './node/socket-driver.js';
export { validateOptions } from './options.js';
export { CloseCode, isValidCloseCode } from './protocol/close-code.js';
export { type ClosePayload, encodeClosePayload, parseClosePayload } from './protocol/close-payload.js';
export { Connection, type ConnectionOptions } from './protocol/connection.js';
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
export { type EncodeFrameOptions, encodeFrame } from './protocol/frame-encoder.js';
export {
  DEFAULT_MAX_FRAGMENTS,
  DEFAULT_MAX_LENGTH,
  FrameEvent,
  FrameParser,
  type FrameParserOptions,
} from './protocol/frame-parser.js';
export { maskInPlace } from './protocol/mask.js';
export { type MaskKeySource, writeRandomMaskKey } from './protocol/mask-source.js';
export { isControlOpcode, Opcode } from './protocol/opcode.js';
export { Role } from './protocol/role.js';
export { isValidUtf8, Utf8Validator } from './protocol/utf8.js';
