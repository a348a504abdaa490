import type { IncomingMessage, OutgoingHttpHeader } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { StringDecoder } from 'node:string_decoder';
import {
  defineEventHandlers,
  Event,
  EventTargetEmitter,
  headerValue,
  isValidUtf8,
  listHasToken,
  type RequestLike,
  requestUrl,
} from '@sockeye/core';
import { encodeEvent, encodeRetry, PING_COMMENT, type SendOptions } from './encode-event.js';
import {
  DEFAULT_PING,
  DEFAULT_RETRY,
  type EventSourceOptions,
  resolveEventSourceOptions,
} from './event-source-options.js';
import { isEventSource } from './is-event-source.js';

/** The request an {@link EventSource} answers: from `http`, `https`, or `http2`'s compatibility API. */
export type EventSourceRequest = IncomingMessage | Http2ServerRequest;

/**
 * The response an {@link EventSource} writes to: an `http`/`https` `ServerResponse` or an `http2`
 * `Http2ServerResponse`. Only these members are used, so a test double or another framework's
 * Node-compatible response works too.
 */
export interface EventSourceResponse {
  readonly headersSent: boolean;
  readonly writableLength: number;
  setHeader(name: string, value: OutgoingHttpHeader | readonly string[]): unknown;
  writeHead(statusCode: number): unknown;
  /**
   * Sends the headers now (needed on HTTP/1.x, where `writeHead` only queues them). Optional because
   * @types/node does not declare it on `Http2ServerResponse` (Node has it, and there `writeHead`
   * sends the headers anyway). A response without it sends the headers of a stream with
   * `retry: false` with the first event or keep-alive comment.
   */
  flushHeaders?(): void;
  write(chunk: string | Uint8Array): boolean;
  end(): unknown;
  destroy(error?: Error): unknown;
  setTimeout(msecs: number): unknown;
  on(event: 'close' | 'drain' | 'error', listener: (this: EventSourceResponse) => void): unknown;
}

/** What a response may also carry, depending on its kind; read defensively. */
interface ResponseState {
  destroyed?: boolean;
  closed?: boolean;
  stream?: { destroyed?: boolean } | undefined;
}

// Lets the module-level response listeners find their EventSource without a closure per stream.
const kEventSource = Symbol('sockeye.eventSource');
type TaggedResponse = EventSourceResponse & { [kEventSource]?: EventSource };

// Module-private method keys: the package's listeners call them, users cannot.
const kOpen = Symbol('open');
const kDrain = Symbol('drain');

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

/**
 * The events an {@link EventSource} fires, with the arguments its listeners receive (for `on`,
 * `once`, `addEventListener` and the rest). Each is a plain `Event`.
 */
export interface EventSourceEvents {
  /** On the next tick after construction; `readyState` is then `OPEN`. */
  open: [event: Event];
  /** The response's buffer emptied after a send returned `false`. */
  drain: [event: Event];
  /** Once, when the stream ends for any reason; `readyState` is then `CLOSED`. */
  close: [event: Event];
  /** Never fired (the client cannot send on this stream); typed as `onmessage`, which faye has too. */
  message: [event: Event];
  /** Never fired (transport failures end in `close`); typed as `onerror`, which faye has too. */
  error: [event: Event];
}

/**
 * The server end of one server-sent-events stream, as faye-websocket's `EventSource`: build it from
 * a request for which {@link isEventSource} is true and its response, then push events with
 * {@link EventSource.send}. It sends the headers and the `retry:` field at once, a keep-alive
 * comment every `ping` seconds, and fires `close` when {@link EventSource.close} is called or the
 * client goes away.
 *
 * Events (EventEmitter `on(type)` and EventTarget `addEventListener(type)`/`on<type>` alike):
 * - `open`: on the next tick after construction; `readyState` is then `OPEN`.
 * - `drain`: the response's buffer emptied after {@link EventSource.send} returned `false`.
 * - `close`: once, when the stream ends for any reason; `readyState` is then `CLOSED`.
 *
 * `onmessage` and `onerror` exist, as in faye, but never fire: the client cannot send on this
 * stream, and transport failures end in `close`.
 * @typeParam Events - the events and their listener arguments ({@link EventSourceEvents}); a
 *   subclass that fires more passes an extension of it.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#server-sent-events
 */
export class EventSource<
  Events extends EventSourceEvents = EventSourceEvents,
