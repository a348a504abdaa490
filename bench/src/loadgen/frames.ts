/**
 * Frames and requests the load generator sends, each built once per run. The generator never builds
 * a frame per message: it writes slices of a buffer holding `count` copies of the same frame.
 */

/** The mask key every generator frame uses (the RFC 6455 §5.7 example key). A fixed key is fine
 * for a load generator: the server still unmasks every byte. */
export const MASK_KEY = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

/** A fixed `Sec-WebSocket-Key` (RFC 6455 §1.3's example) and its accept value. */
export const SEC_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
export const SEC_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

/** Opcodes the generator sends. */
export const Opcode = { Text: 0x1, Binary: 0x2, Close: 0x8 } as const;
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/** Options for {@link buildFrame}. */
export interface FrameOptions {
  /** Mask the payload with {@link MASK_KEY}, as a client must. Default `true`. */
  masked?: boolean;
  /** Set RSV1 (a permessage-deflate compressed message). Default `false`. */
  rsv1?: boolean;
}

/** One complete frame (FIN set) carrying `payload`. */
export function buildFrame(opcode: Opcode, payload: Buffer, options: FrameOptions = {}): Buffer {
  const masked = options.masked ?? true;
  const len = payload.length;
  const extra = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const head = 2 + extra + (masked ? 4 : 0);
  const frame = Buffer.allocUnsafe(head + len);
  frame[0] = 0x80 | (options.rsv1 ? 0x40 : 0) | opcode;
  const maskBit = masked ? 0x80 : 0;
  if (extra === 0) frame[1] = maskBit | len;
  else if (extra === 2) {
    frame[1] = maskBit | 126;
    frame.writeUInt16BE(len, 2);
  } else {
    frame[1] = maskBit | 127;
    frame.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    frame.writeUInt32BE(len >>> 0, 6);
  }
  if (!masked) {
    payload.copy(frame, head);
    return frame;
  }
  MASK_KEY.copy(frame, 2 + extra);
  for (let i = 0; i < len; i++) frame[head + i] = (payload[i] as number) ^ (MASK_KEY[i & 3] as number);
  return frame;
}

/** `count` copies of `frame` back to back, so `k` frames go out as one `write` of a slice. */
export function repeatFrame(frame: Buffer, count: number): Buffer {
  const out = Buffer.allocUnsafe(frame.length * count);
  for (let i = 0; i < count; i++) frame.copy(out, i * frame.length);
  return out;
}

/** The masked close frame (code 1000) a client sends to end a connection. */
export function closeFrame(): Buffer {
  const payload = Buffer.from([0x03, 0xe8]);
  return buildFrame(Opcode.Close, payload);
}

/** An HTTP/1.1 upgrade request for `ws://127.0.0.1:port/path`. */
export function upgradeRequest(port: number, path = '/', extensions?: string): Buffer {
  return Buffer.from(
    `GET ${path} HTTP/1.1\r\n` +
      `Host: 127.0.0.1:${port}\r\n` +
      'Upgrade: websocket\r\n' +
      'Connection: Upgrade\r\n' +
      `Sec-WebSocket-Key: ${SEC_KEY}\r\n` +
      'Sec-WebSocket-Version: 13\r\n' +
      (extensions ? `Sec-WebSocket-Extensions: ${extensions}\r\n` : '') +
      '\r\n',
    'latin1',
  );
}

/** A text payload of `size` bytes: ASCII JSON-ish records, compressible like real traffic. */
export function textPayload(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  let s = '';
  let i = 0;
  while (s.length < size) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    s += `{"id":${i++},"user":"u${x % 9973}","score":${x % 1000},"tag":"${(x >>> 8).toString(36)}"},`;
  }
  out.write(s.slice(0, size), 'latin1');
  return out;
}
