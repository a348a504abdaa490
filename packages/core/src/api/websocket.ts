import type { WebSocketError } from '../errors.js';
import {
  type DriverHandler,
  type DriverSocket,
  SocketDriver,
  type SocketDriverOptions,
} from '../node/socket-driver.js';
import { MAX_TIMER_MS, numberOption } from '../options.js';
import type { Engine, EngineHandler } from '../protocol/engine.js';
import { closeCodeArgument, validateCloseArguments } from './close-arguments.js';
import { CloseEvent, ErrorEvent, Event, MessageEvent } from './event.js';
import { defineEventHandlers, EventTargetEmitter, hasListeners } from './event-target.js';
import { binaryPayload, controlPayload, type MessageData } from './message-data.js';
import { type MessageSink, type PipeOptions, pipeMessages } from './pipe.js';
import { PreparedMessage } from './prepared-message.js';
import { ReadyState } from './ready-state.js';

/**
 * The hook a server or client subclass implements to abandon its opening handshake when the user
 * calls `close()` while CONNECTING (see {@link WebSocket}).
 */
export const abortHandshake: unique symbol = Symbol('sockeye.abortHandshake');
/**
 * Options every sockeye WebSocket (server or client) understands, besides its own. Server and client
 * classes validate the keys (unknown keys throw) and pass these through {@link WebSocketInit.options}.
 */
export interface WebSocketOptions {
  /**
   * Milliseconds to wait, after a close frame was sent, for the peer's close frame and then its TCP
   * FIN; then the socket is destroyed and `close` fires with 1006 (or the peer's code if its close
   * frame did arrive). `0` waits forever. Default `30000` (faye's fixed 30 s; ws's option is in ms too).
   */
  closeTimeout?: number;
  /** Seconds between automatic pings (faye's option). Default: no automatic ping. */
  ping?: number;
  /**
   * With `ping` set: milliseconds to wait for a pong after a ping; a peer that answers none is dropped
   * (error `WS_ERR_PING_TIMEOUT`, close 1006, socket destroyed). `0` disables dead-peer detection.
   * Default: the ping interval (`ping * 1000`).
   */
  pingTimeout?: number;
  /**
   * Bytes of `bufferedAmount` at which `send()` starts returning false; `drain` fires when it falls
   * below again. Default `1048576` (1 MiB): enough for a 64 KiB-frame stream at full speed, small
   * enough that a few thousand stalled readers cannot exhaust memory.
   */
  highWaterMark?: number;
}

/** The keys of {@link WebSocketOptions}, for `validateOptions`. */
export const webSocketOptionKeys: readonly string[] = [
  'closeTimeout',
  'ping',
  'pingTimeout',
  'highWaterMark',
];

/** The default of {@link WebSocketOptions.closeTimeout}. */
export const DEFAULT_CLOSE_TIMEOUT = 30_000;
/** The default of {@link WebSocketOptions.highWaterMark}. */
export const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;

/** What a server or client subclass tells the base class when it constructs it. */
export interface WebSocketInit {
  /** The `url` property: for a server, `ws(s)://` + Host + path; for a client, the URL given. */
  url: string;
  /** `server` closes TCP first after the closing handshake; `client` waits for the server's FIN. */
  role: 'server' | 'client';
  /** The `version` property until {@link openWebSocket} says otherwise. Default `'hybi-13'`. */
  version?: string;
  /** The shared options (already validated for unknown keys by the subclass). */
  options?: WebSocketOptions | undefined;
}

