import type * as net from 'node:net';
import type * as tls from 'node:tls';
import {
  abortHandshake,
  type ClientHandshake,
  type ClientHandshakeResult,
  Connection,
  WebSocket as CoreWebSocket,
  checkHeaderOption,
  checkMessageLimits,
  createClientHandshake,
  ErrorCode,
  extensionPlugins,
  failWebSocket,
  HandshakeError,
  HttpHeadParser,
  headerOptionEntries,
  MAX_TIMER_MS,
  NetworkError,
  nodeDigest,
  numberOption,
  openWebSocket,
  ProxyError,
  parseWebSocketUrl,
  Role,
  randomKey,
  urlEndpoint,
  validateOptions,
  type WebSocketError,
  type WebSocketEvents,
} from '@sockeye/core';
import { parseProxyUrl, proxyFromEnvironment } from '@sockeye/proxy';
import {
  type ClientOptions,
  clientOptionKeys,
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_MAX_LENGTH,
  type HeaderValues,
  type ProxyOptions,
  proxyOptionKeys,
} from './client-options.js';
import { openTransport, type TransportOptions } from './transport.js';

/** What the constructor accepts as subprotocols: a list, a single name, or nothing. */
export type ClientProtocols = readonly string[] | string | null | undefined;

const HANDSHAKE_PREFIX = 'Error during WebSocket handshake: ';

let startClient: (client: Client) => void;
let timeoutClient: (client: Client, ms: number) => void;

/**
 * A WebSocket client for Node, as faye-websocket's `WebSocket.Client`:
 *
 * ```js
 * const ws = new Client('wss://example.com/chat', ['chat'], { proxy: { origin: 'http://proxy:3128' } });
 * ws.on('open', () => ws.send('Hello'));
 * ws.on('message', (event) => console.log(event.data));
 * ws.on('close', (event) => console.log(event.code, event.reason, event.wasClean));
 * ```
 *
 * The connection starts at once (the socket opens on the next tick, so listeners attached right
 * after construction see everything). Messages sent before `open` are queued and flushed in order.
 * Every frame sent is masked; a masked frame from the server fails the connection (1002).
 *
 * Failures before `open` fire `error` then `close` (code 1006, `wasClean` false; WHATWG "fail the
 * WebSocket connection", where faye says 1002) and free the socket:
 * - a bad answer from the server: `HandshakeError`, message "Error during WebSocket handshake: …",
 *   `statusCode`/`headers` of the response;
 * - a proxy that refuses the tunnel: `ProxyError` "Can't establish a connection to the server at <url>"
 *   with the proxy's `statusCode` and `headers`;
 * - a transport failure: `NetworkError` "Network error: <url>: <reason>";
 * - no handshake within `handshakeTimeout`: `HandshakeError` with code `WS_ERR_HANDSHAKE_TIMEOUT`.
 *
 * `close()` before the handshake completes abandons it without sending a frame: `close` 1006.
 *
 * Events and their listener arguments: {@link WebSocketEvents} (`open`, `message`, `ping`, `pong`,
 * `error`, `close`, and the stream events `data`, `end`, `drain`).
 * @typeParam Events - a subclass that fires more events passes an extension of `WebSocketEvents`.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.1
 */
export class Client<Events extends WebSocketEvents = WebSocketEvents> extends CoreWebSocket<Events> {
  #target: URL;
  #protocols: string[];
  #options: ClientOptions;
  #statusCode: number | undefined = undefined;
  #headers: Record<string, string> | undefined = undefined;
  #abort = new AbortController();
  #socket: net.Socket | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #proxy: TransportOptions['proxy'];
  #handshake: ClientHandshake;

