/**
 * Masking keys for client frames. RFC 6455 §5.3: "The masking key is a 32-bit value chosen at
 * random by the client … The masking key needs to be unpredictable; thus, the masking key MUST be
 * derived from a strong source of entropy". One `getRandomValues` call fills an 8 KiB pool that
 * serves 2048 frames, so a key costs four byte copies instead of a call into the CSPRNG.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.3
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-10.3
 */

/** Writes four key bytes into `target[offset..offset+4)`. */
export type MaskKeySource = (target: Uint8Array, offset: number) => void;

const POOL_SIZE = 8192;
let pool: Uint8Array | null = null;
let poolOffset = POOL_SIZE;

/**
 * The default {@link MaskKeySource}: four bytes from a pool refilled by
 * `globalThis.crypto.getRandomValues` (a CSPRNG), never reused.
 */
export function writeRandomMaskKey(target: Uint8Array, offset: number): void {
  if (poolOffset === POOL_SIZE) {
    pool ??= new Uint8Array(POOL_SIZE);
    globalThis.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const p = pool!;
  const o = poolOffset;
  target[offset] = p[o]!;
  target[offset + 1] = p[o + 1]!;
  target[offset + 2] = p[o + 2]!;
  target[offset + 3] = p[o + 3]!;
  poolOffset = o + 4;
}
