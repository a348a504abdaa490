/**
 * The zlib side of permessage-deflate: a codec owns one raw DEFLATE stream, created on the first
 * compressed message (an idle connection holds no zlib memory), reused for every later message
 * (`reset()` between messages where context takeover is off, never re-created), and closed with
 * the session that owns it, or never when it is shared (`permessage-deflate-pool.ts`).
 *
 * Each direction handles one message at a time in arrival order, which keeps the shared LZ77
 * context consistent and lets each output chunk be counted against the message it belongs to.
 * A message costs one trip to the zlib thread pool: the stream's default flush is `Z_SYNC_FLUSH`,
 * so a single `write()` compresses and flushes (ws pays a second trip for a separate `flush()`).
 *
 * The inflater counts output as zlib produces it (one chunk of at most `chunkSize` bytes at a
 * time) and destroys the stream the moment a message exceeds its limit, so a decompression bomb
 * costs at most the limit plus one chunk, never the bomb's inflated size.
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.2
 */
import { constants, createDeflateRaw, createInflateRaw, type DeflateRaw, type InflateRaw } from 'node:zlib';
import { ErrorCode } from '../errors.js';
import type { ExtensionMessage, MessageCallback } from '../protocol/extension.js';

/**
 * RFC 7692 §7.2.1 removes these 4 octets from the end of every compressed message, and §7.2.2:
 * "Append 4 octets of 0x00 0x00 0xff 0xff to the tail end of the payload of the message."
 */
const TRAILER_LENGTH = 4;
const EMPTY = Buffer.alloc(0);

function ignore(): void {}

export type { MessageCallback } from '../protocol/extension.js';

/** An error for the connection: `type` names the close code as websocket-driver does. */
export interface DeflateError extends Error {
  /** `'too_large'` (1009), `'protocol_error'` (1002) or `'unexpected_condition'` (1011). */
  type: string;
  /** The matching {@link ErrorCode}. */
  code: string;
}

/** A {@link DeflateError}: the codecs' and the session's one way of building one. */
export function deflateError(
  message: string,
  type: string,
  code: string,
  cause?: unknown,
  ErrorClass: ErrorConstructor = Error,
): DeflateError {
  const error = new ErrorClass(message, cause === undefined ? undefined : { cause }) as DeflateError;
  error.type = type;
  error.code = code;
  return error;
}

function closedError(): DeflateError {
  return deflateError('The permessage-deflate session is closed', 'unexpected_condition', ErrorCode.Internal);
}

interface Job {
  message: ExtensionMessage;
  callback: MessageCallback;
  /** Largest inflated message in bytes (the inflater's check; a shared inflater serves many limits). */
  limit: number;
}

/** The per-direction queue both codecs share: one message in zlib at a time, in order. */
abstract class MessageCodec<S extends DeflateRaw | InflateRaw> {
  protected stream: S | null = null;
  protected current: Job | null = null;
  protected chunks: Buffer[] = [];
  protected length = 0;
  #queue: Job[] = [];
  #head = 0;
  #closed = false;

  /**
   * Queues `message`; `callback` gets it back transformed (in place) or an error. `limit` bounds
   * an inflated message (the inflater fails it with 1009 beyond that); the deflater ignores it.
   */
  process(message: ExtensionMessage, callback: MessageCallback, limit = Number.POSITIVE_INFINITY): void {
    if (this.#closed) {
      callback(closedError(), null);
      return;
    }
    if (this.current === null) this.#start({ message, callback, limit });
    else this.#queue.push({ message, callback, limit });
  }

