import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { ErrorCode, NetworkError, type ProtocolError, type WebSocketError } from '../errors.js';
import { type Engine, type EngineHandler, EngineState } from '../protocol/engine.js';
import { MERGE_THRESHOLD } from '../protocol/frame-encoder.js';
import { installNativeUtf8 } from './native-utf8.js';

// Text split across fragments or reads is validated by Node's simdutf-backed `buffer.isUtf8`.
installNativeUtf8();

/**
 * The transport a {@link SocketDriver} pumps: a `net.Socket`, a `tls.TLSSocket`, or any `Duplex` that
 * behaves like one (`setNoDelay`/`setTimeout` are used when present).
 */
export type DriverSocket = Duplex & {
  setNoDelay?(noDelay?: boolean): unknown;
  setTimeout?(timeout: number): unknown;
  /** As `net.Socket`'s: the idle timeout `setTimeout` set, `undefined` when none was. */
  readonly timeout?: number | undefined;
};

/** What a {@link SocketDriver} reports to the API object above it. */
export interface DriverHandler {
  /** A whole message: a string for text, a Buffer for binary. */
  onMessage(data: string | Buffer, binary: boolean): void;
  /** A ping arrived (the engine answers it, unless our close frame is out). */
  onPing(payload: Buffer): void;
  /** A pong arrived. */
  onPong(payload: Buffer): void;
  /**
   * The peer's close frame arrived (the closing handshake is done on the WebSocket layer), or its
   * end of stream without one (`code` 1006): either way nothing more can be sent.
   */
  onPeerClose(code: number, reason: string): void;
  /**
   * Something failed: a protocol error by the peer (`ProtocolError`), the transport
   * (`NetworkError`, code `WS_ERR_NETWORK`) or the peer stopped answering pings
   * (`WS_ERR_PING_TIMEOUT`). `onClosed` follows once the socket has closed.
   */
  onError(error: WebSocketError): void;
  /** The socket's write buffer drained, or bytes left the extension pipeline for the socket. */
  onDrain(): void;
  /**
   * The TCP connection is closed: the last call. `wasClean` is true when both close frames were
   * exchanged (RFC 6455 §7.1.4: "If the TCP connection was closed after the WebSocket closing
   * handshake was completed, the WebSocket connection is said to have been closed _cleanly_").
   */
  onClosed(code: number, reason: string, wasClean: boolean): void;
  /**
   * The connection's URL, quoted in network error messages when the options carry no `url` (so
   * that options can be one object shared by many connections).
   */
  readonly url?: string;
}

/**
 * Timing and role of a {@link SocketDriver}. All times in milliseconds. The driver keeps the object
 * by reference (it does not copy it), so connections with the same settings can share one.
 */
export interface SocketDriverOptions {
  /**
   * `server` closes TCP first once the closing handshake is done (RFC 6455 §7.1.1); `client` waits
   * for the server's FIN, at most `closeTimeout`, then destroys the socket.
   */
  role: 'server' | 'client';
  /** How long to wait for the peer's close frame, then its FIN, before destroying the socket. 0 = forever. */
  closeTimeout: number;
  /** Interval between automatic pings; 0 = none. */
  pingInterval: number;
  /** A peer that answers no ping within this time is dropped (1006); 0 = never. Needs `pingInterval`. */
  pingTimeout: number;
  /** Used in error messages ("Network error: <url>: ..."), as faye words them. Default: the handler's `url`, else none. */
  url?: string;
}

/** An engine able to send a frame encoded once for many sockets (the RFC 6455 `Connection`). */
interface EncodedSender {
  sendEncoded(chunks: readonly Buffer[]): boolean;
}

// The driver's booleans, as bits of one #flags integer: every field costs 8 bytes of every idle
// connection.
/** Listed in `batch`: output queued while some socket's data was being processed. */
const BATCHED = 1;
const PAUSED = 2;
const STARTED = 4;
const FINISHED = 8;
/**
 * The closing handshake is done but frames are still in the extensions (a message being
 * compressed, the close frame queued behind it): TCP closes once they are written.
 */
