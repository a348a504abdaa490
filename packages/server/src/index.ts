export { type PermessageDeflateOptions, permessageDeflate } from '@sockeye/core';
export { type AttachHandle, type AttachOptions, attach } from './attach.js';
export {
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_MAX_LENGTH,
  type ServerOptions,
  serverOptionKeys,
} from './server-options.js';
export { isWebSocket, type ProtocolList, WebSocket } from './websocket.js';
