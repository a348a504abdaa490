import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { validateOptions } from '@sockeye/core';
import { type ServerOptions, serverOptionKeys } from './server-options.js';
import { isWebSocket, WebSocket } from './websocket.js';

/** Options of {@link attach}: which upgrades to take, whom to let in, and the {@link ServerOptions}. */
export interface AttachOptions extends ServerOptions {
  /** Take only upgrades whose path (query excluded) is exactly this. Default: every path. */
  path?: string;
  /** Take only upgrades for which this returns true (checked after `path`). Default: all. */
  filter?: (request: IncomingMessage) => boolean;
  /**
   * Allowed `Origin` values (compared case-insensitively, e.g. `'https://example.com'`); others are
   * answered `403 Forbidden`. Put `null` in the list to also admit requests without an `Origin`
   * header (non-browser clients). Default: no origin check.
   */
  origins?: readonly (string | null)[];
  /** The subprotocols this server speaks (see the {@link WebSocket} constructor). Default: none. */
  protocols?: readonly string[];
}

/** What {@link attach} returns. */
export interface AttachHandle {
  /** The connections taken and not yet closed. */
  readonly clients: Set<WebSocket>;
  /**
   * Stops taking upgrades and closes every client with `code` (default 1001, going away) and `reason`.
   */
  close(code?: number, reason?: string): void;
}

const attachOptionKeys = [...serverOptionKeys, 'path', 'filter', 'origins', 'protocols'];

/** Every `upgrade` listener `attach()` installed, so each can tell its siblings from foreign listeners. */
const attachListeners = new WeakSet<Function>();
/** Upgrade requests some `attach()` handle took. */
const claimed = new WeakSet<IncomingMessage>();

/**
 * Whether `listener` is the last of `server`'s `upgrade` listeners and all of them are `attach()`'s:
 * then nobody else will answer an upgrade that none of them took, and Node no longer watches the
 * socket, so leaving it would hold a file descriptor until the client gives up.
 */
function nobodyElseListens(server: HttpServer | HttpsServer, listener: Function): boolean {
  const listeners = server.listeners('upgrade');
  return listeners.at(-1) === listener && listeners.every((l) => attachListeners.has(l));
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
  // Unknown keys throw now, not on the first connection.
  validateOptions(options, attachOptionKeys);
  const { path, filter, origins, protocols, ...rest } = options;
  const allowed = origins?.map((origin) => (origin === null ? null : origin.toLowerCase()));
  const clients = new Set<WebSocket>();

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const ours =
      isWebSocket(request) &&
      (path === undefined || pathOf(request) === path) &&
      (filter === undefined || filter(request));
    if (!ours) {
      if (!claimed.has(request) && nobodyElseListens(server, onUpgrade)) {
        reject(socket, 400, 'Bad Request', 'No WebSocket endpoint here');
      }
      return;
    }
    claimed.add(request);
    if (allowed !== undefined && !originAllowed(request, allowed)) {
      reject(socket, 403, 'Forbidden', 'Origin not allowed');
      return;
    }
    const ws = new WebSocket(request, socket, head, protocols ?? null, rest);
    clients.add(ws);
    ws.once('close', () => clients.delete(ws));
    onConnection(ws, request);
  };
  attachListeners.add(onUpgrade);
  server.on('upgrade', onUpgrade);

  return {
    clients,
    close(code = 1001, reason = '') {
      server.removeListener('upgrade', onUpgrade);
      for (const ws of clients) ws.close(code, reason);
    },
  };
}

function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function originAllowed(request: IncomingMessage, allowed: readonly (string | null)[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return allowed.includes(null);
  return allowed.includes(origin.toLowerCase());
}

function reject(socket: Duplex, status: number, statusText: string, message: string): void {
  socket.on('error', () => {});
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
  );
}
