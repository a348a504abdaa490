/**
 * UTF-8 validation for text messages and close reasons, incremental so that a code point split
 * across frames or TCP chunks is checked exactly as if it had arrived whole, and the connection
 * fails at the first byte that cannot start or continue a well-formed sequence.
 *
 * RFC 6455 §8.1: "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte
 * stream is not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket
 * Connection_." Well-formed means RFC 3629 §4 (Unicode Table 3-7): no overlong forms, no
 * surrogates (U+D800–U+DFFF), nothing above U+10FFFF.
 *
 * Long spans go to a native validator: Node's `buffer.isUtf8` (simdutf), which the Node layer
 * installs with {@link setUtf8Validator}, or else a fatal `TextDecoder`. An incremental stream
 * (a fragmented message) runs only the bytes around piece boundaries through the JS DFA: it
 * finishes a code point left open by the previous piece, hands the whole code points in between
 * to the native check, and keeps the incomplete sequence at the end for the next piece. Short
 * spans, and the first bad byte's exact offset once a check failed, come from the DFA itself:
 * ASCII runs skipped two 32-bit words (long runs) or eight bytes (short ones) at a time, other
 * bytes through 9 states over 12 byte classes.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-8.1
 * @see https://www.rfc-editor.org/rfc/rfc3629#section-4
 */

// Byte classes: which bytes behave alike in every state.
const C_ASCII = 0; // 00..7F
const C_CONT_LOW = 1; // 80..8F
const C_CONT_MID = 2; // 90..9F
const C_CONT_HIGH = 3; // A0..BF
const C_INVALID = 4; // C0..C1, F5..FF: never appear in UTF-8
const C_LEAD2 = 5; // C2..DF
const C_E0 = 6; // E0: second byte A0..BF (no overlongs)
const C_LEAD3 = 7; // E1..EC, EE..EF
const C_ED = 8; // ED: second byte 80..9F (no surrogates)
const C_F0 = 9; // F0: second byte 90..BF (no overlongs)
const C_LEAD4 = 10; // F1..F3
const C_F4 = 11; // F4: second byte 80..8F (nothing above U+10FFFF)
const CLASSES = 12;

// States: how much of a sequence remains, and which ranges the next byte may take.
const S_ACCEPT = 0;
const S_REJECT = 1;
const S_NEED1 = 2;
const S_NEED2 = 3;
const S_E0 = 4;
const S_ED = 5;
const S_NEED3 = 6;
const S_F0 = 7;
const S_F4 = 8;
const STATES = 9;

const BYTE_CLASS = new Uint8Array(256);
const TRANSITION = new Uint8Array(STATES * CLASSES).fill(S_REJECT);

{
  for (let b = 0; b < 256; b++) {
    let c: number;
    if (b < 0x80) c = C_ASCII;
    else if (b < 0x90) c = C_CONT_LOW;
    else if (b < 0xa0) c = C_CONT_MID;
    else if (b < 0xc0) c = C_CONT_HIGH;
    else if (b < 0xc2) c = C_INVALID;
    else if (b < 0xe0) c = C_LEAD2;
    else if (b === 0xe0) c = C_E0;
    else if (b === 0xed) c = C_ED;
    else if (b < 0xf0) c = C_LEAD3;
    else if (b === 0xf0) c = C_F0;
    else if (b < 0xf4) c = C_LEAD4;
    else if (b === 0xf4) c = C_F4;
    else c = C_INVALID;
    BYTE_CLASS[b] = c;
  }
  const set = (state: number, classes: readonly number[], next: number): void => {
    for (const c of classes) TRANSITION[state * CLASSES + c] = next;
  };
  const anyCont = [C_CONT_LOW, C_CONT_MID, C_CONT_HIGH];
  set(S_ACCEPT, [C_ASCII], S_ACCEPT);
  set(S_ACCEPT, [C_LEAD2], S_NEED1);
  set(S_ACCEPT, [C_E0], S_E0);
  set(S_ACCEPT, [C_LEAD3], S_NEED2);
  set(S_ACCEPT, [C_ED], S_ED);
  set(S_ACCEPT, [C_F0], S_F0);
  set(S_ACCEPT, [C_LEAD4], S_NEED3);
  set(S_ACCEPT, [C_F4], S_F4);
  set(S_NEED1, anyCont, S_ACCEPT);
  set(S_NEED2, anyCont, S_NEED1);
  set(S_E0, [C_CONT_HIGH], S_NEED1);
  set(S_ED, [C_CONT_LOW, C_CONT_MID], S_NEED1);
  set(S_NEED3, anyCont, S_NEED2);
  set(S_F0, [C_CONT_MID, C_CONT_HIGH], S_NEED2);
  set(S_F4, [C_CONT_LOW], S_NEED2);
}

/** Runs of ASCII at least this long are scanned through a `Uint32Array` view. */
const WORD_SCAN_THRESHOLD = 128;

/** Index of the first byte ≥ 0x80 in `bytes[start..end)`, or `end`. */
function skipAscii(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  if (end - i >= WORD_SCAN_THRESHOLD) {
    while (((bytes.byteOffset + i) & 3) !== 0) {
      if (bytes[i]! >= 0x80) return i;
      i++;
    }
    const words = (end - i) >>> 2;
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + i, words);
    let j = 0;
    for (; j + 2 <= words; j += 2) {
      if (((view[j]! | view[j + 1]!) & 0x80808080) !== 0) break;
    }
    i += j << 2;
  }
  for (; i + 8 <= end; i += 8) {
    if (
      ((bytes[i]! |
        bytes[i + 1]! |
        bytes[i + 2]! |
        bytes[i + 3]! |
        bytes[i + 4]! |
        bytes[i + 5]! |
        bytes[i + 6]! |
        bytes[i + 7]!) &
        0x80) !==
      0
    ) {
      break;
    }
  }
  while (i < end && bytes[i]! < 0x80) i++;
  return i;
}

