/**
 * The hixie-75 and hixie-76 protocol engines (the drafts that preceded RFC 6455, spoken by
 * browsers until about 2012), for servers that opt in with `allowDrafts`. Sans-I/O like the RFC
 * 6455 `Connection`, behind the same {@link Engine} contract.
 *
 * Framing (hixie-76 §5.3, §4.2): a frame whose type byte has the high bit clear is text, its UTF-8
 * payload ending at the next 0xFF; a type byte with the high bit set is followed by a length in
 * base-128 digits (high bit = more digits) and that many payload bytes, which are skipped. In
 * hixie-76 the frame `FF 00` closes. There are no binary messages, pings or close codes.
 *
 * CVE-2026-54466 (websocket-driver < 0.7.5): an endless run of length digits grew the length
 * until it lost precision and the following bytes were mis-framed. Here the length is checked
 * against `maxLength` after every digit, so it never exceeds `maxLength * 128 + 127`, and a frame
 * longer than `maxLength` fails the connection.
 * @see https://datatracker.ietf.org/doc/html/draft-hixie-thewebsocketprotocol-76
 * @see https://datatracker.ietf.org/doc/html/draft-hixie-thewebsocketprotocol-75
 */
import { ErrorCode, ProtocolError } from '../errors.js';
import { validateOptions } from '../options.js';
import { type Engine, type EngineHandler, EngineState } from './engine.js';
import { DEFAULT_MAX_LENGTH } from './frame-parser.js';
import type { HandshakeDigest } from './handshake-digest.js';

/** The two numbers of a hixie-76 handshake (each key's digits divided by its spaces). */
export interface Draft76Challenge {
  key1: number;
  key2: number;
}

/** Options of a {@link DraftConnection}. Unknown keys throw. */
export interface DraftConnectionOptions {
  /** Which draft the handshake settled on. Required. */
  version: 'hixie-75' | 'hixie-76';
  /** Largest incoming frame in bytes (text, or the length of a skipped frame); more fails the connection. Default `2 ** 26 - 1`. */
  maxLength?: number;
  /** hixie-76: the handshake's key numbers (`ServerHandshakeAccepted.challenge`). Required for hixie-76. */
  challenge?: Draft76Challenge | null;
  /** hixie-76: MD5 for the challenge answer (`nodeDigest`). Required for hixie-76. */
  digest?: HandshakeDigest;
  /**
   * hixie-76: called once, synchronously inside `receiveData`, when the eight key bytes have
   * arrived and the 16-byte answer is queued (followed by every message sent before): the
   * connection is open from then on, and frames that came after the key bytes are delivered
   * after this call. Never called for hixie-75, which is {@link DraftConnection.ready} from the
   * start. Default none.
   */
  onOpen?: () => void;
}

const OPTION_KEYS: readonly string[] = ['version', 'maxLength', 'challenge', 'digest', 'onOpen'];
const CLOSE_FRAME = Buffer.from([0xff, 0x00]);
const EMPTY: Buffer[] = [];

const Stage = {
  /** hixie-76: collecting the eight key bytes that follow the request head. */
  Key: 0,
  /** Expecting a frame type byte. */
  Type: 1,
  /** Reading the base-128 length of a length-prefixed frame. */
  Length: 2,
  /** Skipping the payload of a length-prefixed frame. */
  Skip: 3,
  /** Collecting text up to 0xFF. */
  Text: 4,
  /** Closed or failed: input is ignored. */
  Done: 5,
} as const;
type Stage = (typeof Stage)[keyof typeof Stage];

/**
 * A hixie-75/76 connection after the server's 101 head was written.
 *
 * Opening (hixie-76): the answer to the challenge needs the eight bytes the client sends after
 * its request head, which may arrive late or in pieces (HAProxy delays them). Construct the
 * engine with the handshake's `challenge`, then feed every byte after the head (Node's `head`
 * buffer first) to `receiveData`. Until the eighth key byte, {@link ready} is false, messages
 * sent are held back (and counted in `pendingBytes`); then the MD5 answer and those messages are
 * queued in that order, `onOutgoing` and `onOpen` are called and framing starts.
 *
 * Closing: hixie-76 sends and answers `FF 00`; the peer's `FF 00` gives `onClose(1005, '')`.
 * hixie-75 has no closing handshake, and neither has a hixie-76 connection that is not yet
 * ready: there `sendClose` queues nothing and calls `onClose(1005, '')` at once (synchronously),
 * since there is nothing to wait for. A text frame or length prefix past `maxLength` fails the
 * connection (`onFail`, close code 1009; `FF 00` queued for hixie-76).
 */
export class DraftConnection implements Engine {
  readonly #handler: EngineHandler;
  readonly #version: 'hixie-75' | 'hixie-76';
  readonly #maxLength: number;
  readonly #digest: HandshakeDigest | null;
  readonly #onOpen: (() => void) | null;
  readonly #challenge: Draft76Challenge | null;

