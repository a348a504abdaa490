/**
 * The RFC 6455 protocol engine after the opening handshake, sans-I/O in the manner of
 * python-websockets' `Protocol`: bytes go in through {@link Connection.receiveData}, intents
 * through `send*` and {@link Connection.fail}; what was received comes out through the
 * {@link EngineHandler} callbacks, and the bytes to write through {@link Connection.takeOutgoing}.
 * It never touches a socket, a timer or a clock: close timeouts and keep-alive pings belong to the
 * driver in `src/node/`.
 *
 * Every violation the peer commits becomes one {@link ProtocolError} handled in one place
 * ({@link Connection.failWith}): the close frame with its code is queued (1002, 1007, 1009,
 * 1010 or the extension's type, 1011 without reason text), nothing more is processed, and the
 * handler hears `onFail`. Nothing the peer sends makes a method throw.
 *
 * Extensions (an already-negotiated npm `websocket-extensions` `Extensions`) process whole data
 * messages asynchronously. Input stays in order around them: no frame behind a message that is
 * still being decoded is parsed until that message is delivered, so a ping is answered, a close
 * completed or a violation failed only after every message the peer sent before it, as ws and
 * python-websockets do. Outgoing frames keep their order the same way, and `onOutgoing` is called
 * when bytes appear later.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-7
 */
import { ErrorCode, ProtocolError } from '../errors.js';
import { validateOptions } from '../options.js';
import { isValidCloseCode } from './close-code.js';
import { encodeClosePayload, parseClosePayload } from './close-payload.js';
import { type Engine, type EngineHandler, EngineState } from './engine.js';
import type { ExtensionMessage, ExtensionPipeline } from './extension.js';
import { pushFrame, pushTextFrame, RSV1, RSV2, RSV3 } from './frame-encoder.js';
import {
  checkMaxLength,
  DEFAULT_MAX_FRAGMENTS,
  DEFAULT_MAX_LENGTH,
  FrameEvent,
  FrameParser,
} from './frame-parser.js';
import { type MaskKeySource, writeRandomMaskKey } from './mask-source.js';
import { Opcode } from './opcode.js';
import { Role } from './role.js';

export { Role } from './role.js';

/** Options of a {@link Connection}. Unknown keys throw. */
export interface ConnectionOptions {
  /** `'client'` masks every frame it sends and fails on masked frames; `'server'` the reverse. Required. */
  role: Role;
  /**
   * Largest incoming message in bytes, over all its fragments and measured both on the wire and
   * after extensions (inflation); more fails the connection with 1009. Default `2 ** 26 - 1`
   * (faye's 64 MiB − 1).
   */
  maxLength?: number;
  /** Most frames one incoming message may span; more fails with 1009. Default `131072` (ws's and undici's bound). */
  maxFragments?: number;
  /**
   * The negotiated `websocket-extensions` `Extensions` instance, or `null` for none. Pass `null`
   * when negotiation accepted no extension (an `Extensions` with no active session has no
   * pipeline). Default `null`.
   */
  extensions?: ExtensionPipeline | null;
}

/**
 * Strict UTF-8 decoding for whole messages: `fatal` throws on ill-formed input (RFC 3629), and
 * `ignoreBOM` keeps a leading U+FEFF, which is message content, not a byte-order mark.
 */
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const OPTION_KEYS: readonly string[] = ['role', 'maxLength', 'maxFragments', 'extensions'];

const FIN = 0x80;
const EMPTY = Buffer.alloc(0);
const FLUSHED: Buffer[] = [];

