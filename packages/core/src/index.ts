export { validateCloseArguments } from './api/close-arguments.js';
export { CloseEvent, ErrorEvent, Event, MessageEvent } from './api/event.js';
export {
  defineEventHandlers,
  type EventListenerLike,
  EventTargetEmitter,
  hasListeners,
} from './api/event-target.js';
export { binaryPayload, type MessageData } from './api/message-data.js';
export { type MessageSink, type MessageSource, type PipeOptions, pipeMessages } from './api/pipe.js';
export { PreparedMessage } from './api/prepared-message.js';
export { ReadyState } from './api/ready-state.js';
export {
  type AbsoluteTarget,
  absoluteTarget,
  isSecureRequest,
  type RequestLike,
  requestUrl,
} from './api/request-url.js';
export {
  abortHandshake,
  checkWebSocketOptions,
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_HIGH_WATER_MARK,
  failWebSocket,
  openWebSocket,
  released,
  WebSocket,
  type WebSocketEvents,
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
export { nodeDigest, randomKey } from './node/digest.js';
export {
  PERMESSAGE_DEFLATE_DEFAULTS,
  type PermessageDeflateOptions,
  permessageDeflate,
} from './node/permessage-deflate.js';
export {
  type DriverHandler,
  type DriverSocket,
  guardSocketErrors,
  SocketDriver,
  type SocketDriverOptions,
} from './node/socket-driver.js';
export { DEFAULT_HANDSHAKE_TIMEOUT, MAX_TIMER_MS, numberOption, validateOptions } from './options.js';
export { CloseCode, isValidCloseCode } from './protocol/close-code.js';
export { type ClosePayload, encodeClosePayload, parseClosePayload } from './protocol/close-payload.js';
export { Connection, type ConnectionOptions } from './protocol/connection.js';
export {
  type Draft76Challenge,
  DraftConnection,
  type DraftConnectionOptions,
} from './protocol/draft-connection.js';
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
export {
  type ExtensionOffer,
  parseExtensionHeader,
  serializeExtension,
} from './protocol/extension-header.js';
export {
  ClientExtensionNegotiation,
  checkExtensionPlugins,
  extensionPlugins,
  negotiateServerExtensions,
  type ServerExtensionNegotiation,
} from './protocol/extension-negotiation.js';
export { type EncodeFrameOptions, encodeFrame } from './protocol/frame-encoder.js';
export {
  checkMessageLimits,
  DEFAULT_MAX_FRAGMENTS,
  DEFAULT_MAX_LENGTH,
  FrameEvent,
  FrameParser,
  type FrameParserOptions,
} from './protocol/frame-parser.js';
export {
  type ClientHandshake,
  type ClientHandshakeOptions,
  type ClientHandshakeResult,
  createClientHandshake,
} from './protocol/handshake-client.js';
export { acceptKey, type HandshakeDigest, WEBSOCKET_GUID } from './protocol/handshake-digest.js';
export {
  acceptHandshake,
  draftKeyNumber,
  httpErrorResponse,
  isHttp11OrLater,
  isWebSocketRequest,
  type ServerHandshake,
  type ServerHandshakeAccepted,
  type ServerHandshakeOptions,
  type ServerHandshakeRejected,
  type ServerHandshakeRequest,
  type ServerHandshakeVersion,
} from './protocol/handshake-server.js';
export {
  checkHeaderOption,
  type HeaderOption,
  type HeaderOptionEntry,
  type HeaderOptionValue,
  type HeaderScalar,
  headerOptionEntries,
  headerOptionValues,
} from './protocol/header-option.js';
export {
  type HeaderBag,
  headerValue,
  isSafeFieldValue,
  isToken,
  listHasToken,
  splitHeaderList,
} from './protocol/header-tokens.js';
export {
  type HttpHead,
  type HttpHeadKind,
  HttpHeadParser,
  type HttpHeadParserOptions,
} from './protocol/http-head.js';
export { maskInPlace } from './protocol/mask.js';
export { type MaskKeySource, writeRandomMaskKey } from './protocol/mask-source.js';
export { isControlOpcode, Opcode } from './protocol/opcode.js';
export { Role } from './protocol/role.js';
export { isValidUtf8, Utf8Validator } from './protocol/utf8.js';
export { parseWebSocketUrl, urlEndpoint, webSocketUrlPort } from './protocol/websocket-url.js';
