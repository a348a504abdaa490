/**
 * What `send()` accepts. Strings go as text; `Buffer`, `ArrayBuffer` and every `ArrayBufferView`
 * (typed arrays, `DataView`) go as binary; anything else is sent as the text `String(value)`, as faye
 * does for numbers, booleans and arrays.
 */
export type MessageData = string | Buffer | ArrayBuffer | ArrayBufferView | number | boolean | object;

const EMPTY = Buffer.alloc(0);

/**
 * The bytes of a binary message, or null when `data` is text (then send `String(data)`). Never copies:
 * typed arrays and `ArrayBuffer`s are viewed in place. faye stringifies typed arrays ("1,2,3"); sockeye
 * sends their bytes, as browsers and ws do.
 */
export function binaryPayload(data: unknown): Buffer | null {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer || data instanceof SharedArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

/**
 * A ping or pong payload: strings as UTF-8, bytes as they are, `null` and `undefined` as none (as
 * faye and ws: sockjs calls `ping(null, callback)`), other values as `String(value)`.
 */
export function controlPayload(data: unknown): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data === null || data === undefined) return EMPTY;
  return binaryPayload(data) ?? Buffer.from(String(data), 'utf8');
}