> extends EventTargetEmitter<Events> {
  /** `readyState` before `open`. */
  static readonly CONNECTING = CONNECTING;
  /** `readyState` while the stream is open. */
  static readonly OPEN = OPEN;
  /** Never used for an EventSource (kept for parity with the WebSocket classes). */
  static readonly CLOSING = 2;
  /** `readyState` once closed. As in faye (which shares its constants with WebSocket), 3 and not 2. */
  static readonly CLOSED = CLOSED;
  /** faye-websocket's default `ping` interval, in seconds. */
  static readonly DEFAULT_PING = DEFAULT_PING;
  /** faye-websocket's default `retry` delay, in seconds. */
  static readonly DEFAULT_RETRY = DEFAULT_RETRY;
  /** {@link isEventSource}, where faye puts it. */
  static readonly isEventSource = isEventSource;

  /**
   * Encodes one event once, for writing to many streams with {@link EventSource.sendEncoded}:
   * the bytes `send(data, options)` would write. Same rules and errors as {@link EventSource.send}.
   */
  static encode(data: unknown, options?: SendOptions): Buffer {
    return Buffer.from(encodeEvent(data, options), 'utf8');
  }

  declare readonly CONNECTING: typeof CONNECTING;
  declare readonly OPEN: typeof OPEN;
  declare readonly CLOSING: 2;
  declare readonly CLOSED: typeof CLOSED;
  declare readonly DEFAULT_PING: number;
  declare readonly DEFAULT_RETRY: number;
  declare onopen: ((event: Event) => unknown) | null;
  declare onmessage: ((event: Event) => unknown) | null;
  declare onerror: ((event: Event) => unknown) | null;
  declare onclose: ((event: Event) => unknown) | null;
  declare ondrain: ((event: Event) => unknown) | null;

  /** The URL the client asked for: `http:` or `https:`, the `Host` (or `:authority`) and the path. */
  readonly url: string;
  /**
   * The id of the last event the client saw, from its `Last-Event-ID` request header (or, with
   * the `lastEventIdQuery` option, the query string), or `''`. Client-controlled: treat as input.
   */
  readonly lastEventId: string;

  #readyState: number = CONNECTING;
  #response: TaggedResponse;
  #timer: NodeJS.Timeout | undefined;
  #decoder: StringDecoder | undefined;

  /**
   * Starts the stream on `response`: status 200, `Content-Type: text/event-stream; charset=utf-8`,
   * `Cache-Control: no-cache, no-transform`, `X-Accel-Buffering: no`, `Connection: keep-alive` on
   * HTTP/1.1 only, then `options.headers`; the `retry:` field (or, without one, the bare headers)
   * is flushed at once and Nagle's algorithm is turned off.
   *
   * @throws Error for an unknown option key, RangeError/TypeError for a bad option value, and
   *   Error if the response's headers were already sent.
   */
  constructor(request: EventSourceRequest, response: EventSourceResponse, options?: EventSourceOptions) {
    super();
    const resolved = resolveEventSourceOptions(options);
    if (response.headersSent) throw new Error('EventSource: the response headers were already sent');
    if (request.httpVersionMajor === 2) refuseConnectionHeaders(resolved.headers);
    this.#response = response;
    this.url = requestUrl(request as RequestLike, 'http');
    this.lastEventId = readLastEventId(request, resolved.lastEventIdQuery);

    response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    // no-transform: "an intermediary … MUST NOT transform the content" (RFC 9111 §5.2.2.6), so no
    // compressing proxy holds events back to fill a block.
    response.setHeader('Cache-Control', 'no-cache, no-transform');
    // nginx buffers proxied responses unless told not to.
    response.setHeader('X-Accel-Buffering', 'no');
    // "Connection-specific header fields [...] MUST NOT" appear in HTTP/2 (RFC 9113 §8.2.2), and
    // HTTP/1.0 has no persistent connections by default. A server that receives "close" "MUST
    // initiate closure of the connection after it sends the final response" (RFC 9112 §9.6): Node
    // answers `Connection: close` then, unless told keep-alive here.
    if (
      request.httpVersionMajor === 1 &&
      request.httpVersionMinor >= 1 &&
      !listHasToken(headerValue(request.headers, 'connection'), 'close')
    ) {
      response.setHeader('Connection', 'keep-alive');
    }
    const extra = resolved.headers;
    for (const name of Object.keys(extra)) response.setHeader(name, extra[name]!);

    // The stream is idle between events by design: no socket timeout may cut it.
    response.setTimeout(0);
    if (request.httpVersionMajor === 1) request.socket?.setNoDelay(true);

    (response as TaggedResponse)[kEventSource] = this;
    response.on('close', responseOnClose);
    response.on('drain', responseOnDrain);
    response.on('error', responseOnError);

    response.writeHead(200);
    if (request.method === 'HEAD') {
      // "The HEAD method is identical to GET except that the server MUST NOT send content in the
      // response" (RFC 9110 §9.3.2): the client gets the stream's headers, and the stream ends
      // there. Nothing more can be sent; `close` follows on the next tick, without `open`.
      response.end();
      this.#readyState = CLOSED;
      process.nextTick(eventSourceOnClosedAtOnce, this);
      return;
    }
    // The first write carries the headers with it; without one, flush them on their own so the
    // client sees the stream open now rather than at the first event.
    if (resolved.retryMs >= 0) response.write(encodeRetry(resolved.retryMs));
    else response.flushHeaders?.();

    if (resolved.pingMs > 0) {
      this.#timer = setInterval(eventSourceOnPing, resolved.pingMs, this);
      // An open stream keeps the process alive through its socket; the timer need not.
      this.#timer.unref();
    }
    process.nextTick(eventSourceOnOpen, this);
  }

  /** `CONNECTING` (0) until the `open` event, then `OPEN` (1), then `CLOSED` (3). */
  get readyState(): number {
    return this.#readyState;
  }

  /** True until the stream is closed (faye's stream flag; `pipe()` writes into it). */
  get writable(): boolean {
    return this.#readyState !== CLOSED;
  }

  /** Bytes accepted by `send()` and friends that the response has not handed to the kernel yet. */
  get bufferedAmount(): number {
    return this.#response.writableLength;
  }

  /**
   * Sends one event. `data` goes through `String()`; each of its lines (split on CRLF, CR and LF)
   * becomes a `data:` field, so the client receives the text unchanged.
   *
   * Returns `false` when the stream is closed (nothing is sent) or when the response's buffer is
   * now over its high-water mark: the event is queued, and `drain` fires once the buffer empties.
   * A subscriber that stays behind can be dropped with {@link EventSource.terminate}.
   *
   * @throws TypeError if `options.event` contains CR or LF, or `options.id` contains CR, LF or NUL.
   * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
   */
  send(data: unknown, options?: SendOptions): boolean {
    const text = encodeEvent(data, options);
    if (this.#readyState === CLOSED) return false;
    return this.#response.write(text);
  }

  /**
   * Writes an event built by {@link EventSource.encode} (or any valid event-stream text), so a
   * broadcast encodes once for every subscriber. Same return value as {@link EventSource.send}.
   */
  sendEncoded(chunk: Uint8Array | string): boolean {
    if (this.#readyState === CLOSED) return false;
    return this.#response.write(chunk);
  }

  /**
   * Sends a keep-alive comment (`:`), which clients ignore; also sent every `ping` seconds.
   * Returns as {@link EventSource.send}.
   */
  ping(): boolean {
    if (this.#readyState === CLOSED) return false;
    return this.#response.write(PING_COMMENT);
  }

  /**
   * Stream interface (faye's): sends `chunk` as one event, so a readable can be `pipe()`d in. A
   * `Buffer` is decoded as UTF-8 across chunks, so a character split between two chunks is not
   * mangled; a chunk holding only part of a character sends nothing yet.
   */
  write(chunk: unknown): boolean {
    if (chunk instanceof Uint8Array) {
      if (this.#readyState === CLOSED) return false;
      this.#decoder ??= new StringDecoder('utf8');
      const text = this.#decoder.write(chunk);
      return text === '' ? true : this.send(text);
    }
    return this.send(chunk);
  }

  /**
   * Stream interface: sends `chunk` (if given) as a last event, then {@link EventSource.close}s. A
   * character left incomplete by the last `Buffer` is sent as U+FFFD, as `buffer.toString()` would
   * decode it, rather than dropped.
   */
  end(chunk?: unknown): void {
    if (chunk !== undefined && chunk !== null) this.write(chunk);
    const rest = this.#decoder?.end();
    if (rest) this.send(rest);
    this.close();
  }

  /**
   * Ends the stream: stops the keep-alive timer, ends the response (after any buffered events)
   * and fires `close`. Returns `true` the first time, `false` after.
   *
   * A client that is still connected will reconnect after its retry delay unless told otherwise;
   * answer its next request with `204 No Content` to make it stop.
   */
  close(): boolean {
    if (this.#readyState === CLOSED) return false;
    this.#finish();
    this.#response.end();
    this.dispatchEvent(new Event('close'));
    return true;
  }

  /**
   * Drops the stream at once, discarding buffered events: destroys the response (the TCP
   * connection on HTTP/1.x, the stream on HTTP/2). For a subscriber too slow to keep up, where
   * {@link EventSource.close} would wait for it to read everything. Fires `close` if not yet closed.
   */
  terminate(): void {
    this.#response.destroy();
    if (this.#readyState === CLOSED) return;
    this.#finish();
    this.dispatchEvent(new Event('close'));
  }

  #finish(): void {
    this.#readyState = CLOSED;
    if (this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  /** The `open` transition, run on the next tick. */
  [kOpen](): void {
    if (this.#readyState !== CONNECTING) return;
    if (responseGone(this.#response)) {
      // The client left before the stream was set up: the response's `close` has been and gone.
      this.close();
      return;
    }
    this.#readyState = OPEN;
    this.dispatchEvent(new Event('open'));
  }

  /** The response emitted `drain`. */
  [kDrain](): void {
    if (this.#readyState !== CLOSED) this.dispatchEvent(new Event('drain'));
  }
}

Object.defineProperties(EventSource.prototype, {
  CONNECTING: { value: CONNECTING, enumerable: true },
  OPEN: { value: OPEN, enumerable: true },
  CLOSING: { value: 2, enumerable: true },
  CLOSED: { value: CLOSED, enumerable: true },
  DEFAULT_PING: { value: DEFAULT_PING },
  DEFAULT_RETRY: { value: DEFAULT_RETRY },
});
defineEventHandlers(EventSource, ['open', 'message', 'error', 'close', 'drain']);

/**
 * RFC 9113 §8.2.2: "An endpoint MUST NOT generate an HTTP/2 message containing connection-specific
 * header fields." Node's HTTP/2 `setHeader` throws for them, which here would come after the
 * stream's own headers were set: refused before the response is touched.
 */
function refuseConnectionHeaders(headers: Readonly<Record<string, unknown>>): void {
  for (const name of Object.keys(headers)) {
    if (CONNECTION_SPECIFIC.has(name.toLowerCase())) {
      throw new TypeError(`Invalid header ${name} for an HTTP/2 response: it is connection-specific`);
    }
  }
}

/** The names Node's HTTP/2 layer refuses as connection-specific. */
const CONNECTION_SPECIFIC = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
]);

function eventSourceOnOpen(es: EventSource): void {
  es[kOpen]();
}

function eventSourceOnClosedAtOnce(es: EventSource): void {
  es.dispatchEvent(new Event('close'));
}

function eventSourceOnPing(es: EventSource): void {
  es.ping();
}

function responseOnClose(this: TaggedResponse): void {
  // The client went away (or the response finished after close()): close() is a no-op then.
  this[kEventSource]?.close();
}

function responseOnDrain(this: TaggedResponse): void {
  this[kEventSource]?.[kDrain]();
}

function responseOnError(this: TaggedResponse): void {
  // Without a listener an `error` would crash the process; the stream is unusable either way.
  this[kEventSource]?.terminate();
}

function responseGone(response: EventSourceResponse): boolean {
  const state = response as ResponseState;
  return state.destroyed === true || state.closed === true || state.stream?.destroyed === true;
}

function readLastEventId(request: EventSourceRequest, queryName: string): string {
  const header = request.headers['last-event-id'];
  const value = Array.isArray(header) ? header[0] : header;
  if (value !== undefined && value !== '') return utf8HeaderValue(value);
  if (queryName === '') return '';
  const url = request.url ?? '';
  const question = url.indexOf('?');
  if (question === -1) return '';
  return new URLSearchParams(url.slice(question + 1)).get(queryName) ?? '';
}

/**
 * `value` as the client meant it. A reconnecting client sends the header "set to the last event ID
 * string, encoded as UTF-8" (WHATWG HTML §9.2.3), and Node reads header bytes as Latin-1, so an id
 * such as `café` would arrive as `cafÃ©`. Bytes that are not UTF-8 keep their Latin-1 reading:
 * undici sends an id that fits in Latin-1 that way.
 */
function utf8HeaderValue(value: string): string {
  let ascii = true;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code > 0xff) return value;
    if (code > 0x7f) ascii = false;
  }
  if (ascii) return value;
  const bytes = Buffer.from(value, 'latin1');
  return isValidUtf8(bytes) ? bytes.toString('utf8') : value;
}
