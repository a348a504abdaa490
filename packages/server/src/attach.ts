import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { Clients } from './client-set.js';
import { checkServerOptions, type ServerOptions, serverOptionKeys } from './server-options.js';
import { type RouteOptions, refuse, routeOptionKeys, UpgradeRoute } from './upgrade-route.js';
import type { WebSocket } from './websocket.js';

/** Options of {@link attach}: which upgrades to take, whom to let in, and the {@link ServerOptions}. */
export interface AttachOptions extends ServerOptions, RouteOptions<IncomingMessage> {}

/** What {@link attach} returns. */
export interface AttachHandle {
  /** The connections taken and not yet closed. */
  readonly clients: Clients;
  /**
   * Stops taking upgrades and closes every client with `code` (default 1001, going away) and `reason`.
   */
  close(code?: number, reason?: string): void;
}

const attachOptionKeys = [...serverOptionKeys, ...routeOptionKeys];

/**
 * Marks every `upgrade` listener `attach()` installs (so each can tell its siblings from foreign
 * listeners) and every upgrade request some handle took. A registered symbol, not module state: an
 * application with two installed copies of this package (two versions in node_modules) has two
 * copies of this module, and handles from both must still see each other's listeners and claims.
 */
const kAttach = Symbol.for('sockeye.attach');
type Marked = { [kAttach]?: true };

/**
 * Whether `listener` is the last of `server`'s `upgrade` listeners and all of them are `attach()`'s:
 * then nobody else will answer an upgrade that none of them took, and Node no longer watches the
 * socket, so leaving it would hold a file descriptor until the client gives up.
 */
function nobodyElseListens(server: HttpServer | HttpsServer, listener: Function): boolean {
  const listeners = server.listeners('upgrade');
  return listeners.at(-1) === listener && listeners.every((l) => (l as Marked)[kAttach] === true);
}

/**
 * Whether no other `upgrade` listener has taken `socket`: Node hands it over with none of its own
 * listeners, so one with an `error` or `data` listener, bytes written, or destroyed was taken by a
 * listener that has since left the list (a `once` listener removes itself before it runs).
 */
function untouched(socket: Duplex): boolean {
  return (
    !socket.destroyed &&
    socket.listenerCount('error') === 0 &&
    socket.listenerCount('data') === 0 &&
    ((socket as { bytesWritten?: number }).bytesWritten ?? 0) === 0
  );
}

/**
 * Accepts WebSocket upgrades on an `http` or `https` server: each upgrade that matches `path` and
 * `filter` (and comes from an allowed origin) becomes a {@link WebSocket}, handed to `onConnection`
 * right after construction (its `open` follows on the next tick, so listeners attached there see it).
 * Upgrades that do not match, and requests that are not WebSocket requests, are left alone for other
 * `upgrade` listeners; when there are none (every `upgrade` listener is an `attach()` handle and none
 * took it), they are answered `400 Bad Request` and closed rather than held open.
 *
 * ```js
 * const handle = attach(server, { path: '/chat', origins: ['https://example.com'] }, (ws) => ws.pipe(ws));
 * ```
 */
export function attach(
  server: HttpServer | HttpsServer,
  options: AttachOptions,
  onConnection: (ws: WebSocket, request: IncomingMessage) => void,
): AttachHandle {
  // Bad options throw now, not on the first connection.
  checkServerOptions(options, attachOptionKeys);
  const route = new UpgradeRoute(options, onConnection);

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // An earlier handle whose route overlaps this one's took it (or refused it): one answer only.
    if ((request as Marked)[kAttach]) return;
    if (!route.matches(request, socket)) {
      if (nobodyElseListens(server, onUpgrade) && untouched(socket)) {
        refuse(socket, 400, 'No WebSocket endpoint here');
      }
      return;
    }
    (request as Marked)[kAttach] = true;
    route.take(request, socket, head);
  };
  (onUpgrade as Marked)[kAttach] = true;
  server.on('upgrade', onUpgrade);

  return {
    clients: route.clients,
    close(code = 1001, reason = '') {
      server.removeListener('upgrade', onUpgrade);
      route.closeAll(code, reason);
    },
  };
}
