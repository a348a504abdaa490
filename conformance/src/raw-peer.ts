import type { Socket } from 'node:net';
import type { DeflateCodec } from './deflate.js';
import { chop, encodeFrame, type FrameSpec, Opcode, toBytes } from './frame.js';
import type { TraceEvent } from './trace.js';

/** Which end of the connection the suite plays. */
export type PeerRole = 'client' | 'server';

/** Options of a {@link RawPeer}. */
export interface RawPeerOptions {
  /** The end the suite plays: `client` masks its frames and expects unmasked ones. */
  role: PeerRole;
  /** The negotiated permessage-deflate codec, or null. */
  codec: DeflateCodec | null;
  /** How long the suite waits for the subject to close TCP after the closing handshake. */
  closeTimeoutMs: number;
}

/** How a write is cut into TCP segments: Autobahn's `chopsize` and `sync`. */
export interface WriteOptions {
  /** Write the bytes in chunks of this size. Default: all at once. */
  chop?: number;
  /** Wait for each chunk to reach the kernel and give the event loop a turn before the next. */
  sync?: boolean;
  /** Write close frames without the closing-handshake bookkeeping (a malformed close is just bytes). */
  raw?: boolean;
}

const VALID_CLOSE_CODES = new Set([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014]);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** True when `data` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
export function isUtf8(data: Buffer): boolean {
  try {
    utf8.decode(data);
    return true;
  } catch {
    return false;
  }
}

/** True for a close code an endpoint may put on the wire. @see RFC 6455 §7.4 */
export function isValidCloseCode(code: number): boolean {
  return VALID_CLOSE_CODES.has(code) || (code >= 3000 && code <= 4999);
}

/**
 * The suite's end of one WebSocket connection after the handshake: it writes frames exactly as
 * a case asks (illegal ones included), parses what the subject sends with a strict parser of its
 * own, records the trace, answers pings and the closing handshake, and remembers who closed.
 */
export class RawPeer {
  /** Events observed from the subject, in order. */
  readonly trace: TraceEvent[] = [];
  /** The close code the subject sent, or null (no close frame, or one without a code). */
  remoteCloseCode: number | null = null;
  /** True once the suite sent a close frame. */
  closeSent = false;
  /** True once the subject's close frame arrived. */
  closeReceived = false;
  /** True when the suite sent its close frame before the subject sent one. */
  closedByMe = false;
  /** True when the suite had to drop TCP because the subject did not. */
  droppedByMe = false;
  /** The first thing the subject sent that RFC 6455/7692 forbids, if any. */
  violation: string | null = null;
  /** Resolves once the TCP connection is fully closed. */
  readonly closed: Promise<void>;

  readonly #socket: Socket;
  readonly #options: RawPeerOptions;
  readonly #chunks: Buffer[] = [];
  #buffered = 0;
  #fragments: Buffer[] = [];
  #messageOpcode = 0;
  #messageCompressed = false;
  #chain: Promise<void> = Promise.resolve();
  #listeners: Array<() => void> = [];
  #tcpClosed = false;
  #dropTimer: NodeJS.Timeout | null = null;

