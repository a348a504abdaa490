import { isValidCloseCode } from '../protocol/close-code.js';

const encoder = new TextEncoder();

/**
 * `close()`'s code as WebIDL converts it (`[Clamp] unsigned short`), so that `close('3000')` and
 * `close(3000.4)` send 3000 as browsers (and faye) do: a number or numeric string, `NaN` as 0,
 * clamped to 0–65535 and rounded to the nearest integer, ties to even. `undefined` stays absent.
 * @see https://webidl.spec.whatwg.org/#abstract-opdef-converttoint
 */
export function closeCodeArgument(code: unknown): number | undefined {
  if (code === undefined) return undefined;
  if (typeof code === 'number' && Number.isInteger(code) && code >= 0 && code <= 65535) return code;
  const value = Number(code);
  if (Number.isNaN(value)) return 0;
  const clamped = Math.min(Math.max(value, 0), 65535);
  const floor = Math.floor(clamped);
  const fraction = clamped - floor;
  return fraction > 0.5 || (fraction === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
}

/**
 * Checks the arguments of `close(code, reason)`. Any code that may be sent on the wire is allowed
 * (1000–1003, 1007–1014, 3000–4999; browsers allow only 1000 and 3000–4999, which would keep a
 * server from saying 1001 or 1011). A code that may not be sent, or a reason longer than 123 UTF-8
 * bytes, throws a `SyntaxError` worded like the browsers' (the close frame is a control frame:
 * RFC 6455 §5.5 "All control frames MUST have a payload length of 125 bytes or less", two of which
 * carry the code).
 * @see https://websockets.spec.whatwg.org/#dom-websocket-close
 */
export function validateCloseArguments(code: number | undefined, reason: string | undefined): void {
  if (code !== undefined && !isValidCloseCode(code)) {
    throw new SyntaxError(
      `Failed to execute 'close' on 'WebSocket': The code must be 1000-1003, 1007-1014, or between 3000 and 4999. ${String(code)} is none of these.`,
    );
  }
  if (reason !== undefined && reason.length > 0) {
    // A UTF-16 code unit encodes to at most 3 UTF-8 bytes: only long strings need encoding.
    if (reason.length > 41 && encoder.encode(reason).length > 123) {
      throw new SyntaxError(
        "Failed to execute 'close' on 'WebSocket': The message must not be greater than 123 bytes.",
      );
    }
  }
}
