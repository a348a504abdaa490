export { type PermessageDeflateOptions, permessageDeflate } from '@sockeye/core';
export { type AttachHandle, type AttachOptions, attach } from './attach.js';
export type { ClientSet, Clients } from './client-set.js';
export { type ListenHandle, type ListenOptions, listen, MAX_HEAD_BYTES } from './listen.js';
export {
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_MAX_LENGTH,
  type ServerOptions,
  serverOptionKeys,
} from './server-options.js';
export { UpgradeRequest } from './upgrade-request.js';
export type { RouteOptions } from './upgrade-route.js';
export { isWebSocket, type ProtocolList, type UpgradeRequestLike, WebSocket } from './websocket.js';