// The connection's booleans, as bits of one #flags integer: every field costs 8 bytes of every
// idle connection (as Node's stream states, which pack theirs the same way).
const CLOSE_SENT = 1;
const CLOSE_RECEIVED = 2;
/** EngineState.Closed; without it the state is Closing once CLOSE_SENT, else Open. */
const CLOSED = 64;
/** No more input is parsed: the peer's close frame arrived, the connection failed, or EOF. */
const INPUT_DONE = 4;
/** Failed or aborted: results of extension processing still in flight are dropped. */
const DEAD = 8;
/** Inside receiveData (a flag, not a depth: a nested call leaves the outermost to clear it). */
const RECEIVING = 16;
/** Inside receiveData, bytes were queued: onOutgoing is called once at the end. */
const NOTIFY_PENDING = 32;
/** The transport's buffer is over its high-water mark (setOutputBlocked): pings are answered later. */
const OUTPUT_BLOCKED = 128;
/**
 * The transport's end of stream came while a message was being decoded: nothing more is read, but
 * the frames already read are handled after that message (see receiveEof).
 */
const EOF_PENDING = 256;

/**
 * The newest ping each blocked connection has not answered yet (see setOutputBlocked). Rarely
 * set, so kept here rather than in a field every idle connection would carry.
 */
const unansweredPings = new WeakMap<Connection, Buffer>();

/**
 * What only a connection with negotiated extensions needs, kept out of the connection itself so
 * that the common connection without extensions does not carry it.
 */
interface ExtensionState {
  readonly pipeline: ExtensionPipeline;
  /** The limit applied again to decoded (inflated) messages. */
  readonly maxLength: number;
  /**
   * Data frames (and what must follow them: our close, pre-encoded frames) in send order while
   * the pipeline processes earlier ones; `null` marks a message still in the pipeline.
   */
  slots: Array<Buffer[] | null>;
  slotBytes: number[];
  slotHead: number;
  pendingBytes: number;
  incomingInFlight: number;
  released: boolean;
}

/** websocket-driver 0.8's names for close codes, which an extension error's `type` may carry. */
const EXTENSION_ERROR_TYPES: Readonly<Record<string, number>> = {
  normal_closure: 1000,
  going_away: 1001,
  protocol_error: 1002,
  unacceptable: 1003,
  encoding_error: 1007,
  policy_violation: 1008,
  too_large: 1009,
  extension_error: 1010,
  unexpected_condition: 1011,
};

const ERROR_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/**
 * The error an extension reported, as websocket-driver 0.8 maps it: `error.type` names the close
 * code (`'too_large'` → 1009, or a number), anything else is 1010. An extension that names one of
 * sockeye's error codes in `error.code` (the built-in deflate reports an oversized message as
 * `WS_ERR_UNSUPPORTED_MESSAGE_LENGTH`) keeps it; other errors are `WS_ERR_EXTENSION`.
 */
function extensionFailure(error: unknown): ProtocolError {
  const { type, code: name } = (error ?? {}) as { type?: unknown; code?: unknown };
  let code = 1010;
  if (typeof type === 'string' && Object.hasOwn(EXTENSION_ERROR_TYPES, type))
    code = EXTENSION_ERROR_TYPES[type]!;
  else if (typeof type === 'number' && isValidCloseCode(type)) code = type;
  const message = error instanceof Error ? error.message : String(error);
  const errorCode =
    typeof name === 'string' && ERROR_CODES.has(name) ? (name as ErrorCode) : ErrorCode.Extension;
  return new ProtocolError(errorCode, code, message, { cause: error });
}

function internalFailure(error: unknown): ProtocolError {
  return new ProtocolError(ErrorCode.Internal, 1011, 'Internal error in extension processing', {
    cause: error,
  });
}

/** Empties the extension's output queue; returns what it held from its head on (`null`: unfinished). */
function takeSlots(ext: ExtensionState): Array<Buffer[] | null> {
  const waiting = ext.slots.slice(ext.slotHead);
  ext.slots.length = 0;
  ext.slotBytes.length = 0;
  ext.slotHead = 0;
  ext.pendingBytes = 0;
  return waiting;
}

/** `text` cut to at most `max` UTF-8 bytes on a code point boundary. */
function truncateUtf8(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  const bytes = Buffer.from(text);
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.toString('utf8', 0, end);
}

