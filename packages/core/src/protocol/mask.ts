/**
 * The masking transform of RFC 6455 §5.3: octet i of the data is XORed with octet (i mod 4) of the
 * masking key. Unmasking is the same operation.
 *
 * Written for V8 without a native addon: payloads of 64 bytes or more are aligned and XORed a
 * 32-bit word at a time through an `Int32Array` view; shorter ones a byte at a time with the key
 * held in locals.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.3
 */

// Builds the 32-bit mask word in the platform's byte order, whatever that is.
const word8 = new Uint8Array(4);
// Int32, not Uint32: a key word above 2^31 stays a small integer for V8 instead of a heap number.
const word32 = new Int32Array(word8.buffer);

/** Below this many bytes the word loop's alignment and view cost more than they save. */
const WORD_THRESHOLD = 64;

/**
 * XORs `data[start..end)` in place with the 4-byte masking key at `key[keyOffset..keyOffset+4)`.
 * `phase` is how many payload bytes precede `data[start]` in the frame (only `phase % 4`
 * matters), so a payload may be unmasked piece by piece as it arrives.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.3
 */
export function maskInPlace(
  data: Uint8Array,
  start: number,
  end: number,
  key: Uint8Array,
  keyOffset: number,
  phase: number,
): void {
  let k0 = key[keyOffset + (phase & 3)]!;
  let k1 = key[keyOffset + ((phase + 1) & 3)]!;
  let k2 = key[keyOffset + ((phase + 2) & 3)]!;
  let k3 = key[keyOffset + ((phase + 3) & 3)]!;
  let i = start;
  if (end - i >= WORD_THRESHOLD) {
    // A Uint32Array view needs a 4-byte aligned offset into the ArrayBuffer.
    while (((data.byteOffset + i) & 3) !== 0) {
      data[i] = data[i]! ^ k0;
      i++;
      const k = k0;
      k0 = k1;
      k1 = k2;
      k2 = k3;
      k3 = k;
    }
    const words = (end - i) >>> 2;
    word8[0] = k0;
    word8[1] = k1;
    word8[2] = k2;
    word8[3] = k3;
    const w = word32[0]!;
    const view = new Int32Array(data.buffer, data.byteOffset + i, words);
    let j = 0;
    for (; j + 4 <= words; j += 4) {
      view[j] = view[j]! ^ w;
      view[j + 1] = view[j + 1]! ^ w;
      view[j + 2] = view[j + 2]! ^ w;
      view[j + 3] = view[j + 3]! ^ w;
    }
    for (; j < words; j++) view[j] = view[j]! ^ w;
    i += words << 2;
  }
  for (; i + 4 <= end; i += 4) {
    data[i] = data[i]! ^ k0;
    data[i + 1] = data[i + 1]! ^ k1;
    data[i + 2] = data[i + 2]! ^ k2;
    data[i + 3] = data[i + 3]! ^ k3;
  }
  const rest = end - i;
  if (rest > 0) data[i] = data[i]! ^ k0;
  if (rest > 1) data[i + 1] = data[i + 1]! ^ k1;
  if (rest > 2) data[i + 2] = data[i + 2]! ^ k2;
}

/**
 * Copies `source` into `target` at `targetOffset`, masked with the key at `key[keyOffset..+4)`.
 * The source is never written: RFC 6455 masking must not alter the caller's buffer.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.3
 */
export function maskInto(
  source: Uint8Array,
  target: Uint8Array,
  targetOffset: number,
  key: Uint8Array,
  keyOffset: number,
): void {
  target.set(source, targetOffset);
  maskInPlace(target, targetOffset, targetOffset + source.length, key, keyOffset, 0);
}
