/**
 * Which upgrades a server entry point ({@link attach} on Node's HTTP server, {@link listen} on its
 * own) takes, and what it does with one it takes: the `path`, `filter`, `origins` and `protocols`
 * options, and the clients it made. Both entry points answer what they refuse with {@link refuse}.
 */
import type { Duplex } from 'node:stream';
import { absoluteTarget, httpErrorResponse } from '@sockeye/core';
import { ClientSet } from './client-set.js';
import type { ServerOptions } from './server-options.js';
import { isWebSocket, type UpgradeRequestLike, WebSocket } from './websocket.js';

/** Options that choose the upgrades an entry point takes; the request type is the entry point's. */
export interface RouteOptions<Request> {
  /** Take only upgrades whose path (query excluded) is exactly this. Default: every path. */
  path?: string;
  /** Take only upgrades for which this returns true (checked after `path`). Default: all. */
  filter?: (request: Request) => boolean;
  /**
   * Allowed `Origin` values (compared case-insensitively, e.g. `'https://example.com'`); others are
   * answered `403 Forbidden`. Put `null` in the list to also admit requests without an `Origin`
   * header (non-browser clients). Default: no origin check.
   */
  origins?: readonly (string | null)[];
  /** The subprotocols this server speaks (see the {@link WebSocket} constructor). Default: none. */
  protocols?: readonly string[];
}

/** The keys of {@link RouteOptions}, for option validation. */
export const routeOptionKeys: readonly string[] = ['path', 'filter', 'origins', 'protocols'];

/** The upgrades one entry point takes, and the connections it made of them. */
export class UpgradeRoute<Request extends UpgradeRequestLike> {
  /** The connections taken and not yet closed. */
  readonly clients = new ClientSet();
  readonly #path: string | undefined;
  readonly #filter: ((request: Request) => boolean) | undefined;
  readonly #origins: readonly (string | null)[] | undefined;
  readonly #protocols: readonly string[] | null;
  readonly #options: ServerOptions;
  readonly #onConnection: (ws: WebSocket, request: Request) => void;

  /** `options` holds the route's own keys and the {@link ServerOptions} of every connection. */
  constructor(
    options: RouteOptions<Request> & ServerOptions,
    onConnection: (ws: WebSocket, request: Request) => void,
  ) {
    const { path, filter, origins, protocols, ...serverOptions } = options;
    this.#path = path;
    this.#filter = filter;
    this.#origins = origins?.map((origin) => (origin === null ? null : origin.toLowerCase()));
    this.#protocols = protocols ?? null;
    this.#options = serverOptions;
    this.#onConnection = onConnection;
  }

  /**
   * Whether `request` is a WebSocket upgrade for this route (`path`, then `filter`). A `filter` that
   * throws is a bug in the application, so its error goes on up as ws's does; but first `socket` is
   * answered `500`, since nothing else will answer it and Node no longer times out an upgrade.
   */
  matches(request: Request, socket: Duplex): boolean {
    if (!isWebSocket(request) || (this.#path !== undefined && pathOf(request) !== this.#path)) {
      return false;
    }
    if (this.#filter === undefined) return true;
    try {
      return this.#filter(request);
    } catch (error) {
      refuse(socket, 500, 'Internal Server Error');
      throw error;
    }
  }

  /**
   * Takes a request that {@link matches}: refuses it `403 Forbidden` if its origin is not allowed,
   * else makes the WebSocket and hands it to the entry point's callback.
   */
  take(request: Request, socket: Duplex, head: Buffer): void {
    if (this.#origins !== undefined && !originAllowed(request, this.#origins)) {
      refuse(socket, 403, 'Origin not allowed');
      return;
    }
    const ws = new WebSocket(request, socket, head, this.#protocols, this.#options);
    this.clients.add(ws);
    this.#onConnection(ws, request);
  }

  /** Closes every client with `code` and `reason`. */
  closeAll(code: number, reason: string): void {
    for (const ws of this.clients) ws.close(code, reason);
  }
}

function pathOf(request: UpgradeRequestLike): string {
  const target = request.url ?? '/';
  const url = absoluteTarget(target)?.path ?? target;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function originAllowed(request: UpgradeRequestLike, allowed: readonly (string | null)[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return allowed.includes(null);
  return allowed.includes(String(origin).toLowerCase());
}

/**
 * Answers an upgrade that will not become a WebSocket with `status` and `message` as plain text
 * (`extraHeaders`: whole `Name: value\r\n` lines), then destroys the socket once it is written.
 */
export function refuse(socket: Duplex, status: number, message: string, extraHeaders = ''): void {
  socket.on('error', () => {});
  socket.once('finish', () => socket.destroy());
  socket.end(httpErrorResponse(status, message, extraHeaders));
}