const CLOSE_AFTER_OUTPUT = 16;
/** The peer's FIN arrived (`handleEnd`): a client whose closing handshake completes after it has no FIN left to wait for. */
const PEER_ENDED = 32;
/** The socket closed while messages received before the peer's FIN were still inflating (see `finish`). */
const FINISH_PENDING = 64;
/**
 * Reading stopped while received messages wait for the extensions (inflating), so that a peer
 * cannot queue compressed messages faster than they are decoded. Separate from PAUSED (the
 * application's): the socket reads again only when neither is set.
 */
const THROTTLED = 128;
/** The socket's `drain` listener is on: added the first time a write fills its buffer (see `flush`). */
const DRAIN_LISTENING = 256;

/** An empty write: its callback runs once everything written before it is out. */
const EMPTY = Buffer.alloc(0);

/** The automatic ping's state, made only for a connection with a ping interval. */
interface Pinger {
  readonly interval: NodeJS.Timeout;
  /** The pong deadline, while a ping awaits its pong. */
  deadline: NodeJS.Timeout | null;
  /** Pings sent: the next one's payload. */
  count: number;
}

const kDriver = Symbol('sockeye.driver');
type AttachedSocket = DriverSocket & { [kDriver]: SocketDriver };
/** A socket {@link guardSocketErrors} has seen: `null` until its driver starts. */
type GuardedSocket = DriverSocket & { [kDriver]?: SocketDriver | null };

/**
 * Puts the driver's `error` listener on a socket whose driver does not exist yet (a server socket
 * between its `upgrade` event and the handshake tick): until {@link SocketDriver.start}, an error
 * (a reset during the handshake) is ignored rather than thrown as an uncaught exception, since
 * Node removes its own listeners from an upgraded socket. `start` then keeps this listener rather
 * than adding a second one: one `on` per connection instead of an `on` and a `removeListener`
 * around a placeholder. Guarding a socket twice (a server that guards it while it reads the
 * request head, then the WebSocket) adds the listener once.
 */
export function guardSocketErrors(socket: DriverSocket): void {
  if ((socket as GuardedSocket)[kDriver] === null) return;
  (socket as GuardedSocket)[kDriver] = null;
  socket.on('error', socketOnError);
}

/**
 * Pumps a Node socket through a protocol {@link Engine}: bytes read go to `receiveData`, bytes the
 * engine produces are written with header and payload corked into one `writev`, and the engine's
 * events go to a {@link DriverHandler}. Owns every timer of an open connection: the close timeout,
 * the ping interval and the pong deadline (the engine has no clock, as in python-websockets).
 *
 * One driver per connection; socket listeners are shared module-level functions (`socketOnData`, …)
 * that find their driver through a symbol on the socket, so no closure is made per connection.
 *
 * Its helper methods are TypeScript `private`, not `#`: V8 gives every instance of a class with
 * `#` methods a brand slot (8 bytes per idle connection).
 */
export class SocketDriver implements EngineHandler {
  /** The transport. */
  readonly socket: DriverSocket;
  /** The protocol engine (RFC 6455 `Connection` or a hixie `DraftConnection`). */
  readonly engine: Engine;

  readonly #handler: DriverHandler;
  /** Not copied: many connections may share one options object. */
  readonly #options: SocketDriverOptions;

  #closeTimer: NodeJS.Timeout | null = null;
  /** Null without a ping interval (most connections), and once pinging stopped. */
  #pinger: Pinger | null = null;
  /** BATCHED, PAUSED, STARTED, FINISHED, CLOSE_AFTER_OUTPUT, PEER_ENDED, FINISH_PENDING, THROTTLED. */
  #flags = 0;
  /**
   * The close code and reason `onClosed` reports: the peer's (`onClose`), else those of the first
   * failure (`onFail`); 0 while neither happened. The two exclude each other: an engine that
   * received the peer's close fails no more, and one that failed reads no close frame.
   */
  #closeCode = 0;
  #closeReason = '';

  /**
   * @param createEngine builds the engine with this driver as its handler (`(h) => new Connection(h, {...})`).
   */
  constructor(
    socket: DriverSocket,
    createEngine: (handler: EngineHandler) => Engine,
    handler: DriverHandler,
    options: SocketDriverOptions,
  ) {
    this.socket = socket;
    this.#handler = handler;
    this.#options = options;
    this.engine = createEngine(this);
  }