/** What {@link openWebSocket} needs once the opening handshake has succeeded. */
export interface WebSocketOpenParams {
  /** The transport, with the handshake already written (server) or read (client). */
  socket: DriverSocket;
  /**
   * Builds the protocol engine, given the handler it must report to, e.g.
   * `(handler) => new Connection(handler, { role: Role.Server, maxLength, extensions })`. With
   * {@link deferOpen}, the engine calls `opened()` when its handshake completes (hixie-76:
   * `new DraftConnection(handler, { ..., onOpen: opened })`).
   */
  engine: (handler: EngineHandler, opened: () => void) => Engine;
  /**
   * The engine completes the handshake itself (hixie-76 waits for 8 key bytes after the head): keep
   * CONNECTING, hand queued messages to the engine (which holds them), start reading, and go OPEN
   * (firing `open`) when the engine calls `opened()`. Default `false`: OPEN at once.
   */
  deferOpen?: boolean;
  /** The negotiated subprotocol, '' for none. */
  protocol?: string;
  /** `hybi-13`, `hixie-76` or `hixie-75`. */
  version?: string;
  /**
   * The negotiated `Sec-WebSocket-Extensions` value, '' for none. Any extension disables the
   * {@link WebSocket.sendPrepared} fast path (an extension may transform every message).
   */
  extensions?: string;
  /** Bytes that arrived after the handshake head (frames sent in the same packet): parsed after `open`. */
  head?: Buffer | undefined;
}

/** Where a failed opening handshake leaves the close event. */
export interface WebSocketFailOptions {
  /** The close event's code. Default `1006` (WHATWG "fail the WebSocket connection"). */
  code?: number;
  /** The close event's reason. Default `''`. */
  reason?: string;
}

const kText = 0;
const kBinary = 1;
const kPing = 2;
const kPong = 3;

interface Pending {
  kind: number;
  data: string | Buffer;
}

/**
 * A WebSocket's fixed settings, resolved from its options. Also the driver's options (passed by
 * reference): WebSockets with default options all share one object (never mutated), rather than
 * each WebSocket and each driver carrying copies (memory per idle connection).
 */
interface Settings extends SocketDriverOptions {
  readonly highWaterMark: number;
}

/** The one place settings are made, so that all have the same shape. */
function makeSettings(
  role: 'server' | 'client',
  closeTimeout: number,
  pingInterval: number,
  pingTimeout: number,
  highWaterMark: number,
): Settings {
  return { role, closeTimeout, pingInterval, pingTimeout, highWaterMark };
}

const SERVER_DEFAULTS = makeSettings('server', DEFAULT_CLOSE_TIMEOUT, 0, 0, DEFAULT_HIGH_WATER_MARK);
const CLIENT_DEFAULTS = makeSettings('client', DEFAULT_CLOSE_TIMEOUT, 0, 0, DEFAULT_HIGH_WATER_MARK);

function resolveSettings(role: 'server' | 'client', options: WebSocketOptions): Settings {
  const { closeTimeout, ping, pingTimeout, highWaterMark } = options;
  if (
    closeTimeout === undefined &&
    ping === undefined &&
    pingTimeout === undefined &&
    highWaterMark === undefined
  ) {
    return role === 'server' ? SERVER_DEFAULTS : CLIENT_DEFAULTS;
  }
  // `ping` is in seconds (faye's unit), the others in milliseconds: each must fit a Node timer.
  const pingInterval = numberOption(ping, 0, 'ping', Math.floor(MAX_TIMER_MS / 1000)) * 1000;
  return makeSettings(
    role,
    numberOption(closeTimeout, DEFAULT_CLOSE_TIMEOUT, 'closeTimeout', MAX_TIMER_MS),
    pingInterval,
    numberOption(pingTimeout, pingInterval, 'pingTimeout', MAX_TIMER_MS),
    numberOption(highWaterMark, DEFAULT_HIGH_WATER_MARK, 'highWaterMark'),
  );
}

/**
 * Checks the options the `WebSocket` reads itself (`closeTimeout`, `ping`, `pingTimeout`,
 * `highWaterMark`), for a caller that takes options once for many connections (`attach()`,
 * `listen()`): a bad value then throws there, not in each connection's constructor, where the
 * `upgrade` event would be its only caller.
 * @throws TypeError for a value that is not a finite non-negative number; RangeError for a
 *   duration too long for a Node timer ({@link MAX_TIMER_MS}).
 */
export function checkWebSocketOptions(options: WebSocketOptions): void {
  resolveSettings('server', options);
}

/**
 * What the opening handshake settled. Most connections negotiate nothing and share one object;
 * the last other combination made is reused too (a server whose clients all pick the same
 * subprotocol), rather than every WebSocket carrying three fields (memory per idle connection).
 */
interface Negotiated {
  readonly version: string;
  readonly protocol: string;
  readonly extensions: string;
}

