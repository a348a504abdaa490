import type { ProtocolError } from '../errors.js';

/**
 * The contract between a protocol engine and the I/O layer that drives it, after the opening
 * handshake. Both the RFC 6455 `Connection` and the hixie-75/76 `DraftConnection` implement it,
 * so `node/` can pump either through a socket without knowing which.
 *
 * Sans-I/O, as python-websockets' `Protocol`: bytes and intents go in through methods; results
 * come out through the {@link EngineHandler} callbacks and {@link Engine.takeOutgoing}. An engine
 * never touches a socket, a clock or a timer, and never throws into its caller for anything the
 * peer sent: a violation becomes {@link EngineHandler.onFail}.
 */
export interface Engine {
  /** Where the engine is in the closing handshake. */
  readonly state: EngineState;
  /** True once this side's close frame has been queued. */
  readonly closeSent: boolean;
  /** True once the peer's close frame has been received. */
  readonly closeReceived: boolean;
  /**
   * Bytes of messages accepted by `send*` that have not reached {@link takeOutgoing} yet (for
   * example while an extension compresses them). Part of `bufferedAmount`.
   */
  readonly pendingBytes: number;
  /**
   * Messages received that the extensions are still decoding (inflating), not yet delivered. The
   * driver stops reading while there are any.
   */
  readonly incomingInFlight: number;

  /** Feeds bytes read from the transport. Any split of the stream gives the same results. */
  receiveData(chunk: Buffer): void;
  /**
   * The transport reached end of stream: nothing more is read. Messages received before it that an
   * extension is still decoding (and a close frame queued behind them) are still delivered; the
   * engine is then `Closed` and calls {@link EngineHandler.onEnd}. With nothing in flight it is
   * `Closed` at once, without `onEnd`.
   */
  receiveEof(): void;
  /**
   * The transport is gone: work in flight (messages being decoded or encoded) is dropped, nothing
   * more is delivered, and the engine is `Closed`.
   */
  destroy(): void;

  /** Queues a text message. Returns false (and queues nothing) once a close frame was sent. */
  sendText(text: string): boolean;
  /** Queues a binary message. Returns false once a close frame was sent, or where the protocol has no binary frames (drafts). */
  sendBinary(data: Uint8Array): boolean;
  /** Queues a ping (payload ≤ 125 bytes, else RangeError). False once closing, or where the protocol has no ping. */
  sendPing(payload?: Uint8Array): boolean;
  /** Queues an unsolicited pong (payload ≤ 125 bytes, else RangeError). False once closing, or where the protocol has no pong. */
  sendPong(payload?: Uint8Array): boolean;
  /**
   * Starts the closing handshake: queues a close frame after every message accepted before it.
   * `code` undefined sends an empty close payload. The caller has validated code and reason.
   * Returns false if a close frame was already sent.
   */
  sendClose(code?: number, reason?: string): boolean;
  /**
   * Fails the connection from this side (e.g. 1011 on an internal error, 1001 going away):
   * queues a close frame with `code` unless one was sent, and processes no further input.
   * Messages still being compressed are dropped.
   */
  fail(code: number, reason?: string): void;

  /** Takes the bytes waiting to be written, in order, and empties the queue. */
  takeOutgoing(): Buffer[];
  /**
   * The transport's write buffer went over its high-water mark (`true`) or drained (`false`).
   * While blocked, the engine answers only the newest ping, once unblocked, so a peer that sends
   * pings and reads nothing cannot grow the buffer without end.
   */
  setOutputBlocked(blocked: boolean): void;
}

/** `Open`, `Closing` (our close frame sent, the peer's awaited) and `Closed` (handshake done, or failed). */
export const EngineState = {
  Open: 1,
  Closing: 2,
  Closed: 3,
} as const;
export type EngineState = (typeof EngineState)[keyof typeof EngineState];

/** Callbacks through which an engine reports what it received. */
export interface EngineHandler {
  /** A whole message: a string for text, a Buffer for binary. */
  onMessage(data: string | Buffer, binary: boolean): void;
  /** A ping arrived; the pong reply is queued, unless our close frame is out (or deferred while output is blocked). */
  onPing(payload: Buffer): void;
  /** A pong arrived. */
  onPong(payload: Buffer): void;
  /**
   * The peer's close frame arrived (`code` 1005 when it had no payload). If this side had not sent
   * one, the echo is already queued. The engine is `Closed` now and processes nothing more.
   */
  onClose(code: number, reason: string): void;
  /**
   * The peer broke the protocol, or an extension failed: a close frame carrying
   * `error.closeCode` is already queued (no reason text for 1011), unless this side had already
   * sent one, and the engine processes no further input.
   */
  onFail(error: ProtocolError): void;
  /** Bytes are waiting in {@link Engine.takeOutgoing}; may be called asynchronously (extensions). */
  onOutgoing(): void;
  /**
   * The end of stream that {@link Engine.receiveEof} deferred has been processed: what was received
   * before it has been delivered, and the engine is `Closed`. Not called when a close frame
   * received before the end of stream completed the closing handshake first (`onClose` was).
   */
  onEnd?(): void;
}
