import type { IncomingMessage } from 'node:http';
import {
  abortHandshake,
  acceptHandshake,
  Connection,
  WebSocket as CoreWebSocket,
  DraftConnection,
  type DriverSocket,
  ErrorCode,
  type Extension,
  failWebSocket,
  HandshakeError,
  isSecureRequest,
  isWebSocketRequest,
  NetworkError,
  nodeDigest,
  openWebSocket,
  Role,
  requestUrl,
  validateOptions,
} from '@sockeye/core';
import {
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_MAX_LENGTH,
  type ServerOptions,
  serverOptionKeys,
} from './server-options.js';

/** What the constructor accepts as the supported subprotocols: a list, or a comma-separated string. */
export type ProtocolList = readonly string[] | string | null | undefined;

/** Shared by every socket made without options (one object fewer per connection). */
const NO_OPTIONS: ServerOptions = Object.freeze({});

let startHandshake: (ws: WebSocket) => void;
let timeoutHandshake: (ws: WebSocket, timeout: number) => void;

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
 */
export class WebSocket extends CoreWebSocket {
  /** Whether `request` asks for a WebSocket upgrade (GET, `Connection: upgrade`, `Upgrade: websocket`). */
  static isWebSocket(request: Pick<IncomingMessage, 'method' | 'headers'>): boolean {
    return isWebSocket(request);
  }

  /** The HTTP request the connection was upgraded from. */
  readonly request: IncomingMessage;

  #socket: DriverSocket;
  #head: Buffer | null;
  #protocols: readonly string[] | null;
  #options: ServerOptions;

  /**
   * @param request the `upgrade` event's request
   * @param socket the `upgrade` event's socket
   * @param head the `upgrade` event's head: bytes that followed the request (frames, or draft-76's key)
   * @param protocols the subprotocols this server speaks; the first of the client's list (in the
   *   client's order) that is here is selected. None in common: the connection opens with protocol ''.
   * @param options see {@link ServerOptions}
   */
  constructor(
    request: IncomingMessage,
    socket: DriverSocket,
    head?: Buffer | null,
    protocols?: ProtocolList,
    options?: ServerOptions | null,
  ) {
    super(baseInit(request, options));
    this.request = request;
    this.#socket = socket;
    this.#head = head !== undefined && head !== null && head.length > 0 ? head : null;
    this.#protocols = protocolList(protocols);
    this.#options = options ?? NO_OPTIONS;
    // Node removes its own listeners from an upgraded socket: until the driver attaches its own, an
    // error (a reset during the handshake) must not become an uncaught exception.
    socket.on('error', ignoreError);
    process.nextTick(startHandshake, this);
  }

  /** The user closed the WebSocket before the handshake ran: drop the connection without an answer. */
  override [abortHandshake](): void {
    this.#socket.destroy();
  }

  static {
    startHandshake = (ws) => ws.#handshake();
    timeoutHandshake = (ws, timeout) => ws.#timedOut(timeout);
  }

