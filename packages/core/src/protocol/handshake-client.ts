/**
 * The client's side of the opening handshake as pure functions: the GET request to send and the
 * check of the server's answer.
 *
 * The request has faye's header order (specs assert whole buffers): `Host`, `Upgrade`,
 * `Connection`, `Sec-WebSocket-Key`, `Sec-WebSocket-Version`, `Sec-WebSocket-Protocol`,
 * `Authorization` (from the URL's userinfo), `Origin`, custom headers, `Sec-WebSocket-Extensions`.
 * Custom headers are deduplicated case-insensitively, first one winning, and cannot replace the
 * handshake's own. Unlike faye, the response's `Connection` is read as a token list
 * (`keep-alive, Upgrade` is valid).
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.1
 */
import { ErrorCode, HandshakeError } from '../errors.js';
import { validateOptions } from '../options.js';
import type { Extension, ExtensionPipeline } from './extension.js';
import { ClientExtensionNegotiation } from './extension-negotiation.js';
import { acceptKey, type HandshakeDigest } from './handshake-digest.js';
import { isSafeFieldValue, isToken, listHasToken } from './header-tokens.js';
import type { HttpHead } from './http-head.js';

/** Options of {@link createClientHandshake}. Unknown keys throw. */
export interface ClientHandshakeOptions {
  /** Subprotocols to offer, in preference order; each must be a token, none repeated. Default none. */
  protocols?: readonly string[];
  /**
   * Extra request headers, after the handshake's own; names the handshake sends itself are
   * ignored, and a repeated name (case-insensitively) keeps its first value. Names must be tokens
   * and values free of CR, LF and NUL, else TypeError. Default none.
   */
  headers?: Readonly<Record<string, string>>;
  /** websocket-extensions plugins to offer, in this order. Default none. */
  extensions?: readonly Extension[];
  /** Passed to the plugins as websocket-extensions' `maxLength`. Default unset (the plugins' default). */
  maxLength?: number;
  /** An `Origin` header to send (browsers always do; faye never does). Default none. */
  origin?: string;
}

const OPTION_KEYS: readonly string[] = ['protocols', 'headers', 'extensions', 'maxLength', 'origin'];

/** What the server agreed to. */
export interface ClientHandshakeResult {
  /** The subprotocol the server selected, `''` for none. */
  protocol: string;
  /** The activated extension pipeline for the `Connection`, `null` for none. */
  extensions: ExtensionPipeline | null;
}

/** A prepared client handshake: send {@link request}, then {@link validate} the response head. */
export interface ClientHandshake {
  /** The whole GET request head, blank line included. */
  readonly request: Buffer;
  /** The `Sec-WebSocket-Key` sent. */
  readonly key: string;
  /**
   * Checks the server's response head. RFC 6455 §4.1: "If the server's response does not conform
   * to the requirements for the server's handshake as defined in this section …, the client MUST
   * _Fail the WebSocket Connection_."
   * @throws HandshakeError carrying the response's `statusCode` and `headers`:
   *   `WS_ERR_HANDSHAKE_UNEXPECTED_STATUS` "Unexpected response code: N",
   *   `WS_ERR_HANDSHAKE_INVALID_RESPONSE` for `Upgrade`/`Connection`,
   *   `WS_ERR_HANDSHAKE_ACCEPT_MISMATCH`, `WS_ERR_HANDSHAKE_PROTOCOL_MISMATCH`,
   *   `WS_ERR_HANDSHAKE_EXTENSION_MISMATCH`.
   * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.1
   */
  validate(head: HttpHead): ClientHandshakeResult;
}

// Names the handshake always writes itself (RFC 6455 §4.1 items 4–7 and 9); custom headers cannot
// replace them. `Sec-WebSocket-Protocol` and `-Extensions` join them when the handshake writes
// them: otherwise a custom one is sent, as faye and ws send it.
const OWN_HEADERS = ['host', 'upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version'];

/**
 * Prepares the opening handshake for `url` (already checked with `parseWebSocketUrl`).
 * @param randomKey 16 random bytes (`randomKey()` from the Node layer). RFC 6455 §4.1 item 7: "a
 *   randomly selected 16-byte value that has been base64-encoded".
 * @throws SyntaxError for a protocol that is not a token or is repeated (as the WHATWG
 *   constructor); Error (`Unrecognized option: <key>`) for an unknown key; TypeError for other
 *   invalid options (a key that is not 16 bytes, unsafe header names or values, invalid plugins).
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.1
 */
