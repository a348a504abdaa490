import {
  acceptHandshake,
  Connection,
  WebSocket as CoreWebSocket,
  DraftConnection,
  type DriverSocket,
  ErrorCode,
  extensionPlugins,
  failWebSocket,
  guardSocketErrors,
  HandshakeError,
  isSecureRequest,
  isWebSocketRequest,
  NetworkError,
  nodeDigest,
  openWebSocket,
  type RequestLike,
  Role,
  released,
  requestUrl,
  type WebSocketEvents,
} from '@sockeye/core';
import type { ClientSet } from './client-set.js';
import {
  checkServerOptions,
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_MAX_LENGTH,
  type ServerOptions,
  serverOptionKeys,
} from './server-options.js';

/**
 * What a server WebSocket reads of its upgrade request: Node's `IncomingMessage` (the `upgrade`
 * event's first argument), or the {@link UpgradeRequest} that {@link listen} parses itself.
 */
export interface UpgradeRequestLike extends RequestLike {
  method?: string | undefined;
  /** `1.1` for the upgrade requests Node hands over; a request below 1.1 is refused (400). */
  httpVersion?: string | undefined;
  /** The fields as sent, as Node's: a second `Host` line, which `headers` drops, is refused (400). */
  rawHeaders?: readonly string[] | undefined;
}

/** What the constructor accepts as the supported subprotocols: a list, or a comma-separated string. */
export type ProtocolList = readonly string[] | string | null | undefined;

/** The {@link ClientSet} a connection is tracked in, if any. */
export const clientSet = Symbol('clientSet');
/** Where a connection sits in its {@link ClientSet}; `-1` outside one. */
export const clientIndex = Symbol('clientIndex');

/** Shared by every socket made without options (one object fewer per connection). */
const NO_OPTIONS: ServerOptions = Object.freeze({});

/**
 * A WebSocket connection accepted from Node's HTTP `upgrade` event, as faye-websocket's server class:
 *
 * ```js
 * server.on('upgrade', (request, socket, head) => {
 *   if (!WebSocket.isWebSocket(request)) return socket.destroy();
 *   const ws = new WebSocket(request, socket, head, ['chat'], { ping: 30 });
 *   ws.pipe(ws); // echo
 * });
 * ```
 *
 * The handshake runs on the next tick, so listeners attached right after construction see `open`.
 * A failed handshake answers 400 with the reason as plain text (426 with `Sec-WebSocket-Version: 13`
 * for an unsupported version), fires `error` then `close` (1002, the reason, `wasClean` false) and
 * destroys the socket. Messages sent before `open` are queued and flushed in order.
 *
 * The object keeps nothing of the upgrade (request, socket, head, protocols, options): those travel
 * as arguments of the handshake tick, and an open connection holds only what its driver needs
 * (memory per idle connection).
 *
 * Events and their listener arguments: {@link WebSocketEvents} (`open`, `message`, `ping`, `pong`,
 * `error`, `close`, and the stream events `data`, `end`, `drain`).
 * @typeParam Events - a subclass that fires more events passes an extension of `WebSocketEvents`.
 */
export class WebSocket<Events extends WebSocketEvents = WebSocketEvents> extends CoreWebSocket<Events> {
  /** @internal */
  [clientSet]: ClientSet | null = null;
  /** @internal */
  [clientIndex] = -1;

  /** Leaves its client set as it closes, before the `close` event: no listener per connection. */
  override [released](): void {
    this[clientSet]?.delete(this);
  }

  /** Whether `request` asks for a WebSocket upgrade (GET, `Connection: upgrade`, `Upgrade: websocket`). */
  static isWebSocket(request: Pick<UpgradeRequestLike, 'method' | 'headers'>): boolean {
    return isWebSocket(request);
  }

  /**
   * @param request the `upgrade` event's request (or {@link listen}'s)
   * @param socket the `upgrade` event's socket
   * @param head the `upgrade` event's head: bytes that followed the request (frames, or draft-76's key)
   * @param protocols the subprotocols this server speaks; the first of the client's list (in the
   *   client's order) that is here is selected. None in common: the connection opens with protocol ''.
   * @param options see {@link ServerOptions}
   */
  constructor(
    request: UpgradeRequestLike,
    socket: DriverSocket,
    head?: Buffer | null,
    protocols?: ProtocolList,
    options?: ServerOptions | null,
  ) {
    super(baseInit(request, options));
    // Node removes its own listeners from an upgraded socket: until the driver starts, an error (a
    // reset during the handshake) must not become an uncaught exception.
    guardSocketErrors(socket);
    process.nextTick(
      handshake,
      this,
      request,
      socket,
      head !== undefined && head !== null && head.length > 0 ? head : null,
      protocolList(protocols),
      options ?? NO_OPTIONS,
    );
  }
}

/**
 * The opening handshake, on the tick after construction. A WebSocket closed by the user before it
 * ran (CLOSING: its `close` event is due on a later tick) drops the connection without an answer.
 */