  /** A draft-76 client sent no key bytes in time: drop it with a reset (it never completed a handshake). */
  #timedOut(timeout: number): void {
    if (this.readyState !== CoreWebSocket.CONNECTING) return;
    const socket = this.#socket as DriverSocket & { resetAndDestroy?(): unknown };
    if (typeof socket.resetAndDestroy === 'function' && !socket.destroyed) socket.resetAndDestroy();
    failWebSocket(
      this,
      new HandshakeError(
        ErrorCode.HandshakeTimeout,
        `The opening handshake did not complete within ${timeout} ms`,
      ),
    );
  }

  #handshake(): void {
    if (this.readyState !== CoreWebSocket.CONNECTING) return;
    const socket = this.#socket;
    const options = this.#options;
    if (socket.destroyed || !socket.writable) {
      failWebSocket(this, networkGone(this.url));
      socket.destroy();
      return;
    }
    const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
    const result = acceptHandshake(
      this.request,
      {
        protocols: this.#protocols,
        extensions: extensionList(options.extensions),
        maxLength,
        allowDrafts: options.allowDrafts === true,
        ...(options.headers === undefined ? {} : { headers: options.headers }),
        secure: isSecureRequest(this.request),
        url: this.url,
      },
      nodeDigest,
    );
    if (!result.ok) {
      // Send the whole response, then close: destroying at once could discard it.
      socket.once('finish', destroySocket);
      socket.end(result.response);
      failWebSocket(this, result.error, { code: 1002, reason: result.error.message });
      return;
    }
    socket.write(result.response);
    const head = this.#head ?? undefined;
    this.#head = null;
    const { extensions, version, challenge } = result;
    if (version === 'hybi-13') {
      openWebSocket(this, {
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
        extensions: extensions === null ? '' : extensionHeader(result.response),
        head,
      });
      return;
    }
    // hixie-75 opens now; hixie-76 once its 8 key bytes (in `head` or later packets) have arrived.
    const deferOpen = version === 'hixie-76';
    openWebSocket(this, {
      socket,
      engine: (handler, opened) =>
        new DraftConnection(handler, {
          version,
          maxLength,
          ...(deferOpen ? { challenge, digest: nodeDigest, onOpen: opened } : {}),
        }),
      version,
      deferOpen,
      head,
    });
    const timeout = options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT;
    if (deferOpen && timeout > 0 && this.readyState === CoreWebSocket.CONNECTING) {
      const timer = setTimeout(handshakeTimedOut, timeout, this, timeout);
      // Released as soon as the connection opens or closes, so no timer outlives it.
      const release = (): void => clearTimeout(timer);
      this.once('open', release);
      this.once('close', release);
    }
  }
}

function handshakeTimedOut(ws: WebSocket, timeout: number): void {
  timeoutHandshake(ws, timeout);
}

/**
 * Whether `request` asks for a WebSocket upgrade: method GET, a `Connection` header whose token list
 * holds `upgrade`, and an `Upgrade` header with the `websocket` token (case-insensitive).
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1
 */
export function isWebSocket(request: Pick<IncomingMessage, 'method' | 'headers'>): boolean {
  return isWebSocketRequest(request);
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const UNSAFE_VALUE = /[\r\n\0]/;

function baseInit(request: IncomingMessage, options: ServerOptions | null | undefined) {
  validateOptions(options, serverOptionKeys);
  // Bad custom headers throw here, synchronously, rather than out of the handshake tick.
  for (const [name, value] of Object.entries(options?.headers ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    if (!TOKEN.test(name) || values.some((v) => UNSAFE_VALUE.test(String(v)))) {
      throw new TypeError(`Invalid response header: ${JSON.stringify(name)}`);
    }
  }
  const shared = options ?? {};
  return {
    url: requestUrl(request, 'ws'),
    role: 'server' as const,
    options: {
      ...(shared.closeTimeout === undefined ? {} : { closeTimeout: shared.closeTimeout }),
      ...(shared.ping === undefined ? {} : { ping: shared.ping }),
      ...(shared.pingTimeout === undefined ? {} : { pingTimeout: shared.pingTimeout }),
      ...(shared.highWaterMark === undefined ? {} : { highWaterMark: shared.highWaterMark }),
    },
  };
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

function extensionList(extensions: ServerOptions['extensions']): readonly Extension[] {
  if (extensions === undefined) return [];
  return Array.isArray(extensions) ? (extensions as readonly Extension[]) : [extensions as Extension];
}

/** The `Sec-WebSocket-Extensions` value of a 101 response head, '' if absent. */
function extensionHeader(response: Buffer): string {
  const text = response.toString('latin1');
  const match = /\r\nSec-WebSocket-Extensions:[ \t]*([^\r\n]*)/i.exec(text);
  return match?.[1]?.trim() ?? '';
}

function networkGone(url: string) {
  return new NetworkError(ErrorCode.Network, `Network error: ${url}: the socket closed before the handshake`);
}

function ignoreError(): void {}

function destroySocket(this: DriverSocket): void {
  this.destroy();
}