export function createClientHandshake(
  url: URL,
  options: ClientHandshakeOptions,
  randomKey: Buffer,
  digest: HandshakeDigest,
): ClientHandshake {
  validateOptions(options, OPTION_KEYS);
  if (randomKey.length !== 16) throw new TypeError('The handshake key must be 16 bytes');
  const key = randomKey.toString('base64');

  const protocols = options.protocols ?? [];
  const offered = new Set<string>();
  for (const protocol of protocols) {
    // RFC 6455 §4.1 item 10: "The elements that comprise this value MUST be non-empty strings with
    // characters in the range U+0021 to U+007E not including separator characters …, and MUST all
    // be unique strings."
    if (typeof protocol !== 'string' || !isToken(protocol)) {
      throw new SyntaxError(`Invalid subprotocol: ${JSON.stringify(protocol)}`);
    }
    if (offered.has(protocol)) throw new SyntaxError(`Duplicate subprotocol: ${protocol}`);
    offered.add(protocol);
  }

  const negotiation = new ClientExtensionNegotiation(options.extensions ?? [], options.maxLength);

  const sent = new Set(OWN_HEADERS);
  let head =
    `GET ${url.pathname || '/'}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\n` +
    `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n`;
  if (protocols.length > 0) {
    head += `Sec-WebSocket-Protocol: ${protocols.join(', ')}\r\n`;
    sent.add('sec-websocket-protocol');
  }
  if (negotiation.offer !== null) sent.add('sec-websocket-extensions');
  const authorization = basicAuthorization(url);
  if (authorization !== null) {
    head += `Authorization: ${authorization}\r\n`;
    sent.add('authorization');
  }
  if (options.origin !== undefined) {
    head += headerLine('Origin', options.origin);
    sent.add('origin');
  }
  const custom = options.headers ?? {};
  for (const name of Object.keys(custom)) {
    const line = headerLine(name, custom[name]!);
    const lower = name.toLowerCase();
    if (sent.has(lower)) continue;
    sent.add(lower);
    head += line;
  }
  if (negotiation.offer !== null) head += `Sec-WebSocket-Extensions: ${negotiation.offer}\r\n`;
  head += '\r\n';

  const expectedAccept = acceptKey(key, digest);
  return {
    request: Buffer.from(head, 'utf8'),
    key,
    validate(response: HttpHead): ClientHandshakeResult {
      const headers = response.headers;
      const fail = (code: ErrorCode, message: string, cause?: unknown): HandshakeError =>
        new HandshakeError(code, message, {
          ...(response.statusCode === undefined ? {} : { statusCode: response.statusCode }),
          headers,
          ...(cause === undefined ? {} : { cause }),
        });

      // §4.1 item 1: "If the status code received from the server is not 101, the client handles
      // the response per HTTP procedures" — for a WebSocket client that means failure.
      if (response.statusCode !== 101) {
        throw fail(ErrorCode.HandshakeUnexpectedStatus, `Unexpected response code: ${response.statusCode}`);
      }
      // Item 2: the |Upgrade| value must be "an ASCII case-insensitive match for the value 'websocket'".
      const upgrade = headers.upgrade;
      if (upgrade === undefined || upgrade.toLowerCase() !== 'websocket') {
        throw fail(ErrorCode.HandshakeInvalidResponse, "'Upgrade' header value is not 'websocket'");
      }
      // Item 3: |Connection| must contain the "Upgrade" token (a list such as "keep-alive, Upgrade" does).
      if (!listHasToken(headers.connection, 'upgrade')) {
        throw fail(ErrorCode.HandshakeInvalidResponse, "'Connection' header value must contain 'Upgrade'");
      }
      // Item 4: |Sec-WebSocket-Accept| must be base64(SHA-1(key + GUID)).
      if (headers['sec-websocket-accept'] !== expectedAccept) {
        throw fail(ErrorCode.HandshakeAcceptMismatch, 'Sec-WebSocket-Accept mismatch');
      }
      // Item 6: a subprotocol "that was not present in the client's handshake" fails.
      const protocol = headers['sec-websocket-protocol'];
      if (protocol !== undefined && !offered.has(protocol)) {
        throw fail(ErrorCode.HandshakeProtocolMismatch, 'Sec-WebSocket-Protocol mismatch');
      }
      // Item 5: an extension "that was not present in the client's handshake" fails.
      let extensions: ExtensionPipeline | null;
      try {
        extensions = negotiation.activate(headers['sec-websocket-extensions']);
      } catch (error) {
        throw fail(ErrorCode.HandshakeExtensionMismatch, (error as Error).message, error);
      }
      return { protocol: protocol ?? '', extensions };
    },
  };
}

function headerLine(name: string, value: string): string {
  if (!isToken(name)) throw new TypeError(`Invalid header name: ${JSON.stringify(name)}`);
  if (typeof value !== 'string' || !isSafeFieldValue(value)) {
    throw new TypeError(`Invalid value for header ${name}: it must be a string without line breaks`);
  }
  return `${name}: ${value.trim()}\r\n`;
}

// `user:pass@` in the URL becomes Basic credentials; the URL keeps them percent-encoded.
function basicAuthorization(url: URL): string | null {
  if (url.username === '' && url.password === '') return null;
  const credentials = `${percentDecode(url.username)}:${percentDecode(url.password)}`;
  return `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
}

function percentDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
