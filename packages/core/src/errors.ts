/**
 * The errors sockeye reports. One root class, a few subclasses named by category:
 *
 *   WebSocketError            any failure sockeye reports; `code` is a stable string
 *   ├── ProtocolError         the peer broke RFC 6455/7692; carries the close code sent
 *   ├── HandshakeError        the opening handshake failed; carries the HTTP status
 *   │   └── ProxyError        the CONNECT proxy refused or failed the tunnel
 *   └── NetworkError          the transport failed (reset, refused, TLS, timeout)
 *
 * Classes are branded with `Symbol.for` so `instanceof` holds across two installed copies
 * of `@sockeye/core` (an application and a library may each bring one).
 */

/**
 * Stable string codes. The conditions `ws` names get its strings, so users moving from `ws` keep
 * their `switch` statements; a few conditions ws folds into a broader code have their own.
 */
export const ErrorCode = {
  // Framing (RFC 6455 §5) — same strings as ws.
  InvalidOpcode: 'WS_ERR_INVALID_OPCODE',
  UnexpectedRsv1: 'WS_ERR_UNEXPECTED_RSV_1',
  UnexpectedRsv2Or3: 'WS_ERR_UNEXPECTED_RSV_2_3',
  ExpectedFin: 'WS_ERR_EXPECTED_FIN',
  ExpectedMask: 'WS_ERR_EXPECTED_MASK',
  UnexpectedMask: 'WS_ERR_UNEXPECTED_MASK',
  InvalidControlPayloadLength: 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH',
  UnsupportedDataPayloadLength: 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH',
  UnsupportedMessageLength: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
  InvalidUtf8: 'WS_ERR_INVALID_UTF8',
  InvalidCloseCode: 'WS_ERR_INVALID_CLOSE_CODE',
  // Framing — sockeye's own, finer than ws's: ws reports a stray or missing continuation frame as
  // WS_ERR_INVALID_OPCODE and a 1-byte close payload as WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH.
  UnexpectedContinuation: 'WS_ERR_UNEXPECTED_CONTINUATION',
  ExpectedContinuation: 'WS_ERR_EXPECTED_CONTINUATION',
  TooManyFragments: 'WS_ERR_TOO_MANY_FRAGMENTS',
  InvalidClosePayload: 'WS_ERR_INVALID_CLOSE_PAYLOAD',
  Extension: 'WS_ERR_EXTENSION',
  Internal: 'WS_ERR_INTERNAL',
  // Opening handshake.
  HandshakeInvalidRequest: 'WS_ERR_HANDSHAKE_INVALID_REQUEST',
  HandshakeUnsupportedVersion: 'WS_ERR_HANDSHAKE_UNSUPPORTED_VERSION',
  HandshakeInvalidKey: 'WS_ERR_HANDSHAKE_INVALID_KEY',
  HandshakeInvalidResponse: 'WS_ERR_HANDSHAKE_INVALID_RESPONSE',
  HandshakeUnexpectedStatus: 'WS_ERR_HANDSHAKE_UNEXPECTED_STATUS',
  HandshakeAcceptMismatch: 'WS_ERR_HANDSHAKE_ACCEPT_MISMATCH',
  HandshakeProtocolMismatch: 'WS_ERR_HANDSHAKE_PROTOCOL_MISMATCH',
  HandshakeExtensionMismatch: 'WS_ERR_HANDSHAKE_EXTENSION_MISMATCH',
  HandshakeHeadTooLarge: 'WS_ERR_HANDSHAKE_HEAD_TOO_LARGE',
  HandshakeTimeout: 'WS_ERR_HANDSHAKE_TIMEOUT',
  // Proxy tunnel.
  ProxyRefused: 'WS_ERR_PROXY_REFUSED',
  ProxyInvalidResponse: 'WS_ERR_PROXY_INVALID_RESPONSE',
  ProxyClosed: 'WS_ERR_PROXY_CLOSED',
  ProxyTimeout: 'WS_ERR_PROXY_TIMEOUT',
  // Transport and liveness.
  Network: 'WS_ERR_NETWORK',
  PingTimeout: 'WS_ERR_PING_TIMEOUT',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const brand = Symbol.for('sockeye.error');
const kinds = Symbol.for('sockeye.error.kinds');

type Branded = { [kinds]?: ReadonlySet<string> };

function hasKind(value: unknown, kind: string): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const set = (value as Branded)[kinds];
  return set instanceof Set && set.has(kind);
}

/** Options common to every sockeye error. */
export interface WebSocketErrorOptions {
  /** The error that caused this one, if any. */
  cause?: unknown;
}

/** The root of every error sockeye reports. `code` is one of {@link ErrorCode}. */
export class WebSocketError extends Error {
  /** A stable string naming the condition, e.g. `WS_ERR_INVALID_UTF8`. */
  readonly code: ErrorCode;
  declare readonly [kinds]: ReadonlySet<string>;

  constructor(code: ErrorCode, message: string, options: WebSocketErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
    const set = new Set<string>();
    for (
      let proto = new.target;
      proto && proto !== (Error as unknown);
      proto = Object.getPrototypeOf(proto)
    ) {
      set.add(proto.name);
    }
    Object.defineProperty(this, kinds, { value: set, enumerable: false });
    Object.defineProperty(this, brand, { value: true, enumerable: false });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass `instanceof` was asked about.
    return hasKind(value, this.name);
  }
}

/**
 * The peer broke the protocol (or an extension failed), so the connection is failed with
 * `closeCode`: 1002, 1007, 1009, 1010 or 1011.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-7.1.7
 */
export class ProtocolError extends WebSocketError {
  /** The close code sent to the peer. */
  readonly closeCode: number;

  constructor(code: ErrorCode, closeCode: number, message: string, options: WebSocketErrorOptions = {}) {
    super(code, message, options);
    this.closeCode = closeCode;
  }
}

/** Options of a {@link HandshakeError}. */
export interface HandshakeErrorOptions extends WebSocketErrorOptions {
  /** The HTTP status: sent by a server that rejects a request, or received by a client. */
  statusCode?: number;
  /** Headers (lower-cased names) of the HTTP response, where there was one. */
  headers?: Record<string, string>;
}

/**
 * The opening handshake failed. A server answers with `statusCode`; a client reports the
 * status and headers it received.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4
 */
export class HandshakeError extends WebSocketError {
  readonly statusCode: number | undefined;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, options: HandshakeErrorOptions = {}) {
    super(code, message, options);
    this.statusCode = options.statusCode;
    this.headers = options.headers ?? {};
  }
}

/** The HTTP CONNECT proxy did not open the tunnel: `statusCode` and `headers` are its answer. */
export class ProxyError extends HandshakeError {}

/** The transport failed: connection refused or reset, TLS failure, or a timeout. */
export class NetworkError extends WebSocketError {}