/**
 * Runs the DFA over `bytes[start..end)` from `state`. Returns the new state, or `-1 - i` where
 * `i` is the index of the first invalid byte.
 */
function run(bytes: Uint8Array, start: number, end: number, state: number): number {
  let s = state;
  let i = start;
  while (i < end) {
    if (s === S_ACCEPT) {
      i = skipAscii(bytes, i, end);
      if (i === end) break;
    }
    s = TRANSITION[s * CLASSES + BYTE_CLASS[bytes[i]!]!]!;
    if (s === S_REJECT) return -1 - i;
    i++;
  }
  return s;
}

/** A native whole-buffer check: true when `bytes` is well-formed UTF-8 on its own. */
export type Utf8Check = (bytes: Uint8Array) => boolean;

/** Spans shorter than this skip the native check: the call costs more than the DFA. */
const NATIVE_THRESHOLD = 32;
/** The same for the `TextDecoder` fallback, which also builds a string it throws away. */
const DECODER_THRESHOLD = 256;

let nativeCheck: Utf8Check | null = null;
const fatalDecoder =
  typeof TextDecoder === 'function' ? new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }) : null;

/**
 * Installs a native UTF-8 check for long spans (the Node layer passes `buffer.isUtf8`, which
 * validates at memory speed); `null` goes back to the fatal `TextDecoder`. The check must accept
 * exactly RFC 3629 UTF-8, as `buffer.isUtf8` does.
 */
export function setUtf8Validator(check: Utf8Check | null): void {
  nativeCheck = check;
}

/** Whether `bytes[start..end)` is well-formed UTF-8, by the fastest check available for its size. */
function checkSpan(bytes: Uint8Array, start: number, end: number): boolean {
  const length = end - start;
  if (nativeCheck !== null && length >= NATIVE_THRESHOLD) {
    return nativeCheck(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
  }
  if (fatalDecoder !== null && length >= DECODER_THRESHOLD) {
    try {
      fatalDecoder.decode(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
      return true;
    } catch {
      return false;
    }
  }
  return run(bytes, start, end, S_ACCEPT) === S_ACCEPT;
}

/**
 * Where the incomplete code point that ends `bytes[start..end)` begins, or `end` when the span
 * ends on a boundary (or cannot be valid there anyway: the checks before then reject it). Only
 * the last three bytes can belong to a sequence still missing bytes.
 */
function openTail(bytes: Uint8Array, start: number, end: number): number {
  const stop = Math.max(end - 3, start);
  for (let j = end - 1; j >= stop; j--) {
    const byte = bytes[j]!;
    if (byte < 0x80) return end;
    if (byte >= 0xc0) {
      const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return end - j < need ? j : end;
    }
  }
  return end;
}

/**
 * Whether `bytes[start..end)` (the whole array by default) is well-formed UTF-8 on its own: every
 * sequence valid and complete.
 * @see https://www.rfc-editor.org/rfc/rfc3629#section-4
 */
export function isValidUtf8(bytes: Uint8Array, start = 0, end: number = bytes.length): boolean {
  return checkSpan(bytes, start, end);
}

/**
 * An incremental UTF-8 validator for a byte stream fed in pieces (fragments, TCP chunks): the
 * result does not depend on where the stream is split.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-8.1
 */
export class Utf8Validator {
  #state: number = S_ACCEPT;
  #offset = 0;
  #invalidAt = -1;

  /** Starts a new stream. */
  reset(): void {
    this.#state = S_ACCEPT;
    this.#offset = 0;
    this.#invalidAt = -1;
  }

  /**
   * Feeds `bytes[start..end)`. Returns false as soon as the stream so far cannot be the prefix of
   * well-formed UTF-8; {@link invalidAt} then tells where. Once false, it stays false until
   * {@link reset}.
   */
  update(bytes: Uint8Array, start = 0, end: number = bytes.length): boolean {
    let s = this.#state;
    if (s === S_REJECT) return false;
    let i = start;
    // Finish the code point the previous piece left open (at most three bytes).
    while (s !== S_ACCEPT && i < end) {
      s = TRANSITION[s * CLASSES + BYTE_CLASS[bytes[i]!]!]!;
      if (s === S_REJECT) return this.#reject(i - start);
      i++;
    }
    if (i < end) {
      const tail = openTail(bytes, i, end);
      if (tail > i && !checkSpan(bytes, i, tail)) {
        // The native check says no; the DFA says where (§8.1 fails at the first bad byte).
        const r = run(bytes, i, tail, S_ACCEPT);
        return this.#reject((r < 0 ? -1 - r : tail) - start);
      }
      s = run(bytes, tail, end, S_ACCEPT);
      if (s < 0) return this.#reject(-1 - s - start);
    }
    this.#state = s;
    this.#offset += end - start;
    return true;
  }

  /** True when the stream so far is well-formed and ends on a code point boundary. */
  get complete(): boolean {
    return this.#state === S_ACCEPT;
  }

  /** Offset in the stream (since {@link reset}) of the first invalid byte, or -1. */
  get invalidAt(): number {
    return this.#invalidAt;
  }

  #reject(at: number): false {
    this.#state = S_REJECT;
    this.#invalidAt = this.#offset + at;
    return false;
  }
}
