/**
 * A WebSocket server on its own port (as `ws`'s `{ port }`): a TCP server whose connections sockeye
 * reads itself, from the request head to the last frame, with no `http.Server` in between. The head
 * goes through {@link HttpHeadParser} under sockeye's limits (DESIGN.md: 8 KiB per line, 128 fields;
 * here also 16 KiB in all and a deadline) and straight to the handshake. A handshake costs a little
 * less than through Node's HTTP server (no `IncomingMessage`; bench/README.md).
 */
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import {
  guardSocketErrors,
  type HandshakeError,
  type HttpHead,
  HttpHeadParser,
  isHttp11OrLater,
} from '@sockeye/core';
import type { Clients } from './client-set.js';
import { checkServerOptions, type ServerOptions, serverOptionKeys } from './server-options.js';
import { UpgradeRequest } from './upgrade-request.js';
import { type RouteOptions, refuse, routeOptionKeys, UpgradeRoute } from './upgrade-route.js';
import { isWebSocket, type WebSocket } from './websocket.js';

/** Options of {@link listen}: where to listen, which upgrades to take, and the {@link ServerOptions}. */
export interface ListenOptions extends ServerOptions, RouteOptions<UpgradeRequest> {
  /** TCP port; `0` (the default) picks a free one, read it from the handle's `port`. */
  port?: number;
  /** Address to listen on. Default: every interface, as `net.Server#listen`. */
  host?: string;
  /** Most connections waiting to be accepted. Default `511`. */
  backlog?: number;
}

/** What {@link listen} resolves with. */
export interface ListenHandle {
  /** The TCP server. Its `connection` events are sockeye's; listen to `close` or `listening` freely. */
  readonly server: Server;
  /** The port listened on. */
  readonly port: number;
  /** The connections taken and not yet closed. */
  readonly clients: Clients;
  /**
   * Stops accepting, drops connections still sending their request, and closes every client with
   * `code` (default 1001, going away) and `reason`. Resolves once every connection has ended and
   * every client's `close` event has fired.
   */
  close(code?: number, reason?: string): Promise<void>;
}

const listenOptionKeys = [...serverOptionKeys, ...routeOptionKeys, 'port', 'host', 'backlog'];

/**
 * The most bytes a request head may take, request line to blank line: Node's HTTP server's default
 * (`--max-http-header-size`, 16 KiB), on top of the parser's 8 KiB per line and 128 fields.
 */
export const MAX_HEAD_BYTES = 16 * 1024;

/**
 * Listens on `port` for WebSocket clients only: each upgrade request that matches `path` and `filter`
 * (and comes from an allowed origin) becomes a {@link WebSocket}, handed to `onConnection` with the
 * {@link UpgradeRequest} right after construction (its `open` follows on the next tick). Every other
 * request is answered and closed: `426 Upgrade Required` when it is not a WebSocket upgrade, `400`
 * when it is for another path or malformed, `403` for an origin not allowed, `431` when its head is
 * over {@link MAX_HEAD_BYTES}, and `408` when it has not arrived within `handshakeTimeout`.
 *
 * ```js
 * const handle = await listen({ port: 8080, path: '/chat' }, (ws, request) => ws.pipe(ws));
 * ```
 * @returns the handle once the server listens; rejects if it cannot (`EADDRINUSE`, …).
 */
export function listen(
  options: ListenOptions,
  onConnection: (ws: WebSocket, request: UpgradeRequest) => void,
): Promise<ListenHandle> {
  // Bad options throw now, not on the first connection.
  const handshakeTimeout = checkServerOptions(options, listenOptionKeys);
  const { port = 0, host, backlog, ...rest } = options;
  const route = new UpgradeRoute(rest, onConnection);

  const upgrade = (request: UpgradeRequest, socket: Socket, head: Buffer): void => {
    // RFC 6455 §4.1: "The method of the request MUST be GET, and the HTTP version MUST be at least 1.1."
    if (!isHttp11OrLater(request.httpVersion)) {
      refuse(socket, 400, 'A WebSocket upgrade needs HTTP/1.1');
    } else if (route.matches(request, socket)) {
      route.take(request, socket, head);
    } else if (isWebSocket(request)) {
      refuse(socket, 400, 'No WebSocket endpoint here');
    } else {
      refuse(socket, 426, 'This server speaks WebSocket only', UPGRADE_REQUIRED);
    }
  };
  const heads = new HeadReader(handshakeTimeout, upgrade);
  // As Node's HTTP server: half-open sockets, so the connection's closing handshake runs the same.
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => heads.add(socket));
  // After `listen`, the server's only errors are failed `accept` calls (EMFILE when a flood of
  // connections has used up the file descriptors): that connection is lost and the server goes on.
  // Unhandled, the `error` event would end the process.
  const onAcceptError = (): void => {};

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog }, () => {
      server.removeListener('error', reject);
      server.on('error', onAcceptError);
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        clients: route.clients,
        async close(code = 1001, reason = '') {
          const stopped = new Promise<void>((done) => server.close(() => done()));
          // Resolved once every client's `close` event has fired, not only its socket's.
          const closed = [...route.clients].map((ws) => new Promise((done) => ws.once('close', done)));
          heads.close();
          route.closeAll(code, reason);
          await Promise.all([stopped, ...closed]);
        },
      });
    });
  });
}

