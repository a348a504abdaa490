import { randomBytes } from 'node:crypto';

/** Text the sockeye end sends: ASCII, an empty message, and 2-, 3- and 4-byte UTF-8 sequences. */
export const TEXTS: readonly string[] = [
  'hello, peer',
  '',
  'héllo wörld — 日本語 🐟 \u{1F600}',
  // 126+ bytes of multi-byte text: the 16-bit length form, with code points across frame bytes.
  'ünïcödé 🐟 '.repeat(20),
];

/**
 * Binary lengths around the frame-length encodings (RFC 6455 §5.2): 7-bit up to 125, 16-bit from
 * 126 to 65535, 64-bit from 65536.
 */
export const BINARY_LENGTHS: readonly number[] = [0, 125, 126, 127, 65535, 65536];

/** The largest message of the matrix. */
export const LARGE_LENGTH = 16 * 1024 * 1024;

/** Random bytes: incompressible, so deflate pairs carry the worst case. */
export function binary(length: number): Buffer {
  return randomBytes(length);
}

/** The close each side starts: custom codes (3000–4999 are open to applications) and UTF-8 reasons. */
export const SOCKEYE_CLOSE = { code: 4001, reason: 'sockeye: adiós 👋' } as const;
export const PEER_CLOSE = { code: 4002, reason: 'peer: tschüss 👋' } as const;
