/**
 * The frame serializer: builds the bytes of one RFC 6455 frame. Pure; never writes to the
 * caller's payload: masking (RFC 6455 §5.3) copies it into the output, because the caller may send
 * the same buffer again, to this peer or to others, and must find it unchanged.
 *
 * Small frames, and every masked frame, come out as one buffer holding header and payload (one
 * write, one allocation); large unmasked frames as `[header, payload]`, the payload being a view
 * on the caller's bytes, so a 64 KiB broadcast is never copied.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
import { validateOptions } from '../options.js';
import { maskInPlace, maskInto } from './mask.js';
import { type MaskKeySource, writeRandomMaskKey } from './mask-source.js';
import type { Opcode } from './opcode.js';

/** Options of {@link encodeFrame}. */
export interface EncodeFrameOptions {
  /** FIN bit: this frame ends its message. Default `true`. */
  fin?: boolean;
  /** RSV1 bit, set by an extension that negotiated it (permessage-deflate). Default `false`. */
  rsv1?: boolean;
  /** RSV2 bit, for an extension that negotiated it. Default `false`. */
  rsv2?: boolean;
  /** RSV3 bit, for an extension that negotiated it. Default `false`. */
  rsv3?: boolean;
  /** Mask the payload (a client MUST mask every frame it sends). Default `false`. */
  mask?: boolean;
  /**
   * The 4-byte masking key to use instead of a random one: for tests and fixtures only, since RFC
   * 6455 §10.3 needs an unpredictable key. Default: a fresh random key.
   */
  maskKey?: Uint8Array;
}

/**
 * Payloads up to this size are copied after the header into one buffer when unmasked; a larger one
 * is written from the caller's own buffer.
 */
export const MERGE_THRESHOLD = 1024;

/** RSV bits as they sit in the first header byte. */
export const RSV1 = 0x40;
/** @see RSV1 */
export const RSV2 = 0x20;
/** @see RSV1 */
export const RSV3 = 0x10;

const EMPTY = Buffer.alloc(0);

/** Length of the header for a payload of `length` bytes. */
export function frameHeaderLength(length: number, masked: boolean): number {
  return (length < 126 ? 2 : length < 65536 ? 4 : 10) + (masked ? 4 : 0);
}

/**
 * Writes the frame header into `target` at 0 and returns the offset of the masking key (or of the
 * payload when unmasked). RFC 6455 §5.2: "the minimal number of bytes MUST be used to encode the
 * length".
 */
function writeHeader(target: Buffer, firstByte: number, length: number, masked: boolean): number {
  target[0] = firstByte;
  const maskBit = masked ? 0x80 : 0;
  if (length < 126) {
    target[1] = maskBit | length;
    return 2;
  }
  if (length < 65536) {
    target[1] = maskBit | 126;
    target[2] = length >>> 8;
    target[3] = length & 0xff;
    return 4;
  }
  target[1] = maskBit | 127;
  // "the most significant bit MUST be 0": lengths here are below 2^53.
  target.writeUInt32BE(Math.floor(length / 0x100000000), 2);
  target.writeUInt32BE(length >>> 0, 6);
  return 10;
}

function toBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Appends one frame to `out` and returns its size in bytes. `firstByte` holds FIN, RSV and opcode;
 * `keySource` null means unmasked. The engine's hot path: no option objects.
 *
 * An unmasked payload over {@link MERGE_THRESHOLD} bytes is not copied: `out` refers to it.
 */
export function pushFrame(
  out: Buffer[],
  firstByte: number,
  payload: Uint8Array,
  keySource: MaskKeySource | null,
): number {
  const length = payload.length;
  if (keySource !== null) {
    const keyAt = frameHeaderLength(length, false);
    const frame = Buffer.allocUnsafe(keyAt + 4 + length);
    writeHeader(frame, firstByte, length, true);
    keySource(frame, keyAt);
    maskInto(payload, frame, keyAt + 4, frame, keyAt);
    out.push(frame);
    return frame.length;
  }
  const at = frameHeaderLength(length, false);
  if (length <= MERGE_THRESHOLD) {
    const frame = Buffer.allocUnsafe(at + length);
    writeHeader(frame, firstByte, length, false);
    frame.set(payload, at);
    out.push(frame);
    return at + length;
  }
  const header = Buffer.allocUnsafe(at);
  writeHeader(header, firstByte, length, false);
  out.push(header, toBuffer(payload));
  return at + length;
}

/**
 * Appends one text frame holding `text` (UTF-8) to `out` and returns its size, encoding the string
 * straight into the frame buffer: one allocation, no intermediate payload buffer.
 */
export function pushTextFrame(
  out: Buffer[],
  firstByte: number,
  text: string,
  keySource: MaskKeySource | null,
): number {
  const length = Buffer.byteLength(text);
  const masked = keySource !== null;
  if (!masked && length > MERGE_THRESHOLD) return pushFrame(out, firstByte, Buffer.from(text), null);
  const keyAt = frameHeaderLength(length, false);
  const at = keyAt + (masked ? 4 : 0);
  const frame = Buffer.allocUnsafe(at + length);
  writeHeader(frame, firstByte, length, masked);
  if (length > 0) frame.write(text, at, length, 'utf8');
  if (masked) {
    keySource(frame, keyAt);
    maskInPlace(frame, at, at + length, frame, keyAt, 0);
  }
  out.push(frame);
  return frame.length;
}

const ENCODE_FRAME_OPTION_KEYS: readonly string[] = ['fin', 'rsv1', 'rsv2', 'rsv3', 'mask', 'maskKey'];

/**
 * Encodes one frame: `[header + payload]` for small or masked frames, `[header, payload]` for large
 * unmasked ones (the payload then is the caller's bytes, not a copy). Masked output never alters
 * `payload`. Suits broadcast: encode once, write the same buffers to many sockets (server role,
 * unmasked).
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
export function encodeFrame(opcode: Opcode, payload: Uint8Array, options: EncodeFrameOptions = {}): Buffer[] {
  validateOptions(options, ENCODE_FRAME_OPTION_KEYS);
  const firstByte =
    (options.fin === false ? 0 : 0x80) |
    (options.rsv1 === true ? RSV1 : 0) |
    (options.rsv2 === true ? RSV2 : 0) |
    (options.rsv3 === true ? RSV3 : 0) |
    opcode;
  let keySource: MaskKeySource | null = null;
  if (options.mask === true) {
    const key = options.maskKey;
    if (key === undefined) keySource = writeRandomMaskKey;
    else {
      if (key.length !== 4) throw new RangeError('maskKey must be 4 bytes');
      keySource = (target, offset) => target.set(key, offset);
    }
  }
  const out: Buffer[] = [];
  pushFrame(out, firstByte, payload.length === 0 ? EMPTY : payload, keySource);
  return out;
}