const PLAIN_HYBI: Negotiated = { version: 'hybi-13', protocol: '', extensions: '' };
let lastNegotiated = PLAIN_HYBI;

function negotiated(version: string, protocol: string, extensions: string): Negotiated {
  const last = lastNegotiated;
  if (last.version === version && last.protocol === protocol && last.extensions === extensions) {
    return last;
  }
  if (version === 'hybi-13' && protocol === '' && extensions === '') return PLAIN_HYBI;
  lastNegotiated = { version, protocol, extensions };
  return lastNegotiated;
}

// The WebSocket's booleans, as bits of one #flags integer: every field costs 8 bytes of every idle
// connection.
/** faye 0.9.2: "only emit error once, and not after close". */
const ERROR_FIRED = 1;
/** A send() returned false: `drain` is owed once bufferedAmount falls below highWaterMark. */
const NEED_DRAIN = 2;
const DRAIN_SCHEDULED = 4;
const PAUSED = 8;

/**
 * The callbacks of pings awaiting their pong, per WebSocket: here rather than in a field, since few
 * connections ever pass a callback to ping(). Prototype-less maps: a payload such as "__proto__"
 * is just a key.
 */
const pingCallbacks = new WeakMap<WebSocket, Record<string, () => void>>();

/** What send() accepted before open: flushed, in order, once the handshake completes. */
interface SendQueue {
  readonly items: Pending[];
  /** Their bytes, part of bufferedAmount. */
  bytes: number;
}

function noop(): void {}

function rethrow(error: unknown): never {
  throw error;
}

let openImpl: (ws: WebSocket, params: WebSocketOpenParams) => void;
let failImpl: (ws: WebSocket, error: WebSocketError, options: WebSocketFailOptions) => void;
let emitDrain: (ws: WebSocket) => void;
let finishAbort: (ws: WebSocket) => void;
let createHandler: (ws: WebSocket) => DriverHandler;

/** The method a subclass overrides to hear, once, that its connection has closed (before `close`). */
export const released: unique symbol = Symbol('released');

/**
 * The events a {@link WebSocket} fires, with the arguments its listeners receive (for `on`, `once`,
 * `addEventListener` and the rest). Extend it to type events a subclass adds:
 * `interface ChatEvents extends WebSocketEvents { joined: [name: string] }`.
 */
export interface WebSocketEvents {
  /** The opening handshake completed; `readyState` is OPEN. */
  open: [event: Event];
  /** A message: `data` is a string for a text message, a `Buffer` for a binary one. */
  message: [event: MessageEvent<string | Buffer>];
  /** A ping arrived (answered automatically until our close frame is out); `data` is its payload. */
  ping: [event: MessageEvent<Buffer>];
  /** A pong arrived; `data` is its payload. */
  pong: [event: MessageEvent<Buffer>];
  /** At most once, and never after `close`: `error` is the `WebSocketError` behind it. */
  error: [event: ErrorEvent];
  /** Once, when the connection has closed. */
  close: [event: CloseEvent];
  /** Stream surface: each message's data (the string or Buffer itself, not an event), before `message`. */
  data: [data: string | Buffer];
  /** Stream surface: the connection closed (just before `close`). No argument. */
  end: [];
  /** `bufferedAmount` fell below `highWaterMark` after a `send()` returned false. No argument. */
  drain: [];
}

/**
 * The WebSocket that `@sockeye/server` and `@sockeye/client` share: a Node `EventEmitter` with the
 * EventTarget surface faye has (`addEventListener`, `onopen`/`onmessage`/`onerror`/`onclose`, plus
 * `onping`/`onpong`), the WHATWG properties (`readyState`, `bufferedAmount`, `url`, `protocol`), and
 * faye's stream surface (`write`, `end`, `pause`, `resume`, `pipe`; events `data`, `end`, `drain`), so
 * `ws.pipe(ws)` echoes with backpressure.
 *
 * Events: `open` (Event), `message` (MessageEvent: `data` string or Buffer), `ping` and `pong`
 * (MessageEvent: `data` Buffer), `error` (ErrorEvent: `message`, `error`), `close` (CloseEvent:
 * `code`, `reason`, `wasClean`), and the stream events `data` (each message), `end` (on close) and
 * `drain` (`bufferedAmount` fell below `highWaterMark` after a `send()` returned false).
 *
 * ## Building a server or client on it
 * A subclass calls `super({ url, role, options })`; the object starts CONNECTING and queues what
 * is sent. When the handshake succeeds the subclass calls {@link openWebSocket} (OPEN, `open` fires,
 * the queue is flushed); when it fails, {@link failWebSocket} (`error`, then `close`). If the user calls
 * `close()` while CONNECTING, the base calls the subclass's `[abortHandshake]()` hook,
 * then fires `close` (1006) on the next tick.
 *
 * @typeParam Events - the events and their listener arguments ({@link WebSocketEvents}); a subclass
 *   that fires more passes an extension of it.
 */
