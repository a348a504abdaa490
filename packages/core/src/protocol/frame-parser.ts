/**
 * The incremental RFC 6455 frame parser. Bytes go in through {@link FrameParser.feed}, whole
 * messages and control frames come out of {@link FrameParser.read}, one event per call, with no
 * callbacks and no allocation beyond the payload views. Any split of the input into chunks gives
 * the same events (a numbered-state loop that consumes exact byte counts, a small scratch buffer
 * for headers split across chunks).
 *
 * It enforces every framing rule of RFC 6455 §5 that a receiver can check alone: reserved opcodes,
 * RSV bits only as negotiated extensions allow, masking by role, control frames ≤ 125 bytes and
 * never fragmented, continuation rules, the 64-bit length's top bit, `maxLength` over all
 * fragments and `maxFragments`, and incremental UTF-8 validation of uncompressed text, which fails
 * at the first invalid byte even when a code point is split across fragments or chunks.
 *
 * Payloads are unmasked in place: the parser owns the chunks it is fed. A message held in one
 * chunk comes out as a view on it. A lone frame split across chunks is copied into a buffer of
 * its own once a quarter of it has arrived; a fragmented message is joined once, at its end.
 * Large binary pieces are unmasked by the copy that moves them.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5
 */
import { ErrorCode, ProtocolError } from '../errors.js';
import { validateOptions } from '../options.js';
import type { ExtensionPipeline } from './extension.js';
import { maskCopyWithOctets, maskWithOctets } from './mask.js';
import { Opcode } from './opcode.js';
import { Role } from './role.js';
import { Utf8Validator } from './utf8.js';

/** What {@link FrameParser.read} found. */
export const FrameEvent = {
  /** Nothing more until more bytes are fed. */
  None: 0,
  /** A whole data message: `opcode`, `data`, `rsv`, `validated`. */
  Message: 1,
  /** A control frame: `opcode` (close, ping or pong) and `data`. */
  Control: 2,
  /** The peer broke the protocol: `error`. The parser reads nothing more. */
  Error: 3,
} as const;
export type FrameEvent = (typeof FrameEvent)[keyof typeof FrameEvent];

/** Options of a {@link FrameParser}. */
export interface FrameParserOptions {
  /** Our role: a server requires masked frames, a client refuses them. Required. */
  role: Role;
  /** Largest message accepted, in wire bytes over all its fragments; more fails with 1009. Default `2 ** 26 - 1`. */
  maxLength?: number;
  /** Most frames one message may span; more fails with 1009. Default `131072`. */
  maxFragments?: number;
  /** The negotiated extensions, which decide which RSV bits a frame may carry. Default `null` (none: every RSV bit fails). */
  extensions?: ExtensionPipeline | null;
}

/** Default `maxLength`: faye's and websocket-driver's 64 MiB − 1. */
export const DEFAULT_MAX_LENGTH = 2 ** 26 - 1;
/** Default `maxFragments`: the bound ws and undici use. */
export const DEFAULT_MAX_FRAGMENTS = 131072;

const VALID_KEYS: readonly string[] = ['role', 'maxLength', 'maxFragments', 'extensions'];

const ST_INFO = 0;
const ST_LENGTH_16 = 1;
const ST_LENGTH_64 = 2;
const ST_MASK_KEY = 3;
const ST_PAYLOAD = 4;
const ST_DEAD = 5;

/** Pieces of a message at least this long are kept as views on the chunk, not copied. */
const COPY_THRESHOLD = 1024;
/** Size bounds of the blocks that gather smaller pieces. */
const MIN_BLOCK_SIZE = 1024;
const BLOCK_SIZE = 16384;
/**
 * A lone frame split across reads gets its message's buffer once 1/COMMIT_SHARE of its payload
 * has arrived (see addPiece): a peer must send a quarter of the length it announces before the
 * rest is allocated, so what a connection makes us reserve stays within 4× what it has sent.
 */
const COMMIT_SHARE = 4;

/** readPayload's "frame done, keep going". */
const CONTINUE = -1;

