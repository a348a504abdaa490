import { Client } from '@sockeye/client';
import { validateOptions } from '@sockeye/core';
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
  static readonly Client: typeof Client = Client;
  /** The server-sent events class: `new WebSocket.EventSource(request, response, options)`. */
  static readonly EventSource: typeof EventSource = EventSource;
  /** Throws `Unrecognized option: <key>` for a key not in the list, as faye-websocket does. */
  static readonly validateOptions: typeof validateOptions = validateOptions;
  /** The class itself, as `require('faye-websocket').WebSocket`. */
  static readonly WebSocket: typeof WebSocket = WebSocket;
}