  /**
   * @param url a `ws:` or `wss:` URL; anything else throws `"<url> is not a valid WebSocket URL"`
   * @param protocols subprotocols to offer, in order of preference (`Sec-WebSocket-Protocol`)
   * @param options see {@link ClientOptions}
   */
  constructor(url: string | URL, protocols?: ClientProtocols, options?: ClientOptions | null) {
    const opts = options ?? {};
    validateOptions(opts, clientOptionKeys);
    // The engine is built when the server's 101 arrives, inside a socket callback: check its
    // limits now, where a RangeError reaches the caller.
    checkMessageLimits(opts);
    const target = parseWebSocketUrl(String(url));
    super({
      url: String(url),
      role: 'client',
      options: {
        ...(opts.closeTimeout !== undefined ? { closeTimeout: opts.closeTimeout } : {}),
        ...(opts.ping !== undefined ? { ping: opts.ping } : {}),
        ...(opts.pingTimeout !== undefined ? { pingTimeout: opts.pingTimeout } : {}),
        ...(opts.highWaterMark !== undefined ? { highWaterMark: opts.highWaterMark } : {}),
      },
    });
    this.#target = target;
    this.#protocols = protocolList(protocols);
    this.#options = opts;
    this.#proxy = resolveProxy(target, opts.proxy);
    this.#handshake = createClientHandshake(
      target,
      {
        protocols: this.#protocols,
        ...(opts.headers === undefined || opts.headers === null
          ? {}
          : { headers: headerStrings(opts.headers) }),
        ...(opts.extensions ? { extensions: extensionPlugins(opts.extensions) } : {}),
        maxLength: opts.maxLength ?? DEFAULT_MAX_LENGTH,
      },
      randomKey(),
      nodeDigest,
    );
    const timeout = numberOption(
      opts.handshakeTimeout ?? undefined,
      DEFAULT_HANDSHAKE_TIMEOUT,
      'handshakeTimeout',
      MAX_TIMER_MS,
    );
    if (timeout > 0) {
      this.#timer = setTimeout(clientTimeout, timeout, this, timeout);
    }
    process.nextTick(startClient, this);
  }

  /** The HTTP status of the handshake response (101 once open), or undefined before one arrived. */
  get statusCode(): number | undefined {
    return this.#statusCode;
  }

  /** The handshake response's headers, names lower-cased, or undefined before one arrived. */
  get headers(): Record<string, string> | undefined {
    return this.#headers;
  }

  /** Abandons the opening handshake when the user calls `close()` while CONNECTING. */
  override [abortHandshake](): void {
    this.#clearTimer();
    this.#abort.abort(new Error('The WebSocket was closed before the connection was established'));
    this.#socket?.destroy();
    this.#socket = null;
  }

  static {
    startClient = (client) => {
      client.#start().catch((error: unknown) => client.#failWith(error));
    };
    timeoutClient = (client, ms) => client.#timedOut(ms);
  }

  #timedOut(ms: number): void {
    this.#timer = null;
    this.#failWith(
      new HandshakeError(ErrorCode.HandshakeTimeout, `${HANDSHAKE_PREFIX}no answer within ${ms} ms`),
    );
  }

  async #start(): Promise<void> {
    if (this.#abort.signal.aborted) return;
    const target = this.#target;
    const secure = target.protocol === 'wss:';
    const { host, port } = urlEndpoint(target);
    const options = this.#options;
    const tlsOptions: tls.ConnectionOptions = { ...options.tls };
    if (tlsOptions.ca === undefined && options.ca !== undefined) tlsOptions.ca = options.ca;

    const socket = await openTransport({
      host,
      port,
      secure,
      url: this.url,
      net: options.net ?? {},
      tls: tlsOptions,
      proxy: this.#proxy,
      signal: this.#abort.signal,
    });
    if (this.#abort.signal.aborted) {
      socket.destroy();
      return;
    }
    this.#socket = socket;
    const handshake = this.#handshake;
    socket.on('error', ignore);
    // The parser's limits (8 KiB lines, 128 fields). Interim answers (`100 Continue`, `103 Early
    // Hints`) are skipped; the handshake timeout bounds a server that sends nothing else.
    const parser = new HttpHeadParser('response', { skipInterim: true });
    const onData = (chunk: Buffer): void => {
      let head: ReturnType<HttpHeadParser['push']>;
      try {
        head = parser.push(chunk);
      } catch (error) {
        finish();
        this.#failWith(handshakeError(error));
        return;
      }
      if (head === null) return;
      finish();
      this.#statusCode = head.statusCode;
      this.#headers = { ...head.headers };
      let accepted: ClientHandshakeResult;
      try {
        accepted = handshake.validate(head);
      } catch (error) {
        this.#failWith(handshakeError(error));
        return;
      }
      this.#clearTimer();
      this.#socket = null;
      socket.removeListener('error', ignore);
      socket.pause();
      openWebSocket(this, {
        socket,
        engine: (handler) =>
          new Connection(handler, {
            role: Role.Client,
            maxLength: options.maxLength ?? DEFAULT_MAX_LENGTH,
            ...(options.maxFragments !== undefined ? { maxFragments: options.maxFragments } : {}),
            extensions: accepted.extensions,
          }),
        protocol: accepted.protocol,
        version: 'hybi-13',
        extensions: accepted.extensions === null ? '' : (head.headers['sec-websocket-extensions'] ?? ''),
        head: parser.rest,
      });
    };
    const onError = (error: Error): void => {
      finish();
      this.#failWith(new NetworkError(ErrorCode.Network, error.message, { cause: error }));
    };
    const onEnd = (): void => {
      finish();
      this.#failWith(
        new HandshakeError(
          ErrorCode.HandshakeInvalidResponse,
          `${HANDSHAKE_PREFIX}the server closed the connection before answering`,
        ),
      );
    };
    const finish = (): void => {
      socket.removeListener('data', onData);
      socket.removeListener('error', onError);
      socket.removeListener('end', onEnd);
      socket.removeListener('close', onEnd);
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.write(handshake.request);
    socket.resume();
  }

  /** Fails the opening: `error`, then `close` 1006; frees the socket and the timer. */
  #failWith(cause: unknown): void {
    this.#clearTimer();
    this.#abort.abort(cause);
    const socket = this.#socket;
    this.#socket = null;
    socket?.destroy();
    if (this.readyState !== CoreWebSocket.CONNECTING) return;
    if (cause instanceof ProxyError) {
      failWebSocket(this, cause);
    } else if (cause instanceof HandshakeError) {
      if (cause.statusCode !== undefined) this.#statusCode = cause.statusCode;
      failWebSocket(this, cause);
    } else if (cause instanceof NetworkError) {
      failWebSocket(
        this,
        new NetworkError(cause.code, `Network error: ${this.url}: ${cause.message}`, {
          cause: cause.cause ?? cause,
        }),
      );
    } else {
      const message = cause instanceof Error ? cause.message : String(cause);
      failWebSocket(
        this,
        new NetworkError(ErrorCode.Network, `Network error: ${this.url}: ${message}`, {
          cause,
        }) as WebSocketError,
      );
    }
  }

  #clearTimer(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  }
}