export class WebSocket<Events extends WebSocketEvents = WebSocketEvents> extends EventTargetEmitter<Events> {
  /** The opening handshake has not completed yet. */
  static readonly CONNECTING = ReadyState.CONNECTING;
  /** Messages flow both ways. */
  static readonly OPEN = ReadyState.OPEN;
  /** The closing handshake has started. */
  static readonly CLOSING = ReadyState.CLOSING;
  /** The connection is closed. */
  static readonly CLOSED = ReadyState.CLOSED;

  declare readonly CONNECTING: 0;
  declare readonly OPEN: 1;
  declare readonly CLOSING: 2;
  declare readonly CLOSED: 3;

  /** Handler for `open`. */
  declare onopen: ((event: Event) => unknown) | null;
  /** Handler for `message`. */
  declare onmessage: ((event: MessageEvent) => unknown) | null;
  /** Handler for `error`. */
  declare onerror: ((event: ErrorEvent) => unknown) | null;
  /** Handler for `close`. */
  declare onclose: ((event: CloseEvent) => unknown) | null;
  /** Handler for `ping` (sockeye addition; `data` is the payload Buffer). */
  declare onping: ((event: MessageEvent<Buffer>) => unknown) | null;
  /** Handler for `pong` (sockeye addition; `data` is the payload Buffer). */
  declare onpong: ((event: MessageEvent<Buffer>) => unknown) | null;

  /**
   * Encodes a message once, as an unmasked frame, for {@link sendPrepared} on many server sockets
   * (broadcast): the frame header and payload are built once instead of once per client.
   */
  static prepare(data: MessageData): PreparedMessage {
    return new PreparedMessage(data);
  }

  /** The WebSocket URL: the client's request as `ws://` or `wss://` URL, or the URL a client dialled. */
  readonly url: string;

  #readyState: ReadyState = ReadyState.CONNECTING;
  /** ERROR_FIRED, NEED_DRAIN, DRAIN_SCHEDULED, PAUSED. */
  #flags = 0;
  readonly #settings: Settings;
  #negotiated: Negotiated;
  #driver: SocketDriver | null = null;
  /** Null once open (or closed). */
  #queue: SendQueue | null = { items: [], bytes: 0 };

  /** For subclasses: see the class documentation. */
  constructor(init: WebSocketInit) {
    super();
    this.url = init.url;
    this.#settings = resolveSettings(init.role, init.options ?? {});
    this.#negotiated = negotiated(init.version ?? 'hybi-13', '', '');
  }

  /** 0 CONNECTING, 1 OPEN, 2 CLOSING, 3 CLOSED. */
  get readyState(): ReadyState {
    return this.#readyState;
  }

