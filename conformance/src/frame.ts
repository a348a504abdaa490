import { randomBytes } from 'node:crypto';

/**
 * WebSocket opcodes, including the reserved ones the suite sends on purpose.
 * @see RFC 6455 §5.2
 */
export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/** One frame as the suite wants it on the wire; every field may be made illegal on purpose. */
export interface FrameSpec {
  /** Opcode 0–15, reserved values allowed. */
  opcode: number;
  /** Payload bytes (a string is UTF-8 encoded). Default: empty. */
  payload?: Buffer | string | undefined;
  /** FIN bit. Default: true. */
  fin?: boolean;
  /** RSV1–RSV3 as a 3-bit number (4 = RSV1, 2 = RSV2, 1 = RSV3). Default: 0. */
  rsv?: number;
}

/** Turns a payload given as text or bytes into bytes. */
export function toBytes(payload: Buffer | string | undefined): Buffer {
  if (payload === undefined) return Buffer.alloc(0);
  return typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
}

/**
 * Encodes one frame. The length uses the shortest form, as RFC 6455 §5.2 requires ("the minimal
 * number of bytes MUST be used to encode the length"). `masked` is true when the suite plays the
 * client: "a client MUST mask all frames that it sends to the server" (§5.3).
 * @see RFC 6455 §5.2
 */
export function encodeFrame(spec: FrameSpec, masked: boolean): Buffer {
  const payload = toBytes(spec.payload);
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const headerLength = 2 + lengthBytes + (masked ? 4 : 0);
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = ((spec.fin ?? true) ? 0x80 : 0) | (((spec.rsv ?? 0) & 7) << 4) | (spec.opcode & 0x0f);
  const maskBit = masked ? 0x80 : 0;
  if (lengthBytes === 0) {
    frame[1] = maskBit | length;
  } else if (lengthBytes === 2) {
    frame[1] = maskBit | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = maskBit | 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  if (!masked) {
    payload.copy(frame, headerLength);
    return frame;
  }
  const key = randomBytes(4);
  key.copy(frame, headerLength - 4);
  for (let i = 0; i < length; i++) frame[headerLength + i] = payload[i]! ^ key[i & 3]!;
  return frame;
}

/** Splits bytes into chunks of at most `size` bytes (the suite's "chops"). */
export function chop(data: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) chunks.push(data.subarray(i, i + size));
  return chunks;
}

/** `count` bytes made by repeating `pattern`, as Autobahn builds its large payloads. */
export function repeatBytes(pattern: Buffer | string, count: number): Buffer {
  const unit = toBytes(pattern);
  const out = Buffer.allocUnsafe(count);
  if (count === 0) return out;
  out.fill(unit);
  return out;
}
