/**
 * Close status codes with a meaning in RFC 6455 §7.4.1 and the IANA "WebSocket Close Code Number"
 * registry. 1005 and 1006 are reported locally and never sent on the wire.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-7.4.1
 * @see https://www.iana.org/assignments/websocket/websocket.xhtml#close-code-number
 */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  UnsupportedData: 1003,
  NoStatus: 1005,
  Abnormal: 1006,
  InvalidPayload: 1007,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  MandatoryExtension: 1010,
  InternalError: 1011,
  ServiceRestart: 1012,
  TryAgainLater: 1013,
  BadGateway: 1014,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * Whether `code` may appear in a close frame on the wire, sent or received: 1000–1003 and
 * 1007–1014 (the codes RFC 6455 and the IANA registry define for use in frames), and 3000–4999
 * (registered libraries and private use). 1004 is reserved, 1005, 1006 and 1015 "MUST NOT be set
 * as a status code in a Close control frame by an endpoint", and 0–999, 1016–2999 and ≥ 5000 are
 * not assigned, so a peer sending one fails the connection.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-7.4.2
 */
export function isValidCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  if (code >= 3000) return code <= 4999;
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014);
}
