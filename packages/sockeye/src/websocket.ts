import { WebSocket as ServerWebSocket } from '@sockeye/server';
import * as parts from './parts.js';

/**
 * What `require('sockeye')` returns, shaped like `require('faye-websocket')`: the server-side
 * WebSocket class, carrying the rest of the API as static members (`WebSocket.Client`,
 * `WebSocket.EventSource`, `WebSocket.isWebSocket`, `WebSocket.validateOptions` and
 * `WebSocket.WebSocket`, itself), and every other part the ES module exports by name
 * (`const { attach, ErrorCode } = require('sockeye')`).
 *
 * A subclass, so that `@sockeye/server`'s own class stays free of the umbrella's statics.
 */
export class WebSocket extends ServerWebSocket {
  /** The client class: `new WebSocket.Client(url, protocols, options)`. */
  declare static readonly Client: typeof parts.Client;
  /** The server-sent events class: `new WebSocket.EventSource(request, response, options)`. */
  declare static readonly EventSource: typeof parts.EventSource;
  /** Throws `Unrecognized option: <key>` for a key not in the list, as faye-websocket does. */
  declare static readonly validateOptions: typeof parts.validateOptions;
  /** sockeye's permessage-deflate: `extensions: [WebSocket.permessageDeflate()]` (not in faye). */
  declare static readonly permessageDeflate: typeof parts.permessageDeflate;
  /** The class itself, as `require('faye-websocket').WebSocket`. */
  declare static readonly WebSocket: typeof WebSocket;
}

/**
 * The parts the ES module exports by name, as members of the class for CommonJS, where the class
 * is the whole export: `const { attach } = require('sockeye')`, and in TypeScript
 * `import { attach, type ClientOptions } from 'sockeye'` or `WebSocket.ClientOptions` (not in faye).
 */
export declare namespace WebSocket {
  export const attach: typeof import('@sockeye/server').attach;
  export const listen: typeof import('@sockeye/server').listen;
  export const isEventSource: typeof import('@sockeye/eventsource').isEventSource;
  export const proxyFromEnvironment: typeof import('@sockeye/proxy').proxyFromEnvironment;
  export const CloseCode: typeof import('@sockeye/core').CloseCode;
  export type CloseCode = import('@sockeye/core').CloseCode;
  export const ErrorCode: typeof import('@sockeye/core').ErrorCode;
  export type ErrorCode = import('@sockeye/core').ErrorCode;
  export const ReadyState: typeof import('@sockeye/core').ReadyState;
  export type ReadyState = import('@sockeye/core').ReadyState;
  export const Event: typeof import('@sockeye/core').Event;
  export type Event = import('@sockeye/core').Event;
  export const CloseEvent: typeof import('@sockeye/core').CloseEvent;
  export type CloseEvent = import('@sockeye/core').CloseEvent;
  export const ErrorEvent: typeof import('@sockeye/core').ErrorEvent;
  export type ErrorEvent = import('@sockeye/core').ErrorEvent;
  export const PreparedMessage: typeof import('@sockeye/core').PreparedMessage;
  export type PreparedMessage = import('@sockeye/core').PreparedMessage;
  export const WebSocketError: typeof import('@sockeye/core').WebSocketError;
  export type WebSocketError = import('@sockeye/core').WebSocketError;
  export const ProtocolError: typeof import('@sockeye/core').ProtocolError;
  export type ProtocolError = import('@sockeye/core').ProtocolError;
  export const HandshakeError: typeof import('@sockeye/core').HandshakeError;
  export type HandshakeError = import('@sockeye/core').HandshakeError;
  export const ProxyError: typeof import('@sockeye/core').ProxyError;
  export type ProxyError = import('@sockeye/core').ProxyError;
  export const NetworkError: typeof import('@sockeye/core').NetworkError;
  export type NetworkError = import('@sockeye/core').NetworkError;
  export const MessageEvent: typeof import('@sockeye/core').MessageEvent;
  export type MessageEvent<T = string | Buffer> = import('@sockeye/core').MessageEvent<T>;
  export type Client = import('@sockeye/client').Client;
  export type EventSource = import('@sockeye/eventsource').EventSource;
  export type ClientOptions = import('@sockeye/client').ClientOptions;
  export type ClientProtocols = import('@sockeye/client').ClientProtocols;
  export type ProxyOptions = import('@sockeye/client').ProxyOptions;
  export type PermessageDeflateOptions = import('@sockeye/core').PermessageDeflateOptions;
  export type EventSourceOptions = import('@sockeye/eventsource').EventSourceOptions;
  export type SendOptions = import('@sockeye/eventsource').SendOptions;
  export type ServerOptions = import('@sockeye/server').ServerOptions;
  export type AttachOptions = import('@sockeye/server').AttachOptions;
  export type AttachHandle = import('@sockeye/server').AttachHandle;
  export type ListenOptions = import('@sockeye/server').ListenOptions;
  export type ListenHandle = import('@sockeye/server').ListenHandle;
  export type UpgradeRequest = import('@sockeye/server').UpgradeRequest;
}

// Defined after the class body rather than as static fields: the CommonJS build rewrites static
// fields into helper methods that would show up on the class. Every part is an own enumerable
// property (`isWebSocket` too, though the class inherits one): the ES module entry re-exports
// exactly these names from the CommonJS build (scripts/esm-wrapper.mjs).
for (const [name, value] of Object.entries({ ...parts, WebSocket })) {
  Object.defineProperty(WebSocket, name, { value, enumerable: true });
}