  #stage: Stage;
  #state: EngineState = EngineState.Open;
  #ready: boolean;
  #closeSent = false;
  #closeReceived = false;
  #key: Buffer | null = null;
  #keyLength = 0;
  /** The frame type byte is 0xFF (hixie-76: a zero length then means close). */
  #closing = false;
  #length = 0;
  #text: Buffer[] = [];
  #textLength = 0;
  #outgoing: Buffer[] = [];
  #held: Buffer[] = [];
  #heldBytes = 0;
  #depth = 0;
  #notifyPending = false;

  constructor(handler: EngineHandler, options: DraftConnectionOptions) {
    validateOptions(options, OPTION_KEYS);
    const { version } = options;
    if (version !== 'hixie-75' && version !== 'hixie-76') {
      throw new TypeError(`Invalid draft version: ${String(version)}`);
    }
    this.#handler = handler;
    this.#version = version;
    this.#maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
    this.#onOpen = options.onOpen ?? null;
    this.#digest = options.digest ?? null;
    this.#challenge = options.challenge ?? null;
    if (version === 'hixie-76') {
      if (this.#challenge === null || this.#digest === null) {
        throw new TypeError('A hixie-76 connection needs the handshake challenge and a digest');
      }
      this.#key = Buffer.alloc(8);
      this.#stage = Stage.Key;
      this.#ready = false;
    } else {
      this.#stage = Stage.Type;
      this.#ready = true;
    }
  }

  /** `'hixie-75'` or `'hixie-76'`. */
  get version(): 'hixie-75' | 'hixie-76' {
    return this.#version;
  }

  /** False for hixie-76 until the eight key bytes have arrived and the answer is queued. */
  get ready(): boolean {
    return this.#ready;
  }

  get state(): EngineState {
    return this.#state;
  }

  get closeSent(): boolean {
    return this.#closeSent;
  }

  get closeReceived(): boolean {
    return this.#closeReceived;
  }

  get pendingBytes(): number {
    return this.#heldBytes;
  }

  /** The drafts have no extensions: every message is delivered as it is read. */
  get incomingInFlight(): number {
    return 0;
  }