  /**
   * Attaches the socket listeners, starts the ping interval and feeds `head` (bytes that arrived with
   * the handshake). Call once, after the API object is OPEN, so that messages in `head` follow `open`.
   */
  start(head?: Buffer): void {
    if ((this.#flags & STARTED) !== 0) return;
    this.#flags |= STARTED;
    const socket = this.socket as AttachedSocket;
    const guarded = (socket as GuardedSocket)[kDriver] === null;
    socket[kDriver] = this;
    // An idle timeout set for HTTP (`server.timeout`) would fire on a quiet WebSocket. Clearing
    // one that was never set costs Node's timer bookkeeping on every connection, so only when set.
    if (socket.timeout) socket.setTimeout?.(0);
    socket.setNoDelay?.(true);
    socket.on('data', socketOnData);
    socket.on('end', socketOnEnd);
    socket.on('close', socketOnClose);
    if (!guarded) socket.on('error', socketOnError);
    // No `drain` listener yet: most connections never fill the socket's buffer (see `flush`).
    if (socket.closed) {
      // Closed before we got here (the peer gave up during the handshake): 'close' will not come again.
      process.nextTick(driverFinish, this);
      return;
    }
    const pingInterval = this.#options.pingInterval;
    if (pingInterval > 0 && this.engine.state === EngineState.Open) {
      const interval = setInterval(driverPingTick, pingInterval, this);
      interval.unref();
      this.#pinger = { interval, deadline: null, count: 0 };
    }
    if (head !== undefined && head.length > 0) {
      this.engine.receiveData(head);
      if (this.engine.incomingInFlight > 0) this.#flags |= THROTTLED;
    }
    if ((this.#flags & (PAUSED | THROTTLED)) === 0) socket.resume();
  }

  /** Bytes accepted and not yet handed to the kernel: the engine's pending bytes plus the socket's buffer. */
  get bufferedAmount(): number {
    return this.engine.pendingBytes + this.socket.writableLength;
  }

  /** Whether reading is paused. */
  get isPaused(): boolean {
    return (this.#flags & PAUSED) !== 0;
  }

  /** Queues a text message. */
  sendText(text: string): boolean {
    return this.engine.sendText(text);
  }

  /** Queues a binary message. */
  sendBinary(data: Uint8Array): boolean {
    const sent = this.engine.sendBinary(data);
    // A large payload goes out from the caller's own buffer, which the caller may change as soon as
    // send() returns (faye copies every frame). Held for the end of the data handler, it could be
    // rewritten first: hand it to the socket now. Small frames, copied, still leave together.
    if (batchDepth > 0 && data.length > MERGE_THRESHOLD) this.flush();
    return sent;
  }

  /** Queues a ping. */
  sendPing(payload: Uint8Array): boolean {
    return this.engine.sendPing(payload);
  }

  /** Queues an unsolicited pong. */
  sendPong(payload: Uint8Array): boolean {
    return this.engine.sendPong(payload);
  }

  /**
   * Queues a frame encoded once for many sockets, if the engine can take one (RFC 6455 server
   * `Connection`); returns null when it cannot, so the caller falls back to a normal send.
   */
  sendEncoded(chunks: readonly Buffer[]): boolean | null {
    const engine = this.engine as Engine & Partial<EncodedSender>;
    if (typeof engine.sendEncoded !== 'function') return null;
    return engine.sendEncoded(chunks);
  }

  /**
   * Starts the closing handshake and the close timeout: RFC 6455 §7.1.2 "Start the WebSocket Closing
   * Handshake". After `closeTimeout` ms without the peer's answer the socket is destroyed (1006).
   */
  close(code?: number, reason?: string): void {
    if (this.engine.sendClose(code, reason)) {
      this.flush();
      this.armCloseTimer();
    }
  }

  /** Drops the connection at once, without a closing handshake (close event 1006). */
  terminate(): void {
    // Nothing more is sent or delivered, from now rather than from the socket's `close` event.
    this.engine.destroy();
    this.socket.destroy();
  }

  /** Stops reading from the socket: the kernel's receive window fills and the peer is slowed down. */
  pause(): void {
    if ((this.#flags & PAUSED) !== 0) return;
    this.#flags |= PAUSED;
    this.socket.pause();
    // A peer whose pong sits unread in our buffers is not dead: no deadline while paused.
    this.clearPongTimer();
  }

  /** Restarts reading (once messages waiting for the extensions are delivered, if any are). */
  resume(): void {
    if ((this.#flags & PAUSED) === 0) return;
    this.#flags &= ~PAUSED;
    if ((this.#flags & (STARTED | THROTTLED)) === STARTED) this.socket.resume();
  }

  /**
   * @internal A read left messages waiting for the extensions: read no more until they are
   * delivered. Like ws, which pauses its socket while it inflates; otherwise a peer could queue
   * messages that are small on the wire and slow to inflate faster than they are decoded.
   */
  throttle(): void {
    if ((this.#flags & THROTTLED) !== 0) return;
    this.#flags |= THROTTLED;
    this.socket.pause();
  }

  /**
   * Reads again once no received message waits for the extensions, or at once when `failed` (the
   * engine reads nothing more, but the peer's FIN must still be seen), unless the application
   * paused reading.
   */
  private unthrottle(failed = false): void {
    if ((this.#flags & THROTTLED) === 0 || (!failed && this.engine.incomingInFlight > 0)) return;
    this.#flags &= ~THROTTLED;
    if ((this.#flags & PAUSED) === 0) this.socket.resume();
  }

  // EngineHandler ---------------------------------------------------------------------------------

  /** @internal */
  onMessage(data: string | Buffer, binary: boolean): void {
    this.#handler.onMessage(data, binary);
    this.unthrottle();
  }

  /** @internal */
  onPing(payload: Buffer): void {
    this.#handler.onPing(payload);
  }

  /** @internal */
  onPong(payload: Buffer): void {
    this.clearPongTimer();
    this.#handler.onPong(payload);
  }

  /** @internal */
  onClose(code: number, reason: string): void {
    this.#closeCode = code;
    this.#closeReason = reason;
    this.flush();
    this.stopPing();
    // RFC 6455 §7.1.1: "the underlying TCP connection, in most normal cases, SHOULD be closed first by
    // the server, so that it holds the TIME_WAIT state and not the client". The client waits for that
    // FIN (bounded by the close timeout).
    // Frames still in the extensions (a message being compressed, our Close queued behind it) go
    // out first, as §5.5.1 allows: "An endpoint MAY delay sending a Close frame until its current
    // message is sent". TCP closes after them, within the close timeout.
    if (this.#options.role === 'client' && (this.#flags & PEER_ENDED) === 0) this.armCloseTimer();
    else if (this.engine.pendingBytes > 0) {
      this.#flags |= CLOSE_AFTER_OUTPUT;
      this.armCloseTimer();
    } else this.closeTcp();
    this.#handler.onPeerClose(code, reason);
    if ((this.#flags & FINISH_PENDING) !== 0) this.finish();
  }

  /** @internal */
  onFail(error: ProtocolError): void {
    if (this.#closeCode === 0) {
      this.#closeCode = error.closeCode;
      this.#closeReason = error.message;
    }
    this.flush();
    this.stopPing();
    this.unthrottle(true);
    // RFC 6455 §7.1.7: "_Fail the WebSocket Connection_ … the endpoint MUST _Close the WebSocket
    // Connection_": the close frame is queued; no more input is processed, so close TCP now, or
    // once messages of ours still being compressed (the close frame waits behind them) are out.
    if (this.engine.pendingBytes > 0) {
      this.#flags |= CLOSE_AFTER_OUTPUT;
      this.armCloseTimer();
    } else this.endGracefully();
    this.#handler.onError(error);
    if ((this.#flags & FINISH_PENDING) !== 0) this.finish();
  }

  /** @internal */
  onOutgoing(): void {
    if (batchDepth > 0) {
      // Inside a socket's data handler: write once it returns, so that every frame queued for this
      // socket meanwhile (k broadcasts received in one read) leaves in one writev, not k writes.
      if ((this.#flags & BATCHED) === 0) {
        this.#flags |= BATCHED;
        batch.push(this);
      }
      return;
    }
    this.flush();
    if (!this.socket.writableNeedDrain) this.#handler.onDrain();
  }

  /**
   * The API owes a `drain` (a `send()` returned false, and the buffer is still over the mark):
   * make sure `onDrain` is called once what is buffered now is written. The socket emits `drain` only when it was over its own high-water
   * mark, and frames still in the engine call `onDrain` when they are flushed; bytes below the
   * socket's mark get an empty write, whose callback runs once they are out. Rare: only while a
   * `drain` is owed.
   */
  watchDrain(): void {
    const socket = this.socket;
    if (socket.writableNeedDrain) {
      this.listenForDrain();
      return;
    }
    if (this.engine.pendingBytes > 0 || (this.#flags & BATCHED) !== 0) return;
    if (socket.writableLength === 0 || socket.writableEnded || socket.destroyed) {
      process.nextTick(driverDrained, this);
      return;
    }
    socket.write(EMPTY, () => this.handleDrain());
  }

  /** @internal The data handler that queued output here has returned: write it. */
  flushBatched(): void {
    this.#flags &= ~BATCHED;
    this.flush();
    if (!this.socket.writableNeedDrain) this.#handler.onDrain();
  }

  // Socket events (called by the module-level listeners) -------------------------------------------

  /** @internal The peer sent FIN. */
  handleEnd(): void {
    this.#flags |= PEER_ENDED;
    const closedBefore = this.engine.state === EngineState.Closed;
    this.engine.receiveEof();
    // Messages that arrived before the FIN may still be inflating: the engine delivers them (and
    // a close frame behind them) first, then `onEnd` (or `onClose`) ends our side. The close timer
    // bounds the wait.
    if (this.engine.state !== EngineState.Closed) this.armCloseTimer();
    else {
      this.endGracefully();
      // A FIN without a close frame: what is sent from now on would be lost, so sending stops.
      if (!closedBefore) this.#handler.onPeerClose(1006, '');
    }
  }

  /** @internal The end of stream the engine deferred has been processed (see `handleEnd`). */
  onEnd(): void {
    if ((this.#flags & FINISH_PENDING) !== 0) {
      this.finish();
      return;
    }
    this.flush();
    this.endGracefully();
    this.#handler.onPeerClose(1006, '');
  }

  /** @internal The socket failed (reset, TLS error, write after the peer vanished). */
  handleError(error: Error): void {
    // Node destroys a TCP socket that fails, but not a TLS socket whose error comes from a record
    // after its handshake (a bad MAC, a record too long). The connection is unusable either way,
    // and the socket's `close` is what ends the WebSocket.
    if (!this.socket.destroyed) this.socket.destroy();
    // An error after a completed closing handshake (typically ECONNRESET) changes nothing.
    if (this.engine.closeReceived && this.engine.closeSent) return;
    if ((this.#flags & FINISHED) !== 0) return;
    const url = this.#options.url ?? this.#handler.url ?? '';
    const prefix = url === '' ? 'Network error' : `Network error: ${url}`;
    this.#handler.onError(
      new NetworkError(ErrorCode.Network, `${prefix}: ${error.message}`, { cause: error }),
    );
  }

  /** @internal The socket's write buffer drained. */
  handleDrain(): void {
    this.engine.setOutputBlocked(false);
    this.#handler.onDrain();
  }

  /** @internal Sends the automatic ping and arms the pong deadline. */
  pingTick(): void {
    if (this.engine.state !== EngineState.Open) return;
    const pinger = this.#pinger;
    if (pinger === null) return;
    pinger.count++;
    // A hixie draft has no ping frame (`sendPing` is false): no pong can come, so no deadline
    // either, and no further ticks.
    if (!this.engine.sendPing(Buffer.from(String(pinger.count)))) {
      this.stopPing();
      return;
    }
    const pingTimeout = this.#options.pingTimeout;
    if (pingTimeout > 0 && pinger.deadline === null && (this.#flags & (PAUSED | THROTTLED)) === 0) {
      pinger.deadline = setTimeout(driverPongTimeout, pingTimeout, this);
      pinger.deadline.unref();
    }
  }

  /** @internal No pong within the deadline: the peer is presumed dead. */
  pongTimeout(): void {
    if (this.#pinger !== null) this.#pinger.deadline = null;
    if ((this.#flags & FINISHED) !== 0) return;
    const error = new NetworkError(
      ErrorCode.PingTimeout,
      `No pong received within ${this.#options.pingTimeout} ms; the connection is presumed dead`,
    );
    this.stopPing();
    this.socket.destroy();
    this.#handler.onError(error);
  }

  /** @internal The close timeout expired: give up on the peer. */
  closeTimeout(): void {
    this.#closeTimer = null;
    // Also gives up on messages still inflating: the close comes now, not another timeout later.
    this.engine.destroy();
    if ((this.#flags & FINISH_PENDING) !== 0) this.finish();
    else this.socket.destroy();
  }

  /**
   * @internal The socket closed: report the close exactly once. Node closes a socket that does
   * not allow half-open connections (a client's) at the peer's FIN; messages received before the
   * FIN and still inflating are delivered first: the engine's `onEnd`, `onClose` or `onFail`
   * finishes then, at most `closeTimeout` later.
   */
  finish(): void {
    if ((this.#flags & FINISHED) !== 0) return;
    if ((this.#flags & PEER_ENDED) !== 0 && this.engine.state !== EngineState.Closed) {
      this.#flags |= FINISH_PENDING;
      this.armCloseTimer();
      return;
    }
    this.#flags |= FINISHED;
    // Nothing may be delivered after the close: a message still inflating is dropped.
    this.engine.destroy();
    this.stopPing();
    if (this.#closeTimer !== null) {
      clearTimeout(this.#closeTimer);
      this.#closeTimer = null;
    }
    const engine = this.engine;
    if (engine.closeReceived) {
      this.#handler.onClosed(this.#closeCode, this.#closeReason, engine.closeSent);
    } else if (this.#closeCode !== 0) {
      this.#handler.onClosed(this.#closeCode, this.#closeReason, false);
    } else {
      // RFC 6455 §7.1.5: "If _The WebSocket Connection is Closed_ and no Close control frame was
      // received by the endpoint …, _The WebSocket Connection Close Code_ is considered to be 1006."
      this.#handler.onClosed(1006, '', false);
    }
  }

  // Internals -----------------------------------------------------------------------------------

  private flush(): void {
    const chunks = this.engine.takeOutgoing();
    const count = chunks.length;
    if (count === 0) return;
    const socket = this.socket;
    if (socket.writableEnded || socket.destroyed) return;
    if (count === 1) {
      socket.write(chunks[0]!);
    } else {
      // Header and payload (and any frames queued together) leave in one writev, one TCP segment.
      socket.cork();
      for (let i = 0; i < count; i++) socket.write(chunks[i]!);
      socket.uncork();
    }
    // Until `drain`, the engine holds back its answers to pings (see Engine.setOutputBlocked).
    if (socket.writableNeedDrain) {
      this.engine.setOutputBlocked(true);
      this.listenForDrain();
    }
    if ((this.#flags & CLOSE_AFTER_OUTPUT) !== 0 && this.engine.pendingBytes === 0) {
      this.#flags &= ~CLOSE_AFTER_OUTPUT;
      // After a failure the peer may still be sending: a FIN, not a reset that could lose our close.
      if (this.engine.closeReceived) this.closeTcp();
      else this.endGracefully();
    }
  }

  /**
   * Adds the socket's `drain` listener, once: now, when a write has just filled the buffer, and
   * before the write completes, so the `drain` that follows is heard. A listener per connection
   * from the start would cost every connection an `on` (about 900 instructions) and a slot in the
   * socket's listener table, for an event most never see.
   */
  private listenForDrain(): void {
    if ((this.#flags & DRAIN_LISTENING) !== 0) return;
    this.#flags |= DRAIN_LISTENING;
    this.socket.on('drain', socketOnDrain);
  }

  /** The server's side of closing TCP once the closing handshake is done and its frames are out. */
  private closeTcp(): void {
    if (!this.destroyIfFlushed()) this.endGracefully();
  }

  /**
   * Destroys a plain TCP socket whose bytes are all in the kernel, once both close frames are
   * exchanged (§5.5.1: the endpoint "MUST close the underlying TCP connection"). Closing the
   * descriptor sends what the kernel holds and then FIN, as `end()` would, but does not wait for
   * the peer's FIN: three system calls and a close timer less per connection, and the server
   * still closes first (§7.1.1). Returns false, and does nothing, for a TLS socket (it ends with
   * close_notify), any other stream, bytes still queued in Node, and a socket not reading (paused
   * or throttled): there the peer's bytes may wait unread in the kernel, and closing a descriptor
   * with unread bytes sends RST, which can make the peer's kernel drop our close frame. Those end
   * gracefully.
   */
  private destroyIfFlushed(): boolean {
    const socket = this.socket;
    if (!this.engine.closeSent || !(socket instanceof Socket)) return false;
    if ((this.#flags & (PAUSED | THROTTLED)) !== 0) return false;
    if ((socket as TLSSocket).encrypted === true || socket.writableLength !== 0 || socket.destroyed) {
      return false;
    }
    socket.destroy();
    return true;
  }

  /** Half-closes (FIN after the last queued byte) and gives the peer `closeTimeout` to close too. */
  private endGracefully(): void {
    const socket = this.socket;
    if (!socket.writableEnded && !socket.destroyed) socket.end();
    this.armCloseTimer();
  }

  private armCloseTimer(): void {
    const closeTimeout = this.#options.closeTimeout;
    if (this.#closeTimer !== null || (this.#flags & FINISHED) !== 0 || closeTimeout <= 0) return;
    this.#closeTimer = setTimeout(driverCloseTimeout, closeTimeout, this);
    this.#closeTimer.unref();
  }

  private clearPongTimer(): void {
    const pinger = this.#pinger;
    if (pinger !== null && pinger.deadline !== null) {
      clearTimeout(pinger.deadline);
      pinger.deadline = null;
    }
  }

  private stopPing(): void {
    const pinger = this.#pinger;
    if (pinger === null) return;
    clearInterval(pinger.interval);
    if (pinger.deadline !== null) clearTimeout(pinger.deadline);
    this.#pinger = null;
  }
}

/**
 * Drivers that queued output while a socket's `data` event was being handled (by any socket: a
 * message on one connection may send on many), written when the handler returns. Writes are
 * never held past the current event, and each socket's frames keep their order (any direct
 * flush, such as a close, writes everything queued before it).
 */
const batch: SocketDriver[] = [];
let batchDepth = 0;

function socketOnData(this: AttachedSocket, chunk: Buffer): void {
  const driver = this[kDriver];
  batchDepth++;
  try {
    driver.engine.receiveData(chunk);
  } finally {
    if (--batchDepth === 0 && batch.length > 0) flushBatch();
  }
  if (driver.engine.incomingInFlight > 0) driver.throttle();
}

function flushBatch(): void {
  // By index: a drain handler may queue more, which flushes at once (batchDepth is 0 again).
  for (let i = 0; i < batch.length; i++) batch[i]!.flushBatched();
  batch.length = 0;
}

function socketOnEnd(this: AttachedSocket): void {
  this[kDriver].handleEnd();
}

function socketOnClose(this: AttachedSocket): void {
  this[kDriver].finish();
}

function socketOnError(this: GuardedSocket, error: Error): void {
  // No driver yet (guardSocketErrors): the handshake tick finds the socket destroyed.
  this[kDriver]?.handleError(error);
}

function socketOnDrain(this: AttachedSocket): void {
  this[kDriver].handleDrain();
}

function driverDrained(driver: SocketDriver): void {
  driver.handleDrain();
}

function driverFinish(driver: SocketDriver): void {
  driver.finish();
}

function driverPingTick(driver: SocketDriver): void {
  driver.pingTick();
}

function driverPongTimeout(driver: SocketDriver): void {
  driver.pongTimeout();
}

function driverCloseTimeout(driver: SocketDriver): void {
  driver.closeTimeout();
}