  constructor(socket: Socket, options: RawPeerOptions, initial: Buffer) {
    this.#socket = socket;
    this.#options = options;
    socket.setNoDelay(true);
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.#tcpClosed = true;
        if (this.#dropTimer) clearTimeout(this.#dropTimer);
        this.#options.codec?.close();
        this.#notify();
        resolve();
      });
    });
    socket.on('error', () => {});
    socket.on('end', () => {
      // The subject half-closed: finish our side too, so the socket can close.
      if (!socket.destroyed) socket.end();
    });
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.resume();
    if (initial.length > 0) this.#receive(initial);
  }

  /** True while TCP is up. */
  get isOpen(): boolean {
    return !this.#tcpClosed;
  }

  /** Calls `listener` after every new trace event and when the connection closes. */
  onChange(listener: () => void): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** Writes raw bytes, chopped as asked. Writes after TCP went away are dropped. */
  async write(data: Buffer, options: WriteOptions = {}): Promise<void> {
    const chunks = options.chop ? chop(data, options.chop) : [data];
    for (const chunk of chunks) {
      if (this.#socket.destroyed || this.#socket.writableEnded) return;
      if (options.sync) {
        await new Promise<void>((resolve) => this.#socket.write(chunk, () => resolve()));
        await new Promise((resolve) => setTimeout(resolve, 1));
      } else {
        this.#socket.write(chunk);
      }
    }
  }

  /** Encodes frames (masked when the suite is the client) and writes them. */
  sendFrames(frames: FrameSpec | readonly FrameSpec[], options: WriteOptions = {}): Promise<void> {
    const list = Array.isArray(frames) ? frames : [frames as FrameSpec];
    const masked = this.#options.role === 'client';
    const bytes = Buffer.concat(list.map((f) => encodeFrame(f, masked)));
    if (!options.raw && list.some((f) => f.opcode === Opcode.Close)) this.#markCloseSent();
    return this.write(bytes, options);
  }

  /**
   * Sends one message, compressed when permessage-deflate was negotiated, cut into frames of
   * `fragmentSize` payload bytes (0: one frame). The compressed payload is what gets fragmented.
   */
  async sendMessage(data: Buffer | string, binary: boolean, fragmentSize = 0, options: WriteOptions = {}) {
    let payload = toBytes(data);
    const codec = this.#options.codec;
    if (codec) payload = await codec.compress(payload);
    const frames: FrameSpec[] = [];
    const size = fragmentSize > 0 ? fragmentSize : Math.max(payload.length, 1);
    for (let i = 0; i === 0 || i < payload.length; i += size) {
      frames.push({
        opcode: i === 0 ? (binary ? Opcode.Binary : Opcode.Text) : Opcode.Continuation,
        fin: i + size >= payload.length,
        rsv: i === 0 && codec ? 4 : 0,
        payload: payload.subarray(i, i + size),
      });
    }
    await this.sendFrames(frames, options);
  }

  /** Starts (or answers) the closing handshake with a well-formed close frame. */
  sendClose(code?: number, reason = ''): Promise<void> {
    if (this.closeSent) return Promise.resolve();
    let payload = Buffer.alloc(0);
    if (code !== undefined) {
      const r = Buffer.from(reason, 'utf8');
      payload = Buffer.allocUnsafe(2 + r.length);
      payload.writeUInt16BE(code, 0);
      r.copy(payload, 2);
    }
    return this.sendFrames({ opcode: Opcode.Close, payload });
  }

  /** Drops TCP without a closing handshake (Autobahn's `killAfter`). */
  drop(): void {
    if (this.#tcpClosed) return;
    this.droppedByMe = true;
    this.#socket.destroy();
  }

  /** The suite's close timeout: if TCP is still up `ms` from now, drop it. */
  dropAfter(ms: number): void {
    if (this.#tcpClosed || this.#dropTimer) return;
    this.#dropTimer = setTimeout(() => this.drop(), ms);
  }

  #markCloseSent(): void {
    if (this.closeSent) return;
    this.closeSent = true;
    if (!this.closeReceived) this.closedByMe = true;
    this.#afterCloseFrames();
  }

  /** Once close frames went both ways, the server closes TCP (RFC 6455 §7.1.1); the client waits. */
  #afterCloseFrames(): void {
    if (!this.closeSent || !this.closeReceived) {
      // We sent close; the subject has closeTimeout to answer and close.
      if (this.closeSent) this.dropAfter(this.#options.closeTimeoutMs);
      return;
    }
    if (this.#options.role === 'server') {
      this.#socket.end();
      this.dropAfter(this.#options.closeTimeoutMs);
    } else {
      this.dropAfter(this.#options.closeTimeoutMs);
    }
  }

  #notify(): void {
    for (const l of this.#listeners) l();
  }

  #fail(reason: string): undefined {
    if (this.violation === null) this.violation = reason;
    if (!this.closeSent && !this.#socket.destroyed) {
      const payload = Buffer.from([0x03, 0xea]);
      this.#socket.write(encodeFrame({ opcode: Opcode.Close, payload }, this.#options.role === 'client'));
      this.closeSent = true;
    }
    this.#socket.destroy();
    return undefined;
  }

  /** Appends an event to the trace (the suite records its own timeouts this way). */
  record(event: TraceEvent): void {
    this.trace.push(event);
    this.#notify();
  }

  #receive(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    while (this.violation === null && this.#parseFrame()) {}
  }

  #peek(n: number): Buffer {
    if (this.#chunks[0]!.length >= n) return this.#chunks[0]!;
    const out = Buffer.concat(this.#chunks);
    this.#chunks.length = 0;
    this.#chunks.push(out);
    return out;
  }

  #take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    this.#buffered -= n;
    const first = this.#chunks[0]!;
    if (first.length === n) return this.#chunks.shift()!;
    if (first.length > n) {
      this.#chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let offset = 0;
    while (offset < n) {
      const c = this.#chunks[0]!;
      const want = n - offset;
      if (c.length <= want) {
        c.copy(out, offset);
        offset += c.length;
        this.#chunks.shift();
      } else {
        c.copy(out, offset, 0, want);
        this.#chunks[0] = c.subarray(want);
        offset += want;
      }
    }
    return out;
  }

  /** Parses one complete frame if buffered; returns false when more bytes are needed. */
  #parseFrame(): boolean {
    if (this.#buffered < 2) return false;
    let head = this.#peek(2);
    const b0 = head[0]!;
    const b1 = head[1]!;
    const masked = (b1 & 0x80) !== 0;
    let length = b1 & 0x7f;
    const headerLength = 2 + (length === 126 ? 2 : length === 127 ? 8 : 0) + (masked ? 4 : 0);
    if (this.#buffered < headerLength) return false;
    head = this.#peek(headerLength);
    if (length === 126) length = head.readUInt16BE(2);
    else if (length === 127) {
      const high = head.readUInt32BE(2);
      if (high > 0x1fffff) {
        this.#fail('frame length above 2^53');
        return false;
      }
      length = high * 2 ** 32 + head.readUInt32BE(6);
    }
    if (this.#buffered < headerLength + length) return false;
    const header = Buffer.from(this.#take(headerLength));
    const payload = this.#take(length);
    if (masked) {
      const key = header.subarray(headerLength - 4, headerLength);
      const out = Buffer.allocUnsafe(length);
      for (let i = 0; i < length; i++) out[i] = payload[i]! ^ key[i & 3]!;
      this.#onFrame(b0, masked, out);
    } else {
      this.#onFrame(b0, masked, payload);
    }
    return true;
  }

  #onFrame(b0: number, masked: boolean, payload: Buffer): undefined {
    const fin = (b0 & 0x80) !== 0;
    const rsv = (b0 >> 4) & 7;
    const opcode = b0 & 0x0f;
    // "A server MUST NOT mask any frames that it sends to the client" and "a client MUST mask all
    // frames that it sends to the server" (RFC 6455 §5.1).
    if (this.#options.role === 'client' && masked) return this.#fail('the server sent a masked frame');
    if (this.#options.role === 'server' && !masked) return this.#fail('the client sent an unmasked frame');
    if (this.closeReceived) return this.#fail(`a frame (opcode ${opcode}) after the close frame`);
    if (opcode >= 8) {
      if (rsv !== 0) return this.#fail(`RSV bits ${rsv} on a control frame`);
      if (!fin) return this.#fail('a fragmented control frame');
      if (payload.length > 125) return this.#fail(`a control frame of ${payload.length} bytes`);
      if (opcode === Opcode.Ping) return this.#enqueue(() => this.#onPing(payload));
      if (opcode === Opcode.Pong)
        return this.#enqueue(() => {
          this.record({ kind: 'pong', data: payload });
          return undefined;
        });
      if (opcode === Opcode.Close) return this.#enqueue(() => this.#onClose(payload));
      return this.#fail(`reserved control opcode ${opcode}`);
    }
    if (opcode !== 0 && opcode !== 1 && opcode !== 2) return this.#fail(`reserved data opcode ${opcode}`);
    const rsv1 = (rsv & 4) !== 0;
    if ((rsv & 3) !== 0) return this.#fail(`RSV bits ${rsv} on a data frame`);
    if (opcode === 0) {
      if (this.#messageOpcode === 0) return this.#fail('a continuation frame with no message to continue');
      if (rsv1) return this.#fail('RSV1 on a continuation frame');
    } else {
      if (this.#messageOpcode !== 0) return this.#fail('a new data frame inside a fragmented message');
      if (rsv1 && !this.#options.codec) return this.#fail('RSV1 without a negotiated extension');
      this.#messageOpcode = opcode;
      this.#messageCompressed = rsv1;
    }
    this.#fragments.push(payload);
    if (!fin) return;
    const parts = this.#fragments;
    const binaryMessage = this.#messageOpcode === Opcode.Binary;
    const compressed = this.#messageCompressed;
    this.#fragments = [];
    this.#messageOpcode = 0;
    this.#enqueue(async () => {
      let data = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      if (compressed) {
        try {
          data = await this.#options.codec!.decompress(data);
        } catch (error) {
          return this.#fail(`a compressed message that does not inflate: ${(error as Error).message}`);
        }
      }
      // "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream
      // is not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_"
      if (!binaryMessage && !isUtf8(data)) return this.#fail('a text message that is not UTF-8');
      this.record({ kind: 'message', binary: binaryMessage, data });
    });
  }

  #enqueue(task: () => undefined | Promise<undefined>): undefined {
    this.#chain = this.#chain.then(() => {
      if (this.violation === null) return task();
    });
  }

  #onPing(payload: Buffer): undefined {
    this.record({ kind: 'ping', data: payload });
    if (!this.closeSent) void this.sendFrames({ opcode: Opcode.Pong, payload });
  }

  #onClose(payload: Buffer): undefined {
    if (payload.length === 1) return this.#fail('a close frame with a 1-byte payload');
    if (payload.length >= 2) {
      const code = payload.readUInt16BE(0);
      if (!isValidCloseCode(code)) return this.#fail(`a close frame with the invalid code ${code}`);
      if (!isUtf8(payload.subarray(2))) return this.#fail('a close reason that is not UTF-8');
      this.remoteCloseCode = code;
    }
    this.closeReceived = true;
    if (!this.closeSent) {
      // Echo the status code, as RFC 6455 §5.5.1 suggests ("typically echos the status code").
      void this.sendClose(this.remoteCloseCode ?? undefined);
    } else {
      this.#afterCloseFrames();
    }
    this.#notify();
  }
}