/**
 * An RFC 6455 connection in the OPEN state onwards. See the module comment; the
 * {@link Engine} interface documents each method.
 *
 * An idle server holds thousands of these, so the object is kept small: booleans share one
 * `#flags` integer, the outgoing queue exists only while it holds bytes, and the state only
 * extensions need lives in a side object made only when extensions were negotiated.
 *
 * Its helper methods are TypeScript `private`, not `#`: V8 gives every instance of a class with
 * `#` methods a brand slot (8 bytes per idle connection).
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5
 */
export class Connection implements Engine {
  readonly #handler: EngineHandler;
  /** Client frames are masked (§5.3); null for a server (which is how the role is known). */
  readonly #keySource: MaskKeySource | null;
  /**
   * Made when the first bytes arrive if the limits are the defaults and there are no extensions
   * (most connections): a connection that only listens, the idle server's thousands, never needs
   * one (~190 bytes each). Made at once otherwise, so it alone keeps the non-default settings.
   */
  #parser: FrameParser | null = null;
  /** Null without extensions. */
  readonly #ext: ExtensionState | null;

  /** CLOSE_SENT, CLOSE_RECEIVED, CLOSED, INPUT_DONE, DEAD, RECEIVING, NOTIFY_PENDING, OUTPUT_BLOCKED, EOF_PENDING. */
  #flags = 0;
  /**
   * Frames waiting for takeOutgoing; null when there are none, never empty (a new queue is stored
   * only once a frame is in it), so null tells whether onOutgoing is due.
   */
  #outgoing: Buffer[] | null = null;
  /** The bytes in `#outgoing`: they are part of `bufferedAmount` until the driver takes them. */
  #outgoingBytes = 0;

  constructor(handler: EngineHandler, options: ConnectionOptions) {
    if (options === null || typeof options !== 'object')
      throw new TypeError('Connection options are required');
    validateOptions(options, OPTION_KEYS);
    const { role } = options;
    if (role !== Role.Client && role !== Role.Server) {
      throw new TypeError(`role must be 'client' or 'server', got ${String(role)}`);
    }
    const extensions = options.extensions ?? null;
    if (
      extensions !== null &&
      (typeof extensions.validFrameRsv !== 'function' ||
        typeof extensions.processIncomingMessage !== 'function' ||
        typeof extensions.processOutgoingMessage !== 'function')
    ) {
      throw new TypeError('extensions must be a websocket-extensions Extensions instance or null');
    }
    this.#handler = handler;
    this.#keySource = role === Role.Client ? writeRandomMaskKey : null;
    const maxLength = checkMaxLength(options.maxLength ?? DEFAULT_MAX_LENGTH);
    this.#ext =
      extensions === null
        ? null
        : {
            pipeline: extensions,
            maxLength,
            slots: [],
            slotBytes: [],
            slotHead: 0,
            pendingBytes: 0,
            incomingInFlight: 0,
            released: false,
          };
    const maxFragments = options.maxFragments ?? DEFAULT_MAX_FRAGMENTS;
    if (extensions !== null || maxLength !== DEFAULT_MAX_LENGTH || maxFragments !== DEFAULT_MAX_FRAGMENTS) {
      this.#parser = new FrameParser({ role, maxLength, maxFragments, extensions });
    }
  }

  /** This side's role. */
  get role(): Role {
    return this.#keySource === null ? Role.Server : Role.Client;
  }

  get state(): EngineState {
    const flags = this.#flags;
    if ((flags & CLOSED) !== 0) return EngineState.Closed;
    return (flags & CLOSE_SENT) !== 0 ? EngineState.Closing : EngineState.Open;
  }