function clientTimeout(client: Client, ms: number): void {
  timeoutClient(client, ms);
}

function ignore(): void {}

function handshakeError(error: unknown): HandshakeError {
  if (error instanceof HandshakeError) {
    if (error.message.startsWith(HANDSHAKE_PREFIX)) return error;
    return new HandshakeError(error.code, `${HANDSHAKE_PREFIX}${error.message}`, {
      cause: error,
      ...(error.statusCode !== undefined ? { statusCode: error.statusCode } : {}),
      headers: error.headers,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new HandshakeError(ErrorCode.HandshakeInvalidResponse, `${HANDSHAKE_PREFIX}${message}`, {
    cause: error,
  });
}

/**
 * The `headers` option as one string per header, arrays joined with `, `. A header whose value is
 * `undefined`, `null` or `[]` is left out (faye leaves `undefined` out: `{ Cookie:
 * request.headers.cookie }` is a common pattern); any other value that is not a string, number or
 * boolean (or an array of them) throws a `TypeError` now, in the constructor.
 */
function headerStrings(headers: HeaderValues): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of headerOptionEntries(headers)) out[name] = values.join(', ');
  return out;
}

function protocolList(protocols: ClientProtocols): string[] {
  if (protocols === null || protocols === undefined) return [];
  if (typeof protocols === 'string') return protocols === '' ? [] : [protocols];
  return [...protocols];
}

function resolveProxy(target: URL, proxy: ProxyOptions | undefined): TransportOptions['proxy'] {
  if (proxy === undefined || proxy === null) return null;
  if (typeof proxy !== 'object') throw new TypeError('The proxy option must be an object');
  validateOptions(proxy, proxyOptionKeys);
  if (proxy.origin !== undefined && proxy.fromEnvironment) {
    throw new TypeError('The proxy option takes either origin or fromEnvironment, not both');
  }
  // The CONNECT builder's own rule, checked here so that a bad header throws its TypeError from the
  // constructor rather than failing the connection later as a network error; checked even when no
  // proxy applies (`fromEnvironment` with none set): a bad value is a bug whatever the environment.
  checkHeaderOption(proxy.headers, 'proxy.headers');
  let url: URL | null = null;
  if (proxy.origin !== undefined) url = parseProxyUrl(String(proxy.origin));
  else if (proxy.fromEnvironment) url = proxyFromEnvironment(target, process.env);
  if (url === null) return null;
  return { url, headers: proxy.headers ?? undefined, tls: proxy.tls };
}