function handshake(
  ws: WebSocket,
  request: UpgradeRequestLike,
  socket: DriverSocket,
  head: Buffer | null,
  protocols: readonly string[] | null,
  options: ServerOptions,
): void {
  if (ws.readyState !== CoreWebSocket.CONNECTING) {
    socket.destroy();
    return;
  }
  if (socket.destroyed || !socket.writable) {
    failWebSocket(ws, networkGone(ws.url));
    socket.destroy();
    return;
  }
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  const result = acceptHandshake(
    request,
    {
      protocols,
      extensions: extensionPlugins(options.extensions),
      maxLength,
      allowDrafts: options.allowDrafts === true,
      ...(options.headers === undefined || options.headers === null ? {} : { headers: options.headers }),
      // As the URL's scheme says: isSecureRequest ran for it.
      secure: ws.url.startsWith('wss:'),
      url: ws.url,
    },
    nodeDigest,
  );
  if (!result.ok) {
    // Send the whole response, then close: destroying at once could discard it.
    socket.once('finish', destroySocket);
    socket.end(result.response);
    failWebSocket(ws, result.error, { code: 1002, reason: result.error.message });
    return;
  }
  socket.write(result.response, 'latin1');
  const { extensions, version, challenge } = result;
  if (version === 'hybi-13') {
    openWebSocket(ws, {
      socket,
      engine: (handler) =>
        new Connection(handler, {
          role: Role.Server,
          maxLength,
          ...(options.maxFragments === undefined ? {} : { maxFragments: options.maxFragments }),
          extensions,
        }),
      protocol: result.protocol,
      version,
      extensions: result.extensionResponse,
      head: head ?? undefined,
    });
    return;
  }
  // hixie-75 opens now; hixie-76 once its 8 key bytes (in `head` or later packets) have arrived.
  const deferOpen = version === 'hixie-76';
  openWebSocket(ws, {
    socket,
    engine: (handler, opened) =>
      new DraftConnection(handler, {
        version,
        maxLength,
        ...(deferOpen ? { challenge, digest: nodeDigest, onOpen: opened } : {}),
      }),
    version,
    deferOpen,
    head: head ?? undefined,
  });
  const timeout = options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT;
  if (deferOpen && timeout > 0 && ws.readyState === CoreWebSocket.CONNECTING) {
    const timer = setTimeout(handshakeTimedOut, timeout, ws, socket, timeout);
    // Released as soon as the connection opens or closes, so no timer outlives it.
    const release = (): void => clearTimeout(timer);
    ws.once('open', release);
    ws.once('close', release);
  }
}

/** A draft-76 client sent no key bytes in time: drop it with a reset (it never completed a handshake). */
function handshakeTimedOut(ws: WebSocket, socket: DriverSocket, timeout: number): void {
  if (ws.readyState !== CoreWebSocket.CONNECTING) return;
  const resettable = socket as DriverSocket & { resetAndDestroy?(): unknown };
  if (typeof resettable.resetAndDestroy === 'function' && !socket.destroyed) resettable.resetAndDestroy();
  failWebSocket(
    ws,
    new HandshakeError(
      ErrorCode.HandshakeTimeout,
      `The opening handshake did not complete within ${timeout} ms`,
    ),
  );
}

/**
 * Whether `request` asks for a WebSocket upgrade: method GET, a `Connection` header whose token list
 * holds `upgrade`, and an `Upgrade` header with the `websocket` token (case-insensitive).
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1
 */
export function isWebSocket(request: Pick<UpgradeRequestLike, 'method' | 'headers'>): boolean {
  return isWebSocketRequest(request);
}

function baseInit(request: UpgradeRequestLike, options: ServerOptions | null | undefined) {
  // Bad options throw here, synchronously, rather than out of the handshake tick.
  checkServerOptions(options, serverOptionKeys);
  // The core WebSocket reads its own four settings (closeTimeout, ping, pingTimeout,
  // highWaterMark) from the options as they are: no copy per connection.
  return {
    url: connectionUrl(request),
    role: 'server' as const,
    options: options ?? NO_OPTIONS,
  };
}

/**
 * The last URL {@link sharedUrl} kept, and what it was made of: most upgrades a server sees name
 * the same host and path, and comparing the two fields costs less than building the URL to look
 * it up (a concatenation, flattened and hashed: 1.8k instructions per handshake under callgrind).
 */
let lastUrl: { secure: boolean; host: string; target: string; url: string } | null = null;

/** The connection's `url` ({@link requestUrl}), shared with other connections to the same URL. */
function connectionUrl(request: UpgradeRequestLike): string {
  const secure = isSecureRequest(request);
  const host = request.headers.host;
  const target = request.url;
  const last = lastUrl;
  if (last !== null && host === last.host && target === last.target && secure === last.secure)
    return last.url;
  const url = sharedUrl(requestUrl(request, 'ws'));
  // Only a URL the cache keeps (no query): it may be held after its connection is gone.
  if (typeof host === 'string' && typeof target === 'string' && recentUrls.get(url) === url) {
    lastUrl = { secure, host, target, url };
  }
  return url;
}

/** Recent `url` strings, so that connections to the same URL share one (see {@link sharedUrl}). */
const recentUrls = new Map<string, string>();
const RECENT_URLS_MAX = 256;

/**
 * `url` as a string shared with the other connections to the same URL. Built by concatenation, a
 * URL is a tree of pieces (scheme, host, path: ~150 bytes) that every open connection would keep;
 * most connections of a server name the same few URLs, and these share one flat copy.
 */
function sharedUrl(url: string): string {
  const known = recentUrls.get(url);
  if (known !== undefined) return known;
  // A flat copy: the pieces become garbage.
  const flat = Buffer.from(url, 'utf8').toString('utf8');
  // A query usually differs per connection (and may carry a token, which should not outlive
  // its connection here): nothing to share.
  if (flat.includes('?')) return flat;
  // Bounded: many distinct paths must not grow it without end.
  if (recentUrls.size >= RECENT_URLS_MAX) recentUrls.clear();
  recentUrls.set(flat, flat);
  return flat;
}

function protocolList(protocols: ProtocolList): readonly string[] | null {
  if (protocols === undefined || protocols === null) return null;
  if (typeof protocols === 'string') {
    return protocols
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
  }
  return protocols;
}

function networkGone(url: string) {
  return new NetworkError(ErrorCode.Network, `Network error: ${url}: the socket closed before the handshake`);
}

function destroySocket(this: DriverSocket): void {
  this.destroy();
}