// The parser's booleans, as bits of one #flags integer: every field costs 8 bytes of every idle
// connection, so the frame's flags share one (as Node's stream states do).
/** We are the server: frames must be masked. */
const F_EXPECT_MASKED = 1;
/** The current frame's FIN bit. */
const F_FIN = 2;
/** The current frame's MASK bit. */
const F_MASKED = 4;
/** The current frame's text is validated as it arrives. */
const F_VALIDATING = 8;
/** The bytes of the last take() are in the scratch buffer (else in the chunk). */
const F_SCRATCH = 16;

/**
 * A parser's fixed configuration, in one object: parsers with the default limits and no
 * extensions (most connections) share one, rather than each carrying three fields.
 */
interface ParserConfig {
  readonly maxLength: number;
  readonly maxFragments: number;
  /** Null without extensions (then every RSV bit fails). */
  readonly extensions: ExtensionPipeline | null;
  /**
   * validFrameRsv's answers by `opcode << 3 | rsv >> 4`: -1 unknown, 0 refused, 1 allowed. Made on
   * the first frame with RSV bits (only with extensions: a typed array costs ~250 bytes).
   */
  rsvAllowed: Int8Array | null;
}

/** Shared, and never written: `rsvAllowed` is only made where there are extensions. */
const DEFAULT_CONFIG: ParserConfig = {
  maxLength: DEFAULT_MAX_LENGTH,
  maxFragments: DEFAULT_MAX_FRAGMENTS,
  extensions: null,
  rsvAllowed: null,
};

/**
 * A message that arrives in more than one piece (see addPiece), made per such message: a lone
 * frame whole in one read, the usual case, needs none, and an idle connection holds none.
 */
interface Assembly {
  pieces: Buffer[];
  /**
   * The key word each piece is still masked with (0: plain), made when the first masked piece is
   * kept; null while every piece is plain.
   */
  keys: number[] | null;
  /** Where small pieces are gathered; bytes before `blockStart` are already in `pieces`. */
  block: Buffer | null;
  blockFill: number;
  blockStart: number;
  /**
   * The message's own buffer, once allocated: the pieces so far are copied into it and every
   * later piece goes straight in, so the reads it came in can be freed as they are used.
   */
  whole: Buffer | null;
  wholeFill: number;
}

/** An assembly holding `pieces`, all plain, with no block yet (one shape for every assembly). */
function newAssembly(pieces: Buffer[]): Assembly {
  return { pieces, keys: null, block: null, blockFill: 0, blockStart: 0, whole: null, wholeFill: 0 };
}

/** Moves the filled, not yet listed part of the block into the message's pieces. */
function flushBlock(assembly: Assembly): void {
  const block = assembly.block;
  if (block === null) return;
  if (assembly.blockFill > assembly.blockStart) {
    assembly.pieces.push(block.subarray(assembly.blockStart, assembly.blockFill));
    assembly.keys?.push(0);
    assembly.blockStart = assembly.blockFill;
  }
  if (assembly.blockFill === block.length) assembly.block = null;
}

/**
 * The message's bytes in one buffer. Pieces still masked are unmasked by the copy that joins them
 * (§5.3), instead of in place as they arrived and copied after: one pass over the bytes less,
 * and copying is most of what a large message costs (a 4 MiB message arrives in 64 KiB reads).
 */
function joinPieces(assembly: Assembly, length: number): Buffer | null {
  if (assembly.whole !== null) return assembly.whole;
  const { pieces, keys } = assembly;
  if (pieces.length === 1) {
    const piece = pieces[0]!;
    if (keys !== null) unmaskWord(piece, 0, piece.length, keys[0]!);
    return piece;
  }
  const data = allocateMessage(length);
  if (data !== null) copyPieces(assembly, data);
  return data;
}

/**
 * A buffer for a message of `length` bytes, or null when the runtime cannot make one: over
 * Node's largest Buffer (`buffer.constants.MAX_LENGTH`, 4 GiB on Node 20), which a `maxLength`
 * set above it lets a peer announce, or out of memory. The caller fails the message with 1009.
 */
function allocateMessage(length: number): Buffer | null {
  try {
    return Buffer.allocUnsafe(length);
  } catch {
    return null;
  }
}