  get closeSent(): boolean {
    return (this.#flags & CLOSE_SENT) !== 0;
  }

  get closeReceived(): boolean {
    return (this.#flags & CLOSE_RECEIVED) !== 0;
  }

  get pendingBytes(): number {
    const ext = this.#ext;
    return ext === null ? this.#outgoingBytes : ext.pendingBytes + this.#outgoingBytes;
  }

  get incomingInFlight(): number {
    const ext = this.#ext;
    return ext === null ? 0 : ext.incomingInFlight;
  }

  // ---------------------------------------------------------------------------------------------
  // Input

  /**
   * Feeds bytes read from the transport; the engine takes ownership of `chunk` (payloads are
   * unmasked in place). Events come out through the handler; `onOutgoing` is called once at the
   * end if bytes were queued meanwhile (pongs, echoes, sends from handlers).
   */
  receiveData(chunk: Buffer): void {
    if ((this.#flags & (INPUT_DONE | EOF_PENDING)) !== 0) return;
    (this.#parser ??= new FrameParser({ role: this.role })).feed(chunk);
    this.readFrames();
  }

  /** Handles the frames the parser holds, up to a message the extensions must decode first. */
  private readFrames(): void {
    const parser = this.#parser!;
    const ext = this.#ext;
    const flags = this.#flags;
    this.#flags = flags | RECEIVING;
    try {
      while ((this.#flags & INPUT_DONE) === 0) {
        // §7.1.7: after a violation an endpoint "MUST NOT continue to attempt to process data", so a
        // frame is handled only once every message before it is known good: delivered.
        if (ext !== null && ext.incomingInFlight !== 0) break;
        const event = parser.read();
        if (event === FrameEvent.None) break;
        if (event === FrameEvent.Message) {
          this.receiveMessage(parser.opcode, parser.data, parser.rsv, parser.validated);
        } else if (event === FrameEvent.Control) {
          this.receiveControl(parser.opcode, parser.data);
        } else {
          this.failWith(parser.error!);
        }
      }
    } finally {
      // The outermost call (a handler may feed bytes again) reports queued output once.
      if ((flags & RECEIVING) === 0) {
        const after = this.#flags;
        this.#flags = after & ~(RECEIVING | NOTIFY_PENDING);
        if ((after & NOTIFY_PENDING) !== 0 && this.#outgoing !== null) this.#handler.onOutgoing();
      }
    }
  }

  /**
   * The transport reached end of stream: nothing more is read. What the peer sent before it is
   * not lost: a message an extension is still decoding is delivered first, and the frames behind
   * it are handled after it (a close frame among them completes the closing handshake); then the
   * engine is `Closed` and calls `onEnd`. Without the peer's close frame, the driver reports 1006
   * (§7.1.5). Messages of ours still being encoded are dropped: the peer has stopped talking.
   */
  receiveEof(): void {
    const ext = this.#ext;
    if ((this.#flags & CLOSED) === 0 && ext !== null && ext.incomingInFlight > 0) {
      this.#flags |= EOF_PENDING;
      return;
    }
    this.stopInput();
    if ((this.#flags & CLOSED) === 0) this.closeAtEnd();
  }

  /** The engine is done: `Closed`, work in flight dropped, the extensions released. */
  private closeAtEnd(): void {
    this.#flags |= DEAD | CLOSED;
    this.releaseExtensions();
  }

  /** The transport is gone: drop work in flight and deliver nothing more. */
  destroy(): void {
    this.stopInput();
    this.closeAtEnd();
  }

  private stopInput(): void {
    this.#flags |= INPUT_DONE;
    this.#parser?.halt();
  }

  private receiveMessage(opcode: number, data: Buffer, rsv: number, validated: boolean): void {
    const ext = this.#ext;
    if (ext === null) {
      this.deliver(opcode, data, validated);
      return;
    }
    // §9 / RFC 7692 §6.2: extensions decode whole messages, in reverse negotiation order (the
    // websocket-extensions pipeline does that, and re-orders its results to arrival order).
    ext.incomingInFlight++;
    const message: ExtensionMessage = {
      rsv1: (rsv & RSV1) !== 0,
      rsv2: (rsv & RSV2) !== 0,
      rsv3: (rsv & RSV3) !== 0,
      opcode,
      data,
    };
    try {
      ext.pipeline.processIncomingMessage(message, (error, result) =>
        this.afterIncoming(error, result, data, validated),
      );
    } catch (error) {
      this.failWith(internalFailure(error), true);
    }
  }

  private afterIncoming(
    error: Error | null,
    result: ExtensionMessage | null,
    original: Buffer,
    validated: boolean,
  ): void {
    const ext = this.#ext!;
    if ((this.#flags & DEAD) !== 0 || ext.released) return;
    ext.incomingInFlight--;
    if (error !== null && error !== undefined) {
      this.failWith(extensionFailure(error));
      return;
    }
    if (result === null || result === undefined || !Buffer.isBuffer(result.data)) {
      this.failWith(internalFailure(new TypeError('An extension returned no message')), true);
      return;
    }
    const data = result.data;
    // The parser bounded the wire size; inflation can multiply it (a decompression bomb), so the
    // decoded size is checked again. npm permessage-deflate inflates whole messages, so this
    // bounds what is delivered, not the memory the plugin used on the way.
    if (data.length > ext.maxLength) {
      this.failWith(
        new ProtocolError(
          ErrorCode.UnsupportedMessageLength,
          1009,
          `Message too big: more than ${ext.maxLength} bytes once decoded`,
        ),
      );
      return;
    }
    this.deliver(result.opcode, data, validated && data === original);
    // Decoded at once, inside readFrames: its loop goes on with the next frame.
    if ((this.#flags & (RECEIVING | DEAD)) !== 0) return;
    // The frames that arrived behind this message, then the end of stream if it came meanwhile.
    this.readFrames();
    if ((this.#flags & EOF_PENDING) === 0 || ext.incomingInFlight !== 0) return;
    this.stopInput();
    if ((this.#flags & CLOSED) !== 0) return;
    this.closeAtEnd();
    this.#handler.onEnd?.();
  }
  private deliver(opcode: number, data: Buffer, validated: boolean): void {
    if (opcode === Opcode.Text) {
      // §8.1: "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte
      // stream is not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_."
      let text: string;
      try {
        // Text the parser did not validate (an extension decoded it) is validated and decoded in
        // one native pass, much faster than a JS check then toString.
        text = validated ? data.toString('utf8') : utf8Decoder.decode(data);
      } catch (error) {
        this.failWith(
          (error as { code?: unknown }).code === 'ERR_STRING_TOO_LONG'
            ? // A `maxLength` above V8's longest string (2^29 - 24 on 64-bit) lets a peer send
              // text that cannot be delivered as a string.
              new ProtocolError(
                ErrorCode.UnsupportedMessageLength,
                1009,
                `Message too big: ${data.length} bytes of text do not fit in a string`,
              )
            : new ProtocolError(ErrorCode.InvalidUtf8, 1007, 'Invalid UTF-8 in a text message'),
        );
        return;
      }
      this.#handler.onMessage(text, false);
    } else {
      this.#handler.onMessage(data, true);
    }
  }

  private receiveControl(opcode: number, payload: Buffer): void {
    if (opcode === Opcode.Close) {
      // §1.4 / §5.5.1: after the peer's close frame it sends nothing more, and we process nothing more.
      this.stopInput();
      let code: number;
      let reason: string;
      try {
        ({ code, reason } = parseClosePayload(payload));
      } catch (error) {
        this.failWith(error as ProtocolError);
        return;
      }
      this.completeClose(code, reason, payload);
    } else if (opcode === Opcode.Ping) {
      // §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response,
      // unless it already received a Close frame." §5.5.3: "A Pong frame sent in response to a
      // Ping frame must have identical 'Application data'." Once our close is out we send nothing more.
      if ((this.#flags & (CLOSE_SENT | OUTPUT_BLOCKED)) === 0) {
        this.pushControl(Opcode.Pong, payload);
      } else if ((this.#flags & CLOSE_SENT) === 0) {
        // §5.5.3: "If an endpoint receives a Ping frame and has not yet sent Pong frame(s) in response to
        // previous Ping frame(s), the endpoint MAY elect to send a Pong frame for only the most
        // recently processed Ping frame." So a peer that pings without reading cannot make us
        // buffer pongs without end. A copy: the payload may be a view of a whole read.
        unansweredPings.set(this, Buffer.from(payload));
      }
      this.#handler.onPing(payload);
    } else {
      this.#handler.onPong(payload);
    }
  }

  private completeClose(code: number, reason: string, payload: Buffer): void {
    this.#flags |= CLOSE_RECEIVED;
    // §5.5.1: "If an endpoint receives a Close frame and did not previously send a Close frame,
    // the endpoint MUST send a Close frame in response. (When sending a Close frame in response,
    // the endpoint typically echos the status code it received.)" We echo code and reason; an
    // empty close is answered with an empty close.
    if ((this.#flags & CLOSE_SENT) === 0) {
      this.#flags |= CLOSE_SENT;
      const frames: Buffer[] = [];
      pushFrame(frames, FIN | Opcode.Close, payload, this.#keySource);
      this.queueOrdered(frames);
    }
    this.#flags |= CLOSED;
    this.releaseExtensions();
    this.#handler.onClose(code, reason);
  }

  // ---------------------------------------------------------------------------------------------
  // Failing

  /**
   * The one place where a violation ends the connection (§7.1.7 "_Fail the WebSocket
   * Connection_"): queue a close frame with the error's code unless one was sent, stop processing
   * input, report `onFail`. The peer's violation does not take back what we accepted to send:
   * messages still in the extensions go out first, then the close frame (§5.5.1: "An endpoint MAY
   * delay sending a Close frame until its current message is sent"), as in ws. An extension that
   * failed (`broken`) cannot finish them, so they are dropped and the close frame goes out at once.
   */
  private failWith(error: ProtocolError, broken = false): void {
    if ((this.#flags & CLOSED) !== 0) return;
    this.abort(error.closeCode, error.closeCode === 1011 ? '' : error.message, !broken);
    this.#handler.onFail(error);
  }

  /**
   * Fails the connection from this side (e.g. 1011 on an internal error, 1001 going away): queues
   * a close frame with `code` and `reason` unless one was sent, and processes no further input.
   * Messages still in the extensions (being compressed) are dropped, and the close frame goes out
   * at once: a failing connection does not wait for them.
   * @see https://www.rfc-editor.org/rfc/rfc6455#section-7.1.7
   */
  fail(code: number, reason = ''): void {
    if ((this.#flags & CLOSED) !== 0) return;
    this.abort(code, reason, false);
  }

  /** Closes with `code`: after the messages still in the extensions if `keepOutput`, else at once. */
  private abort(code: number, reason: string, keepOutput: boolean): void {
    this.stopInput();
    const ext = this.#ext;
    if (!keepOutput) this.#flags |= DEAD;
    if ((this.#flags & CLOSE_SENT) === 0) {
      this.#flags |= CLOSE_SENT;
      const close: Buffer[] = [];
      pushFrame(
        close,
        FIN | Opcode.Close,
        encodeClosePayload(code, truncateUtf8(reason, 123)),
        this.#keySource,
      );
      if (keepOutput) this.queueOrdered(close);
      else {
        if (ext !== null) takeSlots(ext); // abandoned: the close frame goes out at once
        this.pushAll(close);
      }
    } else if (!keepOutput && ext !== null && ext.pendingBytes > 0) {
      // Our close frame waits behind messages the broken extension will not finish: send it now.
      for (const frames of takeSlots(ext)) if (frames !== null) this.pushAll(frames);
    }
    this.#flags |= CLOSED;
    this.releaseExtensions();
  }

  private releaseExtensions(): void {
    const ext = this.#ext;
    if (ext === null || ext.released) return;
    ext.released = true;
    // A result still to come is dropped (afterIncoming): the driver must not wait for it to read on.
    ext.incomingInFlight = 0;
    try {
      // Lets messages in flight drain, then closes each session (and its zlib streams).
      ext.pipeline.close(() => {});
    } catch {
      // A broken session must not turn a closed connection into a crash.
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Output

  sendText(text: string): boolean {
    if ((this.#flags & (CLOSE_SENT | CLOSED)) !== 0) return false;
    if (this.#ext === null) {
      const out = this.#outgoing ?? [];
      this.#outgoingBytes += pushTextFrame(out, FIN | Opcode.Text, text, this.#keySource);
      this.keepOutgoing(out);
    } else {
      this.sendThroughExtensions(Opcode.Text, Buffer.from(text));
    }
    return true;
  }

  sendBinary(data: Uint8Array): boolean {
    if ((this.#flags & (CLOSE_SENT | CLOSED)) !== 0) return false;
    if (this.#ext === null) {
      const out = this.#outgoing ?? [];
      this.#outgoingBytes += pushFrame(out, FIN | Opcode.Binary, data, this.#keySource);
      this.keepOutgoing(out);
    } else {
      const buffer = Buffer.isBuffer(data)
        ? data
        : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      this.sendThroughExtensions(Opcode.Binary, buffer);
    }
    return true;
  }

  /**
   * Queues a pre-encoded, unmasked data frame (from {@link encodeFrame}), keeping its order with
   * other sends: encode a broadcast once, hand the same buffers to many connections. Server role
   * only, since a client must mask every frame with a fresh key. False once a close frame was sent.
   */
  sendEncoded(chunks: readonly Buffer[]): boolean {
    if (this.#keySource !== null) {
      throw new TypeError(
        'sendEncoded is for the server role: a client must mask each frame with its own key',
      );
    }
    if ((this.#flags & (CLOSE_SENT | CLOSED)) !== 0) return false;
    this.queueOrdered(chunks.slice());
    return true;
  }

  sendPing(payload: Uint8Array = EMPTY): boolean {
    // §5.5: "All control frames MUST have a payload length of 125 bytes or less".
    if (payload.length > 125) throw new RangeError(`Ping payload of ${payload.length} bytes exceeds 125`);
    if ((this.#flags & (CLOSE_SENT | CLOSED)) !== 0) return false;
    this.pushControl(Opcode.Ping, payload);
    return true;
  }

  sendPong(payload: Uint8Array = EMPTY): boolean {
    if (payload.length > 125) throw new RangeError(`Pong payload of ${payload.length} bytes exceeds 125`);
    if ((this.#flags & (CLOSE_SENT | CLOSED)) !== 0) return false;
    this.pushControl(Opcode.Pong, payload);
    return true;
  }

  /**
   * Starts the closing handshake (§7.1.2): the close frame goes out after every message accepted
   * before it, and nothing is sent after it (§5.5.1 "the endpoint MUST NOT send any further data
   * frames"). Incoming data frames are still delivered until the peer's close arrives (§1.4).
   * Throws `RangeError` when code and reason exceed 125 bytes.
   */
  sendClose(code?: number, reason = ''): boolean {
    if ((this.#flags & (CLOSE_SENT | CLOSED)) !== 0) return false;
    const payload = encodeClosePayload(code, reason);
    this.#flags |= CLOSE_SENT; // and so the state is Closing
    const frames: Buffer[] = [];
    pushFrame(frames, FIN | Opcode.Close, payload, this.#keySource);
    this.queueOrdered(frames);
    return true;
  }

  takeOutgoing(): Buffer[] {
    const out = this.#outgoing;
    this.#outgoing = null;
    this.#outgoingBytes = 0;
    return out ?? [];
  }

  setOutputBlocked(blocked: boolean): void {
    if (blocked) {
      this.#flags |= OUTPUT_BLOCKED;
      return;
    }
    this.#flags &= ~OUTPUT_BLOCKED;
    const payload = unansweredPings.get(this);
    if (payload === undefined) return;
    unansweredPings.delete(this);
    if ((this.#flags & CLOSE_SENT) === 0) this.pushControl(Opcode.Pong, payload);
  }

  /** Control frames may be injected between the frames of a message (§5.4), so they skip the queue. */
  private pushControl(opcode: number, payload: Uint8Array): void {
    const out = this.#outgoing ?? [];
    this.#outgoingBytes += pushFrame(out, FIN | opcode, payload, this.#keySource);
    this.keepOutgoing(out);
  }

  /**
   * Makes `out`, just written to, the outgoing list. A new list (nothing was pending, so
   * `#outgoing` was null to spare an idle connection the array) tells the handler, after the
   * frame is in it.
   */
  private keepOutgoing(out: Buffer[]): void {
    if (this.#outgoing === out) return;
    this.#outgoing = out;
    this.notify();
  }

  /** Appends frames (an array it may keep) to the outgoing queue, calling notify() if it was empty. */
  private pushAll(frames: Buffer[]): void {
    if (frames.length === 0) return;
    for (let i = 0; i < frames.length; i++) this.#outgoingBytes += frames[i]!.length;
    const out = this.#outgoing;
    if (out !== null) {
      for (let i = 0; i < frames.length; i++) out.push(frames[i]!);
      return;
    }
    this.#outgoing = frames;
    this.notify();
  }

  /** Queues frames behind messages still in the extension pipeline, or straight out if there are none. */
  private queueOrdered(frames: Buffer[]): void {
    const ext = this.#ext;
    if (ext === null || ext.slotHead === ext.slots.length) {
      this.pushAll(frames);
      return;
    }
    let bytes = 0;
    for (let i = 0; i < frames.length; i++) bytes += frames[i]!.length;
    ext.slots.push(frames);
    ext.slotBytes.push(bytes);
    ext.pendingBytes += bytes;
  }

  private sendThroughExtensions(opcode: number, data: Buffer): void {
    const ext = this.#ext!;
    const slot = ext.slots.length;
    ext.slots.push(null);
    ext.slotBytes.push(data.length);
    ext.pendingBytes += data.length;
    const message: ExtensionMessage = { rsv1: false, rsv2: false, rsv3: false, opcode, data };
    try {
      ext.pipeline.processOutgoingMessage(message, (error, result) =>
        this.afterOutgoing(slot, error, result),
      );
    } catch (error) {
      this.failWith(internalFailure(error), true);
    }
  }

  private afterOutgoing(slot: number, error: Error | null, result: ExtensionMessage | null): void {
    if ((this.#flags & DEAD) !== 0) return;
    const ext = this.#ext!;
    const failure =
      error !== null && error !== undefined
        ? extensionFailure(error)
        : result === null || result === undefined || !Buffer.isBuffer(result.data)
          ? internalFailure(new TypeError('An extension returned no message'))
          : null;
    if (failure !== null && (this.#flags & CLOSED) === 0) {
      this.failWith(failure, true);
      return;
    }
    const frames: Buffer[] = [];
    if (failure === null) {
      const { rsv1, rsv2, rsv3, opcode, data } = result!;
      const firstByte = FIN | (rsv1 ? RSV1 : 0) | (rsv2 ? RSV2 : 0) | (rsv3 ? RSV3 : 0) | opcode;
      pushFrame(frames, firstByte, data, this.#keySource);
    }
    // Failed after the connection did: this message is lost, what waits behind it (our close) is not.
    ext.slots[slot] = frames;
    this.flushSlots(ext);
  }

  private flushSlots(ext: ExtensionState): void {
    const slots = ext.slots;
    const out = this.#outgoing ?? [];
    const wasEmpty = out.length === 0;
    let head = ext.slotHead;
    while (head < slots.length) {
      const frames = slots[head];
      if (frames === null || frames === undefined) break;
      for (let i = 0; i < frames.length; i++) {
        out.push(frames[i]!);
        this.#outgoingBytes += frames[i]!.length;
      }
      ext.pendingBytes -= ext.slotBytes[head]!;
      slots[head] = FLUSHED;
      head++;
    }
    if (head === slots.length) {
      slots.length = 0;
      ext.slotBytes.length = 0;
      head = 0;
    }
    ext.slotHead = head;
    if (out.length > 0) {
      this.#outgoing = out;
      if (wasEmpty) this.notify();
    }
  }

  private notify(): void {
    if ((this.#flags & RECEIVING) !== 0) this.#flags |= NOTIFY_PENDING;
    else this.#handler.onOutgoing();
  }
}