  /** Destroys the zlib stream; messages still queued get an error. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#discardStream();
    const failed: Job[] = [];
    if (this.current !== null) failed.push(this.current);
    for (let i = this.#head; i < this.#queue.length; i++) failed.push(this.#queue[i]!);
    this.current = null;
    this.#queue = [];
    this.#head = 0;
    for (const job of failed) job.callback(closedError(), null);
  }

  protected abstract createStream(): S;
  protected abstract write(stream: S, job: Job): void;

  #start(job: Job): void {
    this.current = job;
    let stream = this.stream;
    if (stream === null) {
      stream = this.createStream();
      this.stream = stream;
    }
    this.write(stream, job);
  }

  /** Ends the current message with `error` or its result, then starts the next one. */
  protected finish(error: Error | null): void {
    const job = this.current!;
    this.current = null;
    // The array is reused: `output()` hands out its buffers, never the array.
    this.chunks.length = 0;
    this.length = 0;
    const queue = this.#queue;
    if (this.#head < queue.length) {
      const next = queue[this.#head]!;
      queue[this.#head++] = undefined as unknown as Job;
      if (this.#head === queue.length) {
        queue.length = 0;
        this.#head = 0;
      }
      // Start the next message before the callback runs, so zlib works while the caller does.
      this.#start(next);
    }
    if (error === null) job.callback(null, job.message);
    else job.callback(error, null);
  }

  /** Forgets the stream: callbacks it may still fire are ignored (they check identity). */
  protected discard(): void {
    this.#discardStream();
  }

  #discardStream(): void {
    const stream = this.stream;
    this.stream = null;
    if (stream !== null) stream.destroy();
  }

  /** The output of the current message, as one buffer. */
  protected output(): Buffer {
    const chunks = this.chunks;
    if (chunks.length === 1) return chunks[0]!;
    if (chunks.length === 0) return EMPTY;
    return Buffer.concat(chunks, this.length);
  }

  /**
   * Collects output a flowing stream may still hold. zlib pushes each chunk from the thread pool
   * callback, where a flowing stream emits `data` at once; this covers the case where it did not.
   */
  protected drain(stream: S): void {
    while (stream.readableLength > 0 && stream.read() !== null) {
      // `read()` emits `data` for what it returns, which the data listener collects.
    }
  }
}

/** zlib settings of the compressing direction. */
export interface DeflaterSettings {
  level: number;
  memLevel: number;
  /** RFC window bits (8–15); 8 is compressed with 9 (see below). */
  windowBits: number;
  noContextTakeover: boolean;
}

/**
 * zlib (since 1.2.9) refuses an 8-bit window for raw deflate. A 9-bit compressor never refers
 * back more than 512 − 262 = 250 octets (zlib's MAX_DIST), so its output still fits a peer's
 * 8-bit (256-octet) window; an inflater with a larger window than the peer's reads it as well.
 */
export function zlibWindowBits(bits: number): number {
  return Math.max(bits, 9);
}

/** Compresses outgoing messages: RFC 7692 §7.2.1. */
export class MessageDeflater extends MessageCodec<DeflateRaw> {
  readonly #settings: DeflaterSettings;
  /** The write callback of the current stream (made once per stream, not per message). */
  #writeDone: (error?: Error | null) => void = ignore;

  constructor(settings: DeflaterSettings) {
    super();
    this.#settings = settings;
  }

  protected createStream(): DeflateRaw {
    const settings = this.#settings;
    const stream = createDeflateRaw({
      level: settings.level,
      memLevel: settings.memLevel,
      windowBits: zlibWindowBits(settings.windowBits),
      // One write is one message: compress and flush in a single trip to the thread pool.
      flush: constants.Z_SYNC_FLUSH,
    });
    stream.on('data', (chunk: Buffer) => {
      if (this.stream !== stream) return;
      this.chunks.push(chunk);
      this.length += chunk.length;
    });
    stream.on('error', (error: Error) => {
      if (this.stream !== stream || this.current === null) return;
      this.discard();
      this.finish(deflateError('Compression failed', 'unexpected_condition', ErrorCode.Internal, error));
    });
    this.#writeDone = (error?: Error | null) => this.#written(stream, error);
    return stream;
  }