/** Copies the assembly's pieces, unmasked, to the start of `target`; returns the bytes copied. */
function copyPieces(assembly: Assembly, target: Buffer): number {
  const { pieces, keys } = assembly;
  let offset = 0;
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    putPiece(piece, target, offset, keys === null ? 0 : keys[i]!);
    offset += piece.length;
  }
  return offset;
}

/** Copies `piece` into `target` at `offset`, unmasked with the key word `key` (0: plain) on the way. */
function putPiece(piece: Uint8Array, target: Buffer, offset: number, key: number): void {
  if (key === 0) target.set(piece, offset);
  else unmaskCopyWord(piece, target, offset, key);
}

/**
 * Gives the assembly its message's buffer (`length` bytes) and moves the pieces so far into it.
 * Joining at the end would hold every read of the message and then a copy of it, twice the
 * message at its peak. glibc gives the top of its heap back to the kernel whenever more than its
 * trim threshold (2 × the largest block it has freed, 8 MiB after a 4 MiB message) is free
 * there, and the next message faults those pages in again: with 4 MiB messages that cost more
 * CPU than parsing them.
 */
function commitWhole(assembly: Assembly, length: number): boolean {
  const whole = allocateMessage(length);
  if (whole === null) return false;
  flushBlock(assembly);
  assembly.wholeFill = copyPieces(assembly, whole);
  assembly.whole = whole;
  assembly.pieces = [];
  assembly.keys = null;
  assembly.block = null;
  return true;
}

/** XORs `data[start..end)` with the key word `key` (its top octet applies to `data[start]`). */
function unmaskWord(data: Uint8Array, start: number, end: number, key: number): void {
  maskWithOctets(data, start, end, key >>> 24, (key >>> 16) & 0xff, (key >>> 8) & 0xff, key & 0xff);
}

/** Copies `source` to `target` at `offset`, XORed with the key word `key` as {@link unmaskWord}. */
function unmaskCopyWord(source: Uint8Array, target: Uint8Array, offset: number, key: number): void {
  maskCopyWithOctets(source, target, offset, key >>> 24, (key >>> 16) & 0xff, (key >>> 8) & 0xff, key & 0xff);
}

const EMPTY = Buffer.alloc(0);