  /**
   * Bytes accepted by `send()` and not yet handed to the kernel: queued before open, held by an
   * extension (compression) or waiting in the socket's write buffer.
   */
  get bufferedAmount(): number {
    const driver = this.#driver;
    return driver === null ? (this.#queue?.bytes ?? 0) : driver.bufferedAmount;
  }

  /** The subprotocol the server selected, '' for none (and before open). */
  get protocol(): string {
    return this.#negotiated.protocol;
  }

  /** `hybi-13` (RFC 6455), or `hixie-76` / `hixie-75` for a draft client on a server with `allowDrafts`. */
  get version(): string {
    return this.#negotiated.version;
  }

  /** The negotiated `Sec-WebSocket-Extensions` value, '' for none. */
  get extensions(): string {
    return this.#negotiated.extensions;
  }

  /** Stream surface: true until the connection is closed. */
  get readable(): boolean {
    return this.#readyState !== ReadyState.CLOSED;
  }

  /** Stream surface: true until the connection is closed. */
  get writable(): boolean {
    return this.#readyState !== ReadyState.CLOSED;
  }

  /** Whether reading is paused by {@link pause}. */
  get isPaused(): boolean {
    return (this.#flags & PAUSED) !== 0;
  }

  /**
   * Sends a message: a string as text; a Buffer, ArrayBuffer, typed array or DataView as binary; any
   * other value as the text `String(value)`. Before open the message is queued and sent, in order,
   * once the handshake completes. Returns false when CLOSING or CLOSED (nothing is sent), and also when
   * the message was accepted but `bufferedAmount` reached `highWaterMark`: wait for `drain`.
   */
  send(data: MessageData): boolean {
    const state = this.#readyState;
    if (state > ReadyState.OPEN) return false;
    const bytes = typeof data === 'string' ? null : binaryPayload(data);
    if (this.#driver === null) {
      if (bytes === null) this.#enqueue(kText, typeof data === 'string' ? data : String(data));
      else this.#enqueue(kBinary, bytes);
      return this.#accepted();
    }
    const driver = this.#driver!;
    const sent =
      bytes === null
        ? driver.sendText(typeof data === 'string' ? data : String(data))
        : driver.sendBinary(bytes);
    return sent && this.#accepted();
  }

  /**
   * Sends a message made by {@link WebSocket.prepare}. On an open server socket with no negotiated
   * extension the pre-encoded frame is written as it is; otherwise (client sockets mask every frame;
   * compression; drafts; before open) the message is sent as with {@link send}. Same return value.
   */
  sendPrepared(message: PreparedMessage): boolean {
    if (
      this.#readyState === ReadyState.OPEN &&
      this.#settings.role === 'server' &&
      this.#negotiated.extensions === ''
    ) {
      const sent = this.#driver!.sendEncoded(message.frames);
      if (sent !== null) return sent && this.#accepted();
    }
    return this.send(message.data);
  }

  /**
   * Sends a ping. `callback` runs when a pong with the same payload arrives (one callback per distinct
   * payload: a second ping with the same payload replaces the first's). Returns false when CLOSING or
   * CLOSED (faye) or where the protocol has no ping (drafts). Before open the ping is queued.
   * @throws RangeError when the payload exceeds 125 bytes (RFC 6455 §5.5: "All control frames MUST have
   * a payload length of 125 bytes or less").
   */
  ping(message: MessageData = '', callback?: () => void): boolean {
    const payload = controlPayload(message);
    if (payload.length > 125) throw new RangeError('The ping payload must not be greater than 125 bytes');
    const state = this.#readyState;
    if (state > ReadyState.OPEN) return false;
    if (this.#driver === null) {
      this.#enqueue(kPing, payload);
    } else if (!this.#driver!.sendPing(payload)) {
      return false;
    }
    if (typeof callback === 'function') {
      let callbacks = pingCallbacks.get(this);
      if (callbacks === undefined) {
        callbacks = Object.create(null) as Record<string, () => void>;
        pingCallbacks.set(this, callbacks);
      }
      callbacks[payload.toString('latin1')] = callback;
    }
    return true;
  }

  /**
   * Sends an unsolicited pong (a unidirectional heartbeat, RFC 6455 §5.5.3). Same rules as {@link ping}.
   * @throws RangeError when the payload exceeds 125 bytes.
   */
  pong(message: MessageData = ''): boolean {
    const payload = controlPayload(message);
    if (payload.length > 125) throw new RangeError('The pong payload must not be greater than 125 bytes');
    const state = this.#readyState;
    if (state > ReadyState.OPEN) return false;
    if (this.#driver === null) {
      this.#enqueue(kPong, payload);
      return true;
    }
    return this.#driver!.sendPong(payload);
  }

  /**
   * Starts the closing handshake with `code` (default 1000, as faye) and `reason`. Once the peer has
   * answered and TCP has closed, `close` fires with the peer's code and `wasClean: true`; after
   * `closeTimeout` ms without an answer the socket is destroyed and `close` fires with 1006. Called
   * while CONNECTING, it abandons the handshake without sending a frame (`close` 1006). Does nothing
   * when already CLOSING or CLOSED.
   * @throws SyntaxError for a code that may not be sent (only 1000–1003, 1007–1014 and 3000–4999 may)
   * or a reason over 123 UTF-8 bytes.
   * @see https://www.rfc-editor.org/rfc/rfc6455#section-7.1.2
   */
  close(code?: number, reason?: string): void {
    // WHATWG: the code is a `[Clamp] unsigned short` and the reason a USVString.
    code = closeCodeArgument(code);
    if (reason !== undefined && typeof reason !== 'string') reason = String(reason);
    validateCloseArguments(code, reason);
    const state = this.#readyState;
    if (state >= ReadyState.CLOSING) return;
    this.#readyState = ReadyState.CLOSING;
    if (state === ReadyState.CONNECTING) {
      this.#queue = null;
      this.#driver?.terminate();
      this[abortHandshake]();
      process.nextTick(finishAbort, this);
      return;
    }
    this.#driver!.close(code ?? 1000, reason ?? '');
  }

  /** Destroys the connection at once, without a closing handshake (ws's `terminate()`): `close` 1006. */
  terminate(): void {
    const driver = this.#driver;
    if (driver !== null) {
      // CLOSING at once, as in ws: `send()` returns false from here, and `close` follows.
      if (this.#readyState === ReadyState.OPEN) this.#readyState = ReadyState.CLOSING;
      driver.terminate();
    } else if (this.#readyState === ReadyState.CONNECTING) this.close();
  }

  /** Stream surface: the same as {@link send}. */
  write(data: MessageData): boolean {
    return this.send(data);
  }

  /** Stream surface: sends `data` if given, then {@link close}s. */
  end(data?: MessageData | null): void {
    if (data !== undefined && data !== null) this.send(data);
    this.close();
  }

  /**
   * Stops reading from the socket. Incoming bytes stay in the kernel, whose receive window then
   * throttles the peer: memory stays bounded however fast the peer writes. While paused, no pong
   * deadline applies (the pong may be sitting unread).
   */
  pause(): void {
    if ((this.#flags & PAUSED) !== 0) return;
    this.#flags |= PAUSED;
    this.#driver?.pause();
  }

  /** Restarts reading after {@link pause}. */
  resume(): void {
    if ((this.#flags & PAUSED) === 0) return;
    this.#flags &= ~PAUSED;
    this.#driver?.resume();
  }

  /**
   * Writes every message to `dest` (a writable stream or another WebSocket), pausing this socket while
   * `dest.write()` returns false until `dest` emits `drain`; ends `dest` on close unless `end: false`.
   * `ws.pipe(ws)` echoes.
   */
  pipe<T extends MessageSink>(dest: T, options?: PipeOptions): T {
    return pipeMessages(this, dest, options);
  }

  /**
   * Hook for subclasses: the user called `close()` while CONNECTING. Abandon the handshake here
   * (destroy the socket, cancel the request); `close` (1006) fires on the next tick. The default does
   * nothing. Keyed by a symbol so it stays out of the public surface.
   */
  [abortHandshake](): void {}

  static {
    openImpl = (ws, params) => ws.#open(params);
    failImpl = (ws, error, options) => ws.#fail(error, options);
    emitDrain = (ws) => ws.#emitDrain();
    finishAbort = (ws) => ws.#closed(1006, '', false);
  }

  static {
    /** Routes driver events to the WebSocket's private methods (one small object per connection). */
    class Handler implements DriverHandler {
      readonly ws: WebSocket;
      constructor(ws: WebSocket) {
        this.ws = ws;
      }
      get url(): string {
        return this.ws.url;
      }
      onMessage(data: string | Buffer, binary: boolean): void {
        this.ws.#message(data, binary);
      }
      onPing(payload: Buffer): void {
        this.ws.#ping(payload);
      }
      onPong(payload: Buffer): void {
        this.ws.#pong(payload);
      }
      onPeerClose(): void {
        const ws = this.ws;
        if (ws.#readyState === ReadyState.OPEN) ws.#readyState = ReadyState.CLOSING;
      }
      onError(error: WebSocketError): void {
        this.ws.#error(error);
      }
      onDrain(): void {
        const ws = this.ws;
        if ((ws.#flags & (NEED_DRAIN | DRAIN_SCHEDULED)) !== NEED_DRAIN) return;
        ws.#flags |= DRAIN_SCHEDULED;
        process.nextTick(emitDrain, ws);
      }
      onClosed(code: number, reason: string, wasClean: boolean): void {
        this.ws.#closed(code, reason, wasClean);
      }
    }
    createHandler = (ws) => new Handler(ws);
  }

  #open(params: WebSocketOpenParams): void {
    if (this.#readyState !== ReadyState.CONNECTING || this.#driver !== null) {
      // Closed by the user while the handshake was in flight.
      params.socket.destroy();
      return;
    }
    const deferred = params.deferOpen === true;
    const driver = new SocketDriver(
      params.socket,
      deferred
        ? (handler) => params.engine(handler, () => this.#opened())
        : (handler) => params.engine(handler, noop),
      createHandler(this),
      this.#settings,
    );
    this.#driver = driver;
    this.#negotiated = negotiated(
      params.version ?? this.#negotiated.version,
      params.protocol ?? '',
      params.extensions ?? '',
    );
    if ((this.#flags & PAUSED) !== 0) driver.pause();
    if (!deferred) this.#readyState = ReadyState.OPEN;
    const queue = this.#queue;
    this.#queue = null;
    if (queue !== null) {
      for (const item of queue.items) {
        if (item.kind === kText) driver.sendText(item.data as string);
        else if (item.kind === kBinary) driver.sendBinary(item.data as Buffer);
        else if (item.kind === kPing) driver.sendPing(item.data as Buffer);
        else driver.sendPong(item.data as Buffer);
      }
    }
    if (!deferred) this.#dispatch(new Event('open'));
    driver.start(params.head);
  }

  /** A deferred handshake completed inside the engine. */
  #opened(): void {
    if (this.#readyState !== ReadyState.CONNECTING) return;
    this.#readyState = ReadyState.OPEN;
    this.#dispatch(new Event('open'));
  }

  #fail(error: WebSocketError, options: WebSocketFailOptions): void {
    const state = this.#readyState;
    if (state === ReadyState.CLOSED) return;
    if (this.#driver !== null) {
      this.#error(error);
      this.#driver.terminate();
      return;
    }
    // CLOSING without a driver: close() during the handshake; its close event is already scheduled.
    if (state === ReadyState.CLOSING) return;
    this.#readyState = ReadyState.CLOSING;
    this.#queue = null;
    this.#error(error);
    this.#closed(options.code ?? 1006, options.reason ?? '', false);
  }

  #enqueue(kind: number, data: string | Buffer): void {
    const queue = this.#queue;
    if (queue === null) return;
    queue.items.push({ kind, data });
    queue.bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  }

  #accepted(): boolean {
    if (this.bufferedAmount < this.#settings.highWaterMark) return true;
    if ((this.#flags & NEED_DRAIN) === 0) {
      this.#flags |= NEED_DRAIN;
      // The socket's own `drain` comes only when it was over its own mark: below it, or with
      // nothing buffered at all (`highWaterMark: 0`), the driver arranges the call.
      this.#driver?.watchDrain();
    }
    return false;
  }

  #emitDrain(): void {
    this.#flags &= ~DRAIN_SCHEDULED;
    if ((this.#flags & NEED_DRAIN) === 0) return;
    // Below the mark, or empty: with `highWaterMark: 0` every send() is false, and `drain` comes
    // when everything is written, as from a Node Writable. Not yet: watch for the next write.
    const buffered = this.bufferedAmount;
    if (buffered >= this.#settings.highWaterMark && buffered > 0) {
      this.#driver?.watchDrain();
      return;
    }
    this.#flags &= ~NEED_DRAIN;
    this.#emitSafely('drain');
  }

  #message(data: string | Buffer, _binary: boolean): void {
    // `data` (what `pipe()` reads) before `message`, as faye, and each guarded on its own: a
    // throwing `message` listener must not keep the message from a piped destination. Nor may a
    // throw unwind through the engine's parse loop (later messages in the same chunk would be
    // lost): it is reported as Node would, after the engine is done.
    if (this.listenerCount('data') > 0) {
      try {
        this.emit('data', data);
      } catch (error) {
        process.nextTick(rethrow, error);
      }
    }
    if (hasListeners(this, 'message')) this.#dispatch(new MessageEvent('message', data));
  }

  #ping(payload: Buffer): void {
    if (hasListeners(this, 'ping')) {
      this.#dispatch(new MessageEvent('ping', payload));
    }
  }

  #pong(payload: Buffer): void {
    const callbacks = pingCallbacks.get(this);
    if (callbacks !== undefined) {
      const key = payload.toString('latin1');
      const callback = callbacks[key];
      if (callback !== undefined) {
        delete callbacks[key];
        try {
          callback();
        } catch (error) {
          process.nextTick(rethrow, error);
        }
      }
    }
    if (hasListeners(this, 'pong')) {
      this.#dispatch(new MessageEvent('pong', payload));
    }
  }

  #error(error: WebSocketError): void {
    // faye 0.9.2: "only emit error once, and not after close".
    if ((this.#flags & ERROR_FIRED) !== 0 || this.#readyState === ReadyState.CLOSED) return;
    this.#flags |= ERROR_FIRED;
    if (this.#readyState === ReadyState.OPEN) this.#readyState = ReadyState.CLOSING;
    this.#dispatch(new ErrorEvent('error', error.message, error));
  }

  /**
   * Called once, when the connection has closed and before its `close` event: a subclass lets go
   * of what tracks the connection (the server's client sets). Nothing here. Keyed by a symbol so
   * that it stays off the public surface.
   */
  [released](): void {}

  #closed(code: number, reason: string, wasClean: boolean): void {
    if (this.#readyState === ReadyState.CLOSED) return;
    this.#readyState = ReadyState.CLOSED;
    this.#queue = null;
    pingCallbacks.delete(this);
    this[released]();
    this.#emitSafely('end');
    this.#dispatch(new CloseEvent('close', code, reason, wasClean));
  }

  #dispatch(event: Event): void {
    try {
      this.dispatchEvent(event);
    } catch (error) {
      process.nextTick(rethrow, error);
    }
  }

  #emitSafely(type: string): void {
    try {
      this.emit(type);
    } catch (error) {
      process.nextTick(rethrow, error);
    }
  }
}

Object.defineProperties(WebSocket.prototype, {
  CONNECTING: { value: ReadyState.CONNECTING, enumerable: true },
  OPEN: { value: ReadyState.OPEN, enumerable: true },
  CLOSING: { value: ReadyState.CLOSING, enumerable: true },
  CLOSED: { value: ReadyState.CLOSED, enumerable: true },
});
defineEventHandlers(WebSocket, ['open', 'message', 'error', 'close', 'ping', 'pong']);

/**
 * Turns a CONNECTING {@link WebSocket} into an OPEN one once the opening handshake has succeeded:
 * builds the socket driver and the engine, flushes what was sent before open (in order), fires
 * `open`, then parses `head` (frames that arrived with the handshake). If the user closed the
 * WebSocket in the meantime, the socket is destroyed instead.
 *
 * Server and client subclasses call this; applications never need to.
 *
 * @example
 * openWebSocket(ws, {
 *   socket,
 *   engine: (handler) => new Connection(handler, { role: Role.Server, maxLength, extensions }),
 *   protocol, version: 'hybi-13', extensions: extensionHeader, head,
 * });
 */
export function openWebSocket(ws: WebSocket, params: WebSocketOpenParams): void {
  openImpl(ws, params);
}

/**
 * Fails a WebSocket whose opening handshake did not succeed: fires `error` (an ErrorEvent whose
 * `error` is `error`) then `close` with `options.code` (default 1006) and `options.reason`
 * (default ''), `wasClean` false. The caller owns the socket (write a response, destroy it). On an
 * OPEN WebSocket it fires `error` and destroys the connection (close 1006). No-op once CLOSED.
 */
export function failWebSocket(
  ws: WebSocket,
  error: WebSocketError,
  options: WebSocketFailOptions = {},
): void {
  failImpl(ws, error, options);
}