  protected write(stream: DeflateRaw, job: Job): void {
    stream.write(job.message.data, this.#writeDone);
  }

  #written(stream: DeflateRaw, error: Error | null | undefined): void {
    if (this.stream !== stream || this.current === null) return;
    if (error) {
      this.discard();
      this.finish(deflateError('Compression failed', 'unexpected_condition', ErrorCode.Internal, error));
      return;
    }
    this.drain(stream);
    const output = this.output();
    // §7.2.1: "Compress all the octets of the payload of the message using DEFLATE", flush with
    // an empty stored block (Z_SYNC_FLUSH) and "Remove 4 octets (that are 0x00 0x00 0xff 0xff)
    // from the tail end."
    if (this.#settings.noContextTakeover) stream.reset();
    const message = this.current.message;
    message.data = output.subarray(0, Math.max(0, output.length - TRAILER_LENGTH));
    message.rsv1 = true;
    this.finish(null);
  }
}

/** zlib settings of the decompressing direction. */
export interface InflaterSettings {
  /** The peer's RFC window bits (8–15). */
  windowBits: number;
  noContextTakeover: boolean;
}

/** Decompresses incoming messages with RSV1 set: RFC 7692 §7.2.2. */
export class MessageInflater extends MessageCodec<InflateRaw> {
  readonly #settings: InflaterSettings;
  /** The write callback of the current stream (made once per stream, not per message). */
  #writeDone: (error?: Error | null) => void = ignore;
  /** The compressed payload plus the trailer, as written; `bytesWritten` before it. */
  #inputLength = 0;
  #consumedBefore = 0;

  constructor(settings: InflaterSettings) {
    super();
    this.#settings = settings;
  }

  protected createStream(): InflateRaw {
    const stream = createInflateRaw({
      windowBits: zlibWindowBits(this.#settings.windowBits),
      flush: constants.Z_SYNC_FLUSH,
    });
    stream.on('data', (chunk: Buffer) => {
      if (this.stream !== stream || this.current === null) return;
      const length = this.length + chunk.length;
      const limit = this.current.limit;
      if (length > limit) {
        // Stop zlib now: destroying the stream from here makes Node skip the rest of the input,
        // so at most maxLength + one chunk was ever inflated.
        this.discard();
        this.finish(
          deflateError(
            `Message too big: more than ${limit} bytes once inflated`,
            'too_large',
            ErrorCode.UnsupportedMessageLength,
            undefined,
            RangeError,
          ),
        );
        return;
      }
      this.length = length;
      this.chunks.push(chunk);
    });
    stream.on('error', (error: Error) => {
      if (this.stream !== stream || this.current === null) return;
      this.#failUndecodable(error);
    });
    this.#writeDone = (error?: Error | null) => this.#written(stream, error);
    return stream;
  }

  protected write(stream: InflateRaw, job: Job): void {
    const data = job.message.data;
    // One buffer, one trip to the thread pool: the payload and the §7.2.2 trailer together.
    const input = Buffer.allocUnsafe(data.length + TRAILER_LENGTH);
    data.copy(input, 0);
    input.writeUInt32BE(0x0000ffff, data.length);
    this.#inputLength = input.length;
    this.#consumedBefore = stream.bytesWritten;
    stream.write(input, this.#writeDone);
  }

  /** Drops the stream and fails the current message: zlib could not decode its payload. */
  #failUndecodable(error: Error): void {
    this.discard();
    // RFC 7692 names no close code for undecodable data; it breaks the extension's framing of
    // the payload, so this is a protocol error (python-websockets does the same).
    this.finish(
      deflateError(`Invalid compressed data: ${error.message}`, 'protocol_error', ErrorCode.Extension, error),
    );
  }

  #written(stream: InflateRaw, error: Error | null | undefined): void {
    if (this.stream !== stream || this.current === null) return;
    if (error) {
      this.#failUndecodable(error);
      return;
    }
    const job = this.current;
    this.drain(stream);
    // The drained output went over the limit: that failed the message, dropped this stream and
    // may already have started the next message on a new one, which is not ours to finish.
    if (this.current !== job || this.stream !== stream) return;
    const output = this.output();
    if (stream.bytesWritten - this.#consumedBefore < this.#inputLength) {
      // The message ended the DEFLATE stream (a block with BFINAL set): zlib takes no more input
      // on it, so the next message starts a new one, as a peer that ended its stream must do.
      this.discard();
    } else if (this.#settings.noContextTakeover) {
      stream.reset();
    }
    const message = this.current.message;
    message.data = output;
    message.rsv1 = false;
    this.finish(null);
  }
}