  /** Feeds bytes read after the request head. The engine keeps references to `chunk` (no copy). */
  receiveData(chunk: Buffer): void {
    if (this.#stage === Stage.Done) return;
    this.#depth++;
    try {
      this.#parse(chunk);
    } finally {
      if (--this.#depth === 0 && this.#notifyPending) {
        this.#notifyPending = false;
        if (this.#outgoing.length > 0) this.#handler.onOutgoing();
      }
    }
  }

  #parse(chunk: Buffer): void {
    const length = chunk.length;
    let pos = 0;
    while (pos < length) {
      switch (this.#stage) {
        case Stage.Key: {
          const take = Math.min(8 - this.#keyLength, length - pos);
          chunk.copy(this.#key!, this.#keyLength, pos, pos + take);
          this.#keyLength += take;
          pos += take;
          if (this.#keyLength === 8) this.#open();
          break;
        }
        case Stage.Type: {
          const type = chunk[pos++]!;
          if ((type & 0x80) === 0) {
            this.#stage = Stage.Text;
            this.#textLength = 0;
          } else {
            // hixie-76 §5.3: "If /frame type/ is 0xFF and /length/ was 0, then … start the
            // WebSocket closing handshake." In hixie-75 such a frame is just empty.
            this.#closing = type === 0xff && this.#version === 'hixie-76';
            this.#length = 0;
            this.#stage = Stage.Length;
          }
          break;
        }
        case Stage.Length: {
          const digit = chunk[pos++]!;
          this.#length = this.#length * 128 + (digit & 0x7f);
          // CVE-2026-54466: bound the accumulator at every digit, not once the length ends.
          if (this.#length > this.#maxLength) {
            this.#tooLarge();
            return;
          }
          if ((digit & 0x80) === 0) {
            if (this.#length > 0) {
              this.#stage = Stage.Skip;
            } else if (this.#closing) {
              this.#receiveClose();
              return;
            } else {
              this.#stage = Stage.Type;
            }
          }
          break;
        }
        case Stage.Skip: {
          const take = Math.min(this.#length, length - pos);
          this.#length -= take;
          pos += take;
          if (this.#length === 0) this.#stage = Stage.Type;
          break;
        }
        case Stage.Text: {
          const end = chunk.indexOf(0xff, pos);
          const stop = end === -1 ? length : end;
          this.#textLength += stop - pos;
          if (this.#textLength > this.#maxLength) {
            this.#tooLarge();
            return;
          }
          if (stop > pos) this.#text.push(chunk.subarray(pos, stop));
          if (end === -1) return;
          pos = end + 1;
          this.#stage = Stage.Type;
          const parts = this.#text;
          this.#text = [];
          const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts, this.#textLength);
          // hixie-76 §5.3: the bytes are interpreted as UTF-8; invalid sequences become U+FFFD
          // (the drafts define no failure for them).
          this.#handler.onMessage(data.toString('utf8'), false);
          if (this.#stage !== Stage.Type) return;
          break;
        }
        default:
          return;
      }
    }
  }

  #open(): void {
    const challenge = this.#challenge!;
    // hixie-76 §5.2 step 9-10: the MD5 of key-number-1 and key-number-2 as big-endian 32-bit
    // integers followed by the eight key bytes.
    const input = Buffer.allocUnsafe(16);
    input.writeUInt32BE(challenge.key1, 0);
    input.writeUInt32BE(challenge.key2, 4);
    this.#key!.copy(input, 8);
    this.#key = null;
    const answer = this.#digest!.md5(input);
    const held = this.#held;
    this.#held = [];
    this.#heldBytes = 0;
    this.#outgoing.push(answer);
    for (let i = 0; i < held.length; i++) this.#outgoing.push(held[i]!);
    this.#ready = true;
    this.#stage = Stage.Type;
    this.#notify();
    this.#onOpen?.();
  }

  #receiveClose(): void {
    this.#stage = Stage.Done;
    this.#closeReceived = true;
    if (!this.#closeSent) {
      this.#closeSent = true;
      this.#push(CLOSE_FRAME);
    }
    this.#state = EngineState.Closed;
    this.#handler.onClose(1005, '');
  }

  #tooLarge(): void {
    this.#failWith(
      new ProtocolError(ErrorCode.UnsupportedMessageLength, 1009, 'WebSocket frame length too large'),
    );
  }

  #failWith(error: ProtocolError): void {
    this.fail(error.closeCode);
    this.#handler.onFail(error);
  }

  receiveEof(): void {
    this.#stopInput();
    this.#state = EngineState.Closed;
  }

  /** The drafts have no extensions, so nothing is ever in flight: the same as {@link receiveEof}. */
  destroy(): void {
    this.receiveEof();
  }

  #stopInput(): void {
    this.#stage = Stage.Done;
    this.#text = [];
    this.#key = null;
  }

  sendText(text: string): boolean {
    if (this.#closeSent) return false;
    const length = Buffer.byteLength(text);
    const frame = Buffer.allocUnsafe(length + 2);
    frame[0] = 0x00;
    frame.write(text, 1, length, 'utf8');
    frame[length + 1] = 0xff;
    if (this.#ready) {
      this.#push(frame);
    } else {
      this.#held.push(frame);
      this.#heldBytes += frame.length;
    }
    return true;
  }

  /** Always false: the drafts have no binary frames. */
  sendBinary(_data: Uint8Array): boolean {
    return false;
  }

  /** Always false: the drafts have no ping. */
  sendPing(_payload?: Uint8Array): boolean {
    return false;
  }

  /** Always false: the drafts have no pong. */
  sendPong(_payload?: Uint8Array): boolean {
    return false;
  }

  /**
   * Closes: hixie-76 (ready) queues `FF 00` and waits for the peer's; otherwise nothing is sent
   * and `onClose(1005, '')` is called before this returns. The code and reason have no place in
   * the drafts and are ignored. False if already closing.
   */
  sendClose(_code?: number, _reason?: string): boolean {
    if (this.#closeSent) return false;
    this.#closeSent = true;
    if (this.#version === 'hixie-76' && this.#ready) {
      this.#state = EngineState.Closing;
      this.#push(CLOSE_FRAME);
      return true;
    }
    this.#held = [];
    this.#heldBytes = 0;
    this.#stopInput();
    this.#closeReceived = true;
    this.#state = EngineState.Closed;
    this.#handler.onClose(1005, '');
    return true;
  }

  /** Stops processing input; hixie-76 (ready) queues `FF 00` unless it was sent. The code is not sent. */
  fail(_code: number, _reason?: string): void {
    if (this.#state === EngineState.Closed) return;
    this.#stopInput();
    if (!this.#closeSent) {
      this.#closeSent = true;
      if (this.#version === 'hixie-76' && this.#ready) this.#push(CLOSE_FRAME);
    }
    this.#held = [];
    this.#heldBytes = 0;
    this.#state = EngineState.Closed;
  }

  takeOutgoing(): Buffer[] {
    const out = this.#outgoing;
    if (out.length === 0) return EMPTY;
    this.#outgoing = [];
    return out;
  }

  /** The drafts have no ping: nothing is answered on the engine's own account. */
  setOutputBlocked(_blocked: boolean): void {}

  #push(bytes: Buffer): void {
    const wasEmpty = this.#outgoing.length === 0;
    this.#outgoing.push(bytes);
    if (wasEmpty) this.#notify();
  }

  #notify(): void {
    if (this.#depth > 0) this.#notifyPending = true;
    else this.#handler.onOutgoing();
  }
}