/** Checks that `value` is an integer in [min, max], for the numeric limits of the parser and engine. */
export function checkLimit(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer between ${min} and ${max}, got ${String(value)}`);
  }
  return value;
}

/** Checks a `maxLength` option: whole bytes, up to 2^53 − 1 (0 refuses every non-empty message). */
export function checkMaxLength(value: unknown): number {
  return checkLimit('maxLength', value, 0, Number.MAX_SAFE_INTEGER);
}

/** Checks a `maxFragments` option: at least one frame per message. */
export function checkMaxFragments(value: unknown): number {
  return checkLimit('maxFragments', value, 1, Number.MAX_SAFE_INTEGER);
}

/**
 * Throws the `RangeError` the engine would throw for a `maxLength` or `maxFragments` it cannot
 * take. For constructors whose engine is built only once the handshake is done, from a socket
 * callback or a later tick, where that throw would crash the process instead of reaching the
 * caller.
 */
export function checkMessageLimits(options: {
  readonly maxLength?: unknown;
  readonly maxFragments?: unknown;
}): void {
  if (options.maxLength !== undefined) checkMaxLength(options.maxLength);
  if (options.maxFragments !== undefined) checkMaxFragments(options.maxFragments);
}

/**
 * The RFC 6455 frame parser. Feed a chunk, then call {@link read} until it returns
 * `FrameEvent.None`; after each event the result is in the public fields.
 *
 * Its helper methods are TypeScript `private`, not `#`: V8 gives every instance of a class with
 * `#` methods a brand slot (8 bytes per idle connection).
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
export class FrameParser {
  /** The opcode of the last message (1 text, 2 binary) or control frame (8, 9, 10). */
  opcode = 0;
  /**
   * The payload of the message (all fragments, unmasked) or control frame that `read` returned,
   * until the next `read`, which drops it: an idle connection must not keep its last message alive.
   */
  data: Buffer = EMPTY;
  /** The RSV bits (0x40, 0x20, 0x10) of the last message's first frame: what extensions must undo. */
  rsv = 0;
  /**
   * For a text message: true when the parser validated it as UTF-8 already (fragmented or split
   * across chunks); false when the consumer must (a single frame that arrived in one chunk, where
   * one pass over the whole payload is faster, or a message carrying RSV bits, whose bytes are
   * only text once extensions decoded them).
   */
  validated = false;
  /** The violation, after `FrameEvent.Error`. */
  error: ProtocolError | null = null;

  readonly #config: ParserConfig;

  #chunk: Buffer = EMPTY;
  #pos = 0;
  #state = ST_INFO;
  /** F_* bits. */
  #flags = 0;

  // Header bytes split across chunks gather here (made on first need). F_SCRATCH tells whether
  // the last take() left its bytes here or in the chunk.
  #scratch: Buffer | null = null;
  #fill = 0;

  // The frame being read (its FIN, MASK and validation bits are in #flags).
  #frameOpcode = 0;
  /** The masking key as one big-endian int32: no buffer, and one field instead of four. */
  #key = 0;
  #payloadLength = 0;
  #received = 0;

  /**
   * The data message being assembled: its first frame's opcode and RSV bits, as they sit in the
   * frame's first byte (`rsv | opcode`, one field for two); 0 when none is in progress.
   */
  #message = 0;
  #messageLength = 0;
  #fragments = 0;
  #assembly: Assembly | null = null;
  /** Made for the first text message that needs incremental validation. */
  #utf8: Utf8Validator | null = null;

  constructor(options: FrameParserOptions) {
    if (options === null || typeof options !== 'object')
      throw new TypeError('FrameParser options are required');
    validateOptions(options, VALID_KEYS);
    if (options.role !== Role.Client && options.role !== Role.Server) {
      throw new TypeError(`role must be 'client' or 'server', got ${String(options.role)}`);
    }
    if (options.role === Role.Server) this.#flags = F_EXPECT_MASKED;
    const maxLength = checkMaxLength(options.maxLength ?? DEFAULT_MAX_LENGTH);
    const maxFragments = checkMaxFragments(options.maxFragments ?? DEFAULT_MAX_FRAGMENTS);
    const extensions = options.extensions ?? null;
    this.#config =
      extensions === null && maxLength === DEFAULT_MAX_LENGTH && maxFragments === DEFAULT_MAX_FRAGMENTS
        ? DEFAULT_CONFIG
        : { maxLength, maxFragments, extensions, rsvAllowed: null };
  }

  /** True once the parser failed or was halted: it reads nothing more. */
  get halted(): boolean {
    return this.#state === ST_DEAD;
  }

  /**
   * Hands the parser a chunk of the byte stream; it takes ownership (payloads are unmasked in
   * place). Call {@link read} until `FrameEvent.None` before feeding the next chunk; bytes a
   * previous chunk still held (the start of a control frame's payload) are kept ahead of the new
   * ones.
   */
  feed(chunk: Buffer): void {
    if (this.#state === ST_DEAD) return;
    if (this.#pos < this.#chunk.length) {
      // Rare: a control frame's payload split across reads (at most 124 bytes kept), or a
      // consumer that stopped reading early (an exception in its event handler).
      this.#chunk = Buffer.concat([this.#chunk.subarray(this.#pos), chunk]);
    } else {
      this.#chunk = chunk;
    }
    this.#pos = 0;
  }

  /** Stops parsing for good, dropping buffered bytes (after a close frame or a failure). */
  halt(): void {
    this.#state = ST_DEAD;
    this.#chunk = EMPTY;
    this.#pos = 0;
    this.#assembly = null;
  }

  /** Parses on until the next event, or until the fed bytes run out (`FrameEvent.None`). */
  read(): FrameEvent {
    this.data = EMPTY;
    for (;;) {
      switch (this.#state) {
        case ST_INFO: {
          const at = this.take(2);
          if (at < 0) return FrameEvent.None;
          if (!this.readInfo(this.taken(), at)) return FrameEvent.Error;
          break;
        }
        case ST_LENGTH_16: {
          const at = this.take(2);
          if (at < 0) return FrameEvent.None;
          const src = this.taken();
          this.#payloadLength = (src[at]! << 8) | src[at + 1]!;
          if (!this.checkLength()) return FrameEvent.Error;
          break;
        }
        case ST_LENGTH_64: {
          const at = this.take(8);
          if (at < 0) return FrameEvent.None;
          const src = this.taken();
          const high = ((src[at]! << 24) | (src[at + 1]! << 16) | (src[at + 2]! << 8) | src[at + 3]!) >>> 0;
          const low =
            ((src[at + 4]! << 24) | (src[at + 5]! << 16) | (src[at + 6]! << 8) | src[at + 7]!) >>> 0;
          // §5.2: "If 127, the following 8 bytes interpreted as a 64-bit unsigned integer (the most
          // significant bit MUST be 0) are the payload length."
          if (high >= 0x80000000) {
            return this.fail(
              ErrorCode.UnsupportedDataPayloadLength,
              1002,
              'Invalid frame: the most significant bit of a 64-bit payload length is set',
            );
          }
          // Above 2^53 the sum is inexact, but still far beyond any maxLength.
          this.#payloadLength = high * 0x100000000 + low;
          if (!this.checkLength()) return FrameEvent.Error;
          break;
        }
        case ST_MASK_KEY: {
          const at = this.take(4);
          if (at < 0) return FrameEvent.None;
          const src = this.taken();
          this.#key = (src[at]! << 24) | (src[at + 1]! << 16) | (src[at + 2]! << 8) | src[at + 3]!;
          this.beginPayload();
          break;
        }
        case ST_PAYLOAD: {
          const event = this.readPayload();
          if (event !== CONTINUE) return event as FrameEvent;
          break;
        }
        default:
          return FrameEvent.None;
      }
    }
  }

  /**
   * Makes `n` header bytes available and returns where they start in {@link taken}: in place
   * when the chunk holds them, else gathered in the scratch buffer across chunks. -1 when the
   * chunk ran out first.
   */
  private take(n: number): number {
    const chunk = this.#chunk;
    const pos = this.#pos;
    const available = chunk.length - pos;
    if (this.#fill === 0 && available >= n) {
      this.#flags &= ~F_SCRATCH;
      this.#pos = pos + n;
      return pos;
    }
    const scratch = (this.#scratch ??= Buffer.alloc(8));
    let fill = this.#fill;
    const count = Math.min(n - fill, available);
    for (let i = 0; i < count; i++) scratch[fill++] = chunk[pos + i]!;
    if (fill < n) {
      // The chunk ran out (count was all it had): drop it so an idle connection holds no buffer.
      this.#fill = fill;
      this.#chunk = EMPTY;
      this.#pos = 0;
      return -1;
    }
    this.#pos = pos + count;
    this.#fill = 0;
    this.#flags |= F_SCRATCH;
    return 0;
  }

  /** Where the bytes of the last successful {@link take} are. */
  private taken(): Buffer {
    return (this.#flags & F_SCRATCH) !== 0 ? this.#scratch! : this.#chunk;
  }

  /** The first two header bytes, `src[at]` and `src[at + 1]`: FIN, RSV, opcode, MASK, 7-bit length. */
  private readInfo(src: Buffer, at: number): boolean {
    const b0 = src[at]!;
    const b1 = src[at + 1]!;
    const fin = (b0 & 0x80) !== 0;
    const rsv = b0 & 0x70;
    const opcode = b0 & 0x0f;
    // §5.2: "If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_."
    if ((opcode > Opcode.Binary && opcode < Opcode.Close) || opcode > Opcode.Pong) {
      return this.failed(ErrorCode.InvalidOpcode, 1002, `Invalid frame: reserved opcode ${opcode}`);
    }
    const control = opcode >= Opcode.Close;
    if (control) {
      // §5.4: "Control frames themselves MUST NOT be fragmented."
      if (!fin) return this.failed(ErrorCode.ExpectedFin, 1002, 'Invalid frame: fragmented control frame');
    } else if (opcode === Opcode.Continuation) {
      // §5.4: a continuation frame only continues a message that was started.
      if (this.#message === 0) {
        return this.failed(
          ErrorCode.UnexpectedContinuation,
          1002,
          'Invalid frame: continuation with no message',
        );
      }
    } else if (this.#message !== 0) {
      // §5.4: "the fragments of one message MUST NOT be interleaved between the fragments of another message".
      return this.failed(
        ErrorCode.ExpectedContinuation,
        1002,
        'Invalid frame: new data frame while a fragmented message is unfinished',
      );
    }
    // §5.2: "If a nonzero value is received and none of the negotiated extensions defines the
    // meaning of such a nonzero value, the receiving endpoint MUST _Fail the WebSocket Connection_."
    if (rsv !== 0 && !this.rsvOk(opcode, rsv, fin)) {
      // Name the bit at fault: RSV1 when the frame would be valid without it (ws checks RSV2/3 first).
      const rsv23 = rsv & 0x30;
      return (rsv & 0x40) !== 0 && (rsv23 === 0 || this.rsvOk(opcode, rsv23, fin))
        ? this.failed(ErrorCode.UnexpectedRsv1, 1002, 'Invalid frame: RSV1 must be clear')
        : this.failed(ErrorCode.UnexpectedRsv2Or3, 1002, 'Invalid frame: RSV2 and RSV3 must be clear');
    }
    const masked = (b1 & 0x80) !== 0;
    if (masked !== ((this.#flags & F_EXPECT_MASKED) !== 0)) {
      // §5.1: "The server MUST close the connection upon receiving a frame that is not masked …
      // A client MUST close a connection if it detects a masked frame."
      return masked
        ? this.failed(ErrorCode.UnexpectedMask, 1002, 'Invalid frame: masked frame from the server')
        : this.failed(ErrorCode.ExpectedMask, 1002, 'Invalid frame: unmasked frame from the client');
    }
    const length = b1 & 0x7f;
    // §5.5: "All control frames MUST have a payload length of 125 bytes or less".
    if (control && length > 125) {
      return this.failed(
        ErrorCode.InvalidControlPayloadLength,
        1002,
        `Invalid frame: control frame payload of ${length} bytes`,
      );
    }
    this.#flags = (this.#flags & F_EXPECT_MASKED) | (fin ? F_FIN : 0) | (masked ? F_MASKED : 0);
    this.#frameOpcode = opcode;
    if (!control) {
      if (opcode !== Opcode.Continuation) {
        this.#message = rsv | opcode;
        this.#messageLength = 0;
        this.#fragments = 0;
      }
      if (++this.#fragments > this.#config.maxFragments) {
        return this.failed(
          ErrorCode.TooManyFragments,
          1009,
          `Message too big: more than ${this.#config.maxFragments} fragments`,
        );
      }
    }
    if (length === 126) {
      this.#state = ST_LENGTH_16;
      return true;
    }
    if (length === 127) {
      this.#state = ST_LENGTH_64;
      return true;
    }
    this.#payloadLength = length;
    return this.checkLength();
  }

  private rsvOk(opcode: number, rsv: number, fin: boolean): boolean {
    const config = this.#config;
    const extensions = config.extensions;
    if (extensions === null) return false;
    const index = (opcode << 3) | (rsv >>> 4);
    const table = (config.rsvAllowed ??= new Int8Array(128).fill(-1));
    let allowed = table[index]!;
    if (allowed === -1) {
      allowed = extensions.validFrameRsv({
        final: fin,
        rsv1: (rsv & 0x40) !== 0,
        rsv2: (rsv & 0x20) !== 0,
        rsv3: (rsv & 0x10) !== 0,
        opcode,
        masked: (this.#flags & F_EXPECT_MASKED) !== 0,
      })
        ? 1
        : 0;
      table[index] = allowed;
    }
    return allowed === 1;
  }

  /** The payload length is known: apply maxLength, then go on to the mask key or the payload. */
  private checkLength(): boolean {
    const maxLength = this.#config.maxLength;
    if (this.#frameOpcode < Opcode.Close && this.#messageLength + this.#payloadLength > maxLength) {
      return this.failed(
        ErrorCode.UnsupportedMessageLength,
        1009,
        `Message too big: more than ${maxLength} bytes`,
      );
    }
    if ((this.#flags & F_MASKED) !== 0) this.#state = ST_MASK_KEY;
    else this.beginPayload();
    return true;
  }

  private beginPayload(): void {
    this.#received = 0;
    this.#state = ST_PAYLOAD;
    // (readInfo cleared F_VALIDATING: control frames are never validated here.)
    if (this.#frameOpcode >= Opcode.Close) return;
    // Uncompressed text is validated as it arrives, so invalid UTF-8 fails at the first bad byte
    // (§8.1) whatever the fragmentation, except a lone frame already whole in this chunk: the
    // consumer validates that in one pass.
    const validating =
      this.#message === Opcode.Text && // text, no RSV bit
      !(
        (this.#flags & F_FIN) !== 0 &&
        this.#fragments === 1 &&
        this.#chunk.length - this.#pos >= this.#payloadLength
      );
    if (validating) this.#flags |= F_VALIDATING;
    // The first fragment starts the stream; later ones continue it (a message keeps one mode:
    // only a lone frame, which has no later fragments, goes unvalidated here).
    if (validating && this.#fragments === 1) {
      if (this.#utf8 === null) this.#utf8 = new Utf8Validator();
      else this.#utf8.reset();
    }
  }

  private readPayload(): number {
    const chunk = this.#chunk;
    const pos = this.#pos;
    const remaining = this.#payloadLength - this.#received;
    const available = chunk.length - pos;
    const control = this.#frameOpcode >= Opcode.Close;
    if (control && available < remaining) {
      // A control payload (at most 125 bytes, §5.5) split across reads is taken whole: its first
      // bytes are kept (copied, so the chunk can go) for feed() to put ahead of the next chunk.
      this.#chunk = available === 0 ? EMPTY : Buffer.from(chunk.subarray(pos));
      this.#pos = 0;
      return FrameEvent.None;
    }
    const n = Math.min(available, remaining);
    const flags = this.#flags;
    const validating = (flags & F_VALIDATING) !== 0;
    if (n > 0) {
      const end = pos + n;
      // The key rotated so that its top octet applies to chunk[pos]: the octet at the payload
      // offset received so far, mod 4 (§5.3: "octet i … XOR … octet at index i modulo 4").
      let key = 0;
      if ((flags & F_MASKED) !== 0) {
        const r = (this.#received & 3) << 3;
        key = r === 0 ? this.#key : (this.#key << r) | (this.#key >>> (32 - r));
        // Text being validated and control payloads are read now, so they are unmasked now; a
        // binary piece may wait (addPiece unmasks it while joining the message, in one pass).
        if (validating || control) {
          unmaskWord(chunk, pos, end, key);
          key = 0;
        }
      }
      if (validating && !this.#utf8!.update(chunk, pos, end)) {
        return this.fail(ErrorCode.InvalidUtf8, 1007, 'Invalid UTF-8 in a text message');
      }
      if (control) this.data = chunk.subarray(pos, end);
      else if (!this.addPiece(chunk, pos, end, (flags & F_FIN) !== 0, key)) return FrameEvent.Error;
      this.#pos = end;
      this.#received += n;
    }
    if (this.#received < this.#payloadLength) {
      this.#chunk = EMPTY;
      this.#pos = 0;
      return FrameEvent.None;
    }
    this.#state = ST_INFO;
    if (control) {
      this.opcode = this.#frameOpcode;
      if (this.#payloadLength === 0) this.data = EMPTY; // else set above
      return FrameEvent.Control;
    }
    this.#messageLength += this.#payloadLength;
    if ((flags & F_FIN) === 0) return CONTINUE;
    // §5.6 / §8.1: the whole message must be well-formed, so a sequence left open at its end fails.
    if (validating && !this.#utf8!.complete) {
      return this.fail(ErrorCode.InvalidUtf8, 1007, 'Invalid UTF-8 in a text message: truncated sequence');
    }
    const assembly = this.#assembly;
    this.opcode = this.#message & 0x0f;
    this.rsv = this.#message & 0x70;
    this.validated = validating;
    if (assembly !== null) {
      flushBlock(assembly);
      const data = joinPieces(assembly, this.#messageLength);
      if (data === null) return this.cannotHold(this.#messageLength);
      this.data = data;
      this.#assembly = null;
    } else if (this.#messageLength === 0) {
      this.data = EMPTY;
    } // else addPiece set `data` to the lone frame's payload.
    this.#message = 0;
    return FrameEvent.Message;
  }

  /**
   * Keeps `chunk[start..end)` for the message, still masked with `key` (the key word rotated to
   * `chunk[start]`; 0 when there is nothing to unmask). A whole lone frame, and any large piece,
   * is kept as a view (no copy); small pieces of a frame split across reads, or of a fragmented
   * message, are copied into a block, so memory follows the message's bytes and not the number of
   * reads or fragments it took (a peer sending one byte per TCP segment would otherwise cost a
   * Buffer object, ~100 bytes of heap, per payload byte). A large piece stays masked until the
   * message is joined, where unmasking is the copy (see {@link joinPieces}). A lone frame split
   * across reads is copied into a buffer of its own instead, once a quarter of it is here
   * ({@link COMMIT_SHARE}, {@link commitWhole}).
   */
  private addPiece(chunk: Buffer, start: number, end: number, fin: boolean, key: number): boolean {
    const n = end - start;
    const whole = start === 0 && end === chunk.length;
    if (n === this.#payloadLength && this.#fragments === 1) {
      // A first frame whole in this read (so the message has no assembly yet).
      if (key !== 0) unmaskWord(chunk, start, end, key);
      const view = whole ? chunk : chunk.subarray(start, end);
      if (fin) this.data = view;
      else this.#assembly = newAssembly([view]);
      return true;
    }
    const assembly = (this.#assembly ??= newAssembly([]));
    if (
      assembly.whole === null &&
      fin &&
      this.#fragments === 1 &&
      (this.#received + n) * COMMIT_SHARE >= this.#payloadLength &&
      !commitWhole(assembly, this.#payloadLength)
    ) {
      this.cannotHold(this.#payloadLength);
      return false;
    }
    const target = assembly.whole;
    if (target !== null) {
      putPiece(chunk.subarray(start, end), target, assembly.wholeFill, key);
      assembly.wholeFill += n;
      return true;
    }
    if (n >= COPY_THRESHOLD) {
      flushBlock(assembly);
      if (key !== 0 && assembly.keys === null)
        assembly.keys = new Array<number>(assembly.pieces.length).fill(0);
      assembly.pieces.push(whole ? chunk : chunk.subarray(start, end));
      assembly.keys?.push(key);
      return true;
    }
    let block = assembly.block;
    if (block === null || block.length - assembly.blockFill < n) {
      flushBlock(assembly);
      const rest = this.#payloadLength - this.#received;
      block = Buffer.allocUnsafe(Math.max(n, Math.min(BLOCK_SIZE, Math.max(MIN_BLOCK_SIZE, rest))));
      assembly.block = block;
      assembly.blockFill = 0;
      assembly.blockStart = 0;
    }
    chunk.copy(block, assembly.blockFill, start, end);
    if (key !== 0) unmaskWord(block, assembly.blockFill, assembly.blockFill + n, key);
    assembly.blockFill += n;
    return true;
  }

  /** Fails a message of `length` bytes that the runtime could not allocate (see allocateMessage). */
  private cannotHold(length: number): FrameEvent {
    return this.fail(
      ErrorCode.UnsupportedMessageLength,
      1009,
      `Message too big: no buffer of ${length} bytes could be allocated`,
    );
  }

  private fail(code: ErrorCode, closeCode: number, message: string): FrameEvent {
    this.error = new ProtocolError(code, closeCode, message);
    this.halt();
    return FrameEvent.Error;
  }

  /** {@link fail} for the boolean-returning steps. */
  private failed(code: ErrorCode, closeCode: number, message: string): false {
    this.fail(code, closeCode, message);
    return false;
  }
}
