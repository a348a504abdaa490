import { Client } from '@sockeye/client';
import { permessageDeflate, validateOptions } from '@sockeye/core';
import { EventSource } from '@sockeye/eventsource';
import { WebSocket as ServerWebSocket } from '@sockeye/server';

/**
 * What `require('sockeye')` returns, shaped like `require('faye-websocket')`: the server-side
 * WebSocket class, carrying the rest of the API as static members (`WebSocket.Client`,
 * `WebSocket.EventSource`, `WebSocket.isWebSocket` (inherited), `WebSocket.validateOptions` and
 * `WebSocket.WebSocket`, itself).
 *
 * A subclass, so that `@sockeye/server`'s own class stays free of the umbrella's statics.
 */
export class WebSocket extends ServerWebSocket {
  /** The client class: `new WebSocket.Client(url, protocols, options)`. */
  declare static readonly Client: typeof Client;
  /** The server-sent events class: `new WebSocket.EventSource(request, response, options)`. */
  declare static readonly EventSource: typeof EventSource;
  /** Throws `Unrecognized option: <key>` for a key not in the list, as faye-websocket does. */
  declare static readonly validateOptions: typeof validateOptions;
  /** sockeye's permessage-deflate: `extensions: [WebSocket.permessageDeflate()]` (not in faye). */
  declare static readonly permessageDeflate: typeof permessageDeflate;
  /** The class itself, as `require('faye-websocket').WebSocket`. */
  declare static readonly WebSocket: typeof WebSocket;
}

// Defined after the class body rather than as static fields: the CommonJS build rewrites static
// fields into helper methods that would show up on the class.
for (const [name, value] of Object.entries({
  Client,
  EventSource,
  permessageDeflate,
  validateOptions,
  WebSocket,
})) {
  Object.defineProperty(WebSocket, name, { value, enumerable: true });
}