/**
 * RFC 9110 §15.5.22: a 426 "MUST send an Upgrade header field"; §7.8: its sender "MUST also send
 * an "upgrade" connection option in the Connection header field" (a second `Connection` line adds
 * to the first's `close`, RFC 9110 §5.3).
 */
const UPGRADE_REQUIRED = 'Connection: Upgrade\r\nUpgrade: websocket\r\n';

/**
 * One connection whose request head has not all arrived: a link in its reader's list, and the
 * listeners that find it again.
 */
class Waiting {
  prev: Waiting | null = null;
  next: Waiting | null = null;
  /** Set when a head comes in more than one chunk. */
  parser: HttpHeadParser | null = null;
  received = 0;
  readonly onData: (chunk: Buffer) => void;
  readonly onEnd: () => void;
  readonly onClose: () => void;

  constructor(
    readonly socket: Socket,
    /** When the head is due, in `performance.now()` ms. */
    readonly due: number,
    reader: HeadReader,
  ) {
    this.onData = (chunk) => reader.receive(this, chunk);
    this.onEnd = () => reader.ended(this);
    this.onClose = () => reader.forget(this);
  }
}

/**
 * The connections of one server whose request head has not all arrived, oldest first, and one timer
 * that refuses those past their time.
 *
 * A linked list rather than a `Map` from socket to state: V8 promotes what a hash table references
 * to the old generation more often (about 1.4 times the promoted bytes per young-generation
 * collection in the handshake benchmark), and the major collections that follow cost more than the
 * list.
 */
class HeadReader {
  #oldest: Waiting | null = null;
  #newest: Waiting | null = null;
  readonly #timeout: number;
  readonly #upgrade: (request: UpgradeRequest, socket: Socket, head: Buffer) => void;
  readonly #sweeper: NodeJS.Timeout | undefined;

  constructor(timeout: number, upgrade: (request: UpgradeRequest, socket: Socket, head: Buffer) => void) {
    this.#timeout = timeout;
    this.#upgrade = upgrade;
    if (timeout > 0) {
      // A head is refused between `timeout` and `timeout` plus a quarter of it (at most 1 s) late.
      this.#sweeper = setInterval(() => this.#sweep(), Math.min(1000, Math.max(10, timeout >> 2)));
      this.#sweeper.unref();
    }
  }

  add(socket: Socket): void {
    const waiting = new Waiting(socket, performance.now() + this.#timeout, this);
    waiting.prev = this.#newest;
    if (this.#newest === null) this.#oldest = waiting;
    else this.#newest.next = waiting;
    this.#newest = waiting;
    socket.on('data', waiting.onData);
    socket.on('end', waiting.onEnd);
    socket.on('close', waiting.onClose);
    // Stays after the head: the WebSocket's driver takes it over, and a refused socket keeps
    // ignoring a late reset.
    guardSocketErrors(socket);
  }

  /**
   * The client sent its FIN before the end of its head. The server is half-open (the WebSocket
   * needs it), so Node would keep the socket until the head timeout, and for ever without one:
   * answer 400 to a head begun, as Node's HTTP server does, and close.
   */
  ended(waiting: Waiting): void {
    this.forget(waiting);
    if (waiting.received > 0) {
      refuse(waiting.socket, 400, 'The connection ended before the request head was complete');
    } else waiting.socket.destroy();
  }

  /** Stops the timer and drops every connection still sending its head. */
  close(): void {
    clearInterval(this.#sweeper);
    while (this.#oldest !== null) {
      const { socket } = this.#oldest;
      this.forget(this.#oldest);
      socket.destroy();
    }
  }

  receive(waiting: Waiting, chunk: Buffer): void {
    const { socket } = waiting;
    const parser = waiting.parser ?? new HttpHeadParser('request');
    const received = waiting.received + chunk.length;
    let head: HttpHead | null;
    try {
      head = parser.push(chunk);
    } catch (error) {
      this.forget(waiting);
      const refusal = error as HandshakeError;
      refuse(socket, refusal.statusCode ?? 400, refusal.message);
      return;
    }
    if (head === null && received <= MAX_HEAD_BYTES) {
      waiting.parser = parser;
      waiting.received = received;
      return;
    }
    this.forget(waiting);
    if (head === null || received - parser.rest.length > MAX_HEAD_BYTES) {
      refuse(socket, 431, `HTTP request head larger than ${MAX_HEAD_BYTES} bytes`);
      return;
    }
    // Removing the `data` listener leaves the socket flowing with none: no bytes are lost, because
    // the WebSocket's driver attaches its own before the next I/O callback (on the handshake tick).
    this.#upgrade(new UpgradeRequest(head, socket), socket, parser.rest);
  }

  forget(waiting: Waiting): void {
    const { prev, next, socket } = waiting;
    if (prev === null) this.#oldest = next;
    else prev.next = next;
    if (next === null) this.#newest = prev;
    else next.prev = prev;
    waiting.prev = null;
    waiting.next = null;
    socket.removeListener('data', waiting.onData);
    socket.removeListener('end', waiting.onEnd);
    socket.removeListener('close', waiting.onClose);
  }

  #sweep(): void {
    const now = performance.now();
    while (this.#oldest !== null && this.#oldest.due <= now) {
      const { socket } = this.#oldest;
      this.forget(this.#oldest);
      refuse(socket, 408, `No request head within ${this.#timeout} ms`);
    }
  }
}
