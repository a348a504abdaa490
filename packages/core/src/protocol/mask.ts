/**
 * The masking transform of RFC 6455 §5.3: octet i of the data is XORed with octet (i mod 4) of the
 * masking key. Unmasking is the same operation.
 *
 * Written for V8 without a native addon: large payloads go through the WebAssembly SIMD kernel
 * (`mask-wasm.ts`, sixteen bytes per instruction); mid-sized ones, and all of them where
 * WebAssembly SIMD is missing, are aligned and XORed a 32-bit word at a time through an
 * `Int32Array` view; short ones a byte at a time with the key held in locals.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.3
 */
import { wasmMaskAvailable, wasmMaskBulk } from './mask-wasm.js';

// Builds the 32-bit mask word in the platform's byte order, whatever that is.
const word8 = new Uint8Array(4);
// Int32, not Uint32: a key word above 2^31 stays a small integer for V8 instead of a heap number.
const word32 = new Int32Array(word8.buffer);

/** Below this many bytes the word loop's alignment and view cost more than they save. */
const WORD_THRESHOLD = 64;

/**
 * From this many bytes on, the WebAssembly kernel (two copies through its memory and a SIMD XOR)
 * beats the word loop; below it the call and copies cost more than they save.
 */
export const WASM_THRESHOLD = 512;

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
  maskWithOctets(
    data,
    start,
    end,
    key[keyOffset + (phase & 3)]!,
    key[keyOffset + ((phase + 1) & 3)]!,
    key[keyOffset + ((phase + 2) & 3)]!,
    key[keyOffset + ((phase + 3) & 3)]!,
  );
}

/**
 * XORs `data[start..end)` in place with the repeating octets `k0 k1 k2 k3`, `k0` applying to
 * `data[start]`: the masking key already rotated to the payload phase. For callers that keep the
 * key as a number rather than a buffer (the frame parser keeps it in one int32 field: no typed
 * array per connection).
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.3
 */
export function maskWithOctets(
  data: Uint8Array,
  start: number,
  end: number,
  k0: number,
  k1: number,
  k2: number,
  k3: number,
): void {
  let i = start;
  if (end - i >= WASM_THRESHOLD && wasmMaskAvailable) {
    // WebAssembly memory is little-endian whatever the platform: octet 0 is the low byte.
    const bulk = (end - i) & ~63;
    wasmMaskBulk(data, i, data, i, bulk, k0 | (k1 << 8) | (k2 << 16) | (k3 << 24));
    // The bulk is a multiple of 4 bytes long, so the tail starts at the same key phase.
    i += bulk;
  }
  maskLoop(data, i, end, k0, k1, k2, k3);
}

/**
 * {@link maskInPlace} in JavaScript alone (the path for short payloads, and everything where
 * WebAssembly SIMD is unavailable). Exported for tests that compare both paths.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.3
 */
export function maskInPlaceJs(
  data: Uint8Array,
  start: number,
  end: number,
  key: Uint8Array,
  keyOffset: number,
  phase: number,
): void {
  maskLoop(
    data,
    start,
    end,
    key[keyOffset + (phase & 3)]!,
    key[keyOffset + ((phase + 1) & 3)]!,
    key[keyOffset + ((phase + 2) & 3)]!,
    key[keyOffset + ((phase + 3) & 3)]!,
  );
}

/** The JS loop: a 32-bit word at a time through an `Int32Array` view, then byte by byte. */
function maskLoop(
  data: Uint8Array,
  start: number,
  end: number,
  key0: number,
  key1: number,
  key2: number,
  key3: number,
): void {
  let k0 = key0;
  let k1 = key1;
  let k2 = key2;
  let k3 = key3;
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
 * The source is never written: RFC 6455 masking must not alter the caller's buffer. `target`
 * must not overlap `source`; the key may sit in `target` ahead of `targetOffset` (a frame header).
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.3
 */
export function maskInto(
  source: Uint8Array,
  target: Uint8Array,
  targetOffset: number,
  key: Uint8Array,
  keyOffset: number,
): void {
  maskCopyWithOctets(
    source,
    target,
    targetOffset,
    key[keyOffset]!,
    key[keyOffset + 1]!,
    key[keyOffset + 2]!,
    key[keyOffset + 3]!,
  );
}

/**
 * Copies `source` into `target` at `targetOffset` XORed with the repeating octets `k0 k1 k2 k3`
 * (`k0` for `source[0]`): masking and copying in one pass over memory, for the frame encoder and
 * for the parser joining a large message's pieces. `target` must not overlap `source`.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.3
 */
export function maskCopyWithOctets(
  source: Uint8Array,
  target: Uint8Array,
  targetOffset: number,
  k0: number,
  k1: number,
  k2: number,
  k3: number,
): void {
  const length = source.length;
  let i = 0;
  if (length >= WASM_THRESHOLD && wasmMaskAvailable) {
    // The kernel's window takes the source bytes directly: one pass less than copy-then-mask.
    i = length & ~63;
    wasmMaskBulk(source, 0, target, targetOffset, i, k0 | (k1 << 8) | (k2 << 16) | (k3 << 24));
    if (i === length) return;
  }
  target.set(i === 0 ? source : source.subarray(i), targetOffset + i);
  // The bulk is a multiple of 4 bytes long, so the tail starts at the same key phase.
  maskLoop(target, targetOffset + i, targetOffset + length, k0, k1, k2, k3);
}
