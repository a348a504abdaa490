/**
 * The body of a close frame: an optional 2-byte status code, then an optional UTF-8 reason.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.5.1
 */
import { ErrorCode, ProtocolError } from '../errors.js';
import { CloseCode, isValidCloseCode } from './close-code.js';
import { isValidUtf8 } from './utf8.js';

const EMPTY = Buffer.alloc(0);

/**
 * Encodes a close payload: empty when `code` is undefined, else the code (network byte order) and
 * the reason in UTF-8. Throws `RangeError` past 125 bytes, since §5.5 caps every control payload
 * there. Code and reason are the caller's to validate (the API layer does).
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.5.1
 */
export function encodeClosePayload(code?: number, reason = ''): Buffer {
  // A typed array here would be framed from an uninitialised buffer of its length (ws 8.20.1's
  // close(code, TypedArray)); the API layer converts with String() before this.
  if (typeof reason !== 'string') throw new TypeError('A close reason must be a string');
  if (code === undefined) {
    if (reason !== '') throw new TypeError('A close reason needs a close code');
    return EMPTY;
  }
  const length = 2 + Buffer.byteLength(reason);
  if (length > 125) throw new RangeError(`Close payload of ${length} bytes exceeds 125`);
  const payload = Buffer.allocUnsafe(length);
  payload.writeUInt16BE(code, 0);
  if (length > 2) payload.write(reason, 2, 'utf8');
  return payload;
}

/** A close payload as received. */
export interface ClosePayload {
  /** The status code, 1005 (`NoStatus`) when the payload was empty. */
  code: number;
  /** The reason, '' when absent. */
  reason: string;
}

/**
 * Parses a received close payload, throwing the {@link ProtocolError} that fails the connection:
 * 1002 for a 1-byte body or a code that may not be sent, 1007 for a reason that is not UTF-8.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.5.1
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-7.4
 */
export function parseClosePayload(payload: Uint8Array): ClosePayload {
  const length = payload.length;
  // §7.1.5: "If this Close control frame contains no status code, _The WebSocket Connection Close Code_ is considered to be 1005."
  if (length === 0) return { code: CloseCode.NoStatus, reason: '' };
  // §5.5.1: "If there is a body, the first two bytes of the body MUST be a 2-byte unsigned integer".
  if (length === 1) {
    throw new ProtocolError(ErrorCode.InvalidClosePayload, 1002, 'Invalid close frame: 1-byte payload');
  }
  const code = (payload[0]! << 8) | payload[1]!;
  if (!isValidCloseCode(code)) {
    throw new ProtocolError(ErrorCode.InvalidCloseCode, 1002, `Invalid close frame: status code ${code}`);
  }
  if (length === 2) return { code, reason: '' };
  // §5.5.1: the reason is UTF-8, and §8.1 fails the connection on bytes that are not.
  if (!isValidUtf8(payload, 2, length)) {
    throw new ProtocolError(ErrorCode.InvalidUtf8, 1007, 'Invalid close frame: reason is not UTF-8');
  }
  return { code, reason: Buffer.from(payload.buffer, payload.byteOffset + 2, length - 2).toString('utf8') };
}
