/**
 * The server's side of the opening handshake as pure functions: decide from a request (Node's
 * `IncomingMessage` fits) whether and how to answer, and produce the exact bytes of the answer.
 * RFC 6455 (`hybi-13`) always; hixie-76 and hixie-75 only behind `allowDrafts`.
 *
 * Where sockeye departs from faye (websocket-driver 0.8): a version other than 13 gets
 * `426 Upgrade Required` with `Sec-WebSocket-Version: 13` (RFC 6455 §4.4) instead of 400; the key
 * must be base64 of 16 bytes and sent once; `Connection` is a token list; error responses carry
 * `Connection: close`; the handshake's own headers cannot be overridden by custom headers.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.2
 */
import { ErrorCode, HandshakeError } from '../errors.js';
import { validateOptions } from '../options.js';
import type { Draft76Challenge } from './draft-connection.js';
import type { Extension, ExtensionPipeline } from './extension.js';
import { negotiateServerExtensions } from './extension-negotiation.js';
import { acceptAsciiKey, type HandshakeDigest } from './handshake-digest.js';
import { type HeaderOption, headerOptionEntries } from './header-option.js';
import {
  type HeaderBag,
  headerValue,
  isSafeFieldValue,
  isToken,
  joinHeader,
  listHasToken,
  splitHeaderList,
  truncateForMessage,
} from './header-tokens.js';

/** Whether an HTTP version (`major.minor`, one digit each, as Node and HttpHeadParser give it) is 1.1 or later. */
export function isHttp11OrLater(version: string): boolean {
  const major = version.charCodeAt(0);
  return major > 0x31 || (major === 0x31 && version.charCodeAt(2) >= 0x31);
}

/** The parts of a request the server handshake reads. Header names must be lower-case. */
export interface ServerHandshakeRequest {
  method?: string | undefined;
  /** `major.minor`, as Node's `httpVersion`; unchecked when absent. */
  httpVersion?: string | undefined;
  /** The request target, e.g. `/chat?room=1`. */
  url?: string | undefined;
  headers: HeaderBag;
  /**
   * Every field as sent, names and values alternating, as Node's `rawHeaders`: where present, a
   * repeated `Host` is found here (Node's `headers` keeps only the first).
   */
  rawHeaders?: readonly string[] | undefined;
}

/** Options of {@link acceptHandshake}. Unknown keys throw. */
export interface ServerHandshakeOptions {
  /** Subprotocols this server speaks. The client's first one (in its order) that is here wins. Default none. */
  protocols?: readonly string[] | null;
  /** websocket-extensions plugins, consulted in this order. Default none. */
  extensions?: readonly Extension[];
  /** Passed to the plugins as websocket-extensions' `maxLength`. Default unset (the plugins' default). */
  maxLength?: number;
  /** Accept hixie-75 and hixie-76 clients. Default `false`: every request is read as RFC 6455. */
  allowDrafts?: boolean;
  /**
   * Extra headers for the 101 response: before the handshake's own for RFC 6455 (as faye), after
   * them for drafts. Names that the handshake itself sends are ignored. A value of `undefined` or
   * `null` leaves its header out; names must be tokens and values strings, numbers, booleans (or
   * arrays of them) free of CR, LF and NUL, else TypeError (core's `checkHeaderOption` rule).
   * Default none.
   */
  headers?: HeaderOption | null;
  /** The connection is TLS (or TLS-terminated in front): drafts' `Location` is `wss:`. Default `false`. */
  secure?: boolean;
  /** The WebSocket URL for the drafts' `Location` header. Default: from `secure`, `Host` and the target. */
  url?: string;
}

const OPTION_KEYS: readonly string[] = [
  'protocols',
  'extensions',
  'maxLength',
  'allowDrafts',
  'headers',
  'secure',
  'url',
];

/** The protocol a handshake settled on, as faye's `version` property names it. */
export type ServerHandshakeVersion = 'hybi-13' | 'hixie-76' | 'hixie-75';

/** A handshake the server accepts: write `response`, then run the engine for `version`. */
export interface ServerHandshakeAccepted {
  ok: true;
  version: ServerHandshakeVersion;
  /** The selected subprotocol, `''` for none (always `''` for drafts). */
  protocol: string;
  /** The negotiated extension pipeline for the `Connection`, `null` for none. */
  extensions: ExtensionPipeline | null;
  /** The `Sec-WebSocket-Extensions` value the response carries, `''` for none: the WebSocket's `extensions`. */
  extensionResponse: string;
  /**
   * The whole 101 response head, blank line included, as Latin-1 text: write it with
   * `socket.write(response, 'latin1')`. A string, not a Buffer: the socket takes it as it is, with
   * no buffer made per handshake.
   */
  response: string;
  /**
   * True for hixie-76: the 16-byte answer can only be computed from the 8 bytes that follow the
   * request head, so the `DraftConnection` (built with {@link challenge}) sends it once they arrive.
   */
  awaitingBody: boolean;
  /** For hixie-76, the two key numbers for the `DraftConnection`; `null` otherwise. */
  challenge: Draft76Challenge | null;
}

/** A handshake the server refuses: write `response` (400 or 426, `Connection: close`) and close. */
export interface ServerHandshakeRejected {
  ok: false;
  /** Why, with the `statusCode` sent. */
  error: HandshakeError;
  /** The whole plain-text error response, body included. */
  response: Buffer;
}

/** The outcome of {@link acceptHandshake}. */
export type ServerHandshake = ServerHandshakeAccepted | ServerHandshakeRejected;

// RFC 6455 §4.2.2: the handshake's own response headers, which custom headers may not replace.
const HYBI_HEADERS = new Set([
  'upgrade',
  'connection',
  'sec-websocket-accept',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
  'sec-websocket-version',
]);
const DRAFT_HEADERS = new Set([
  'upgrade',
  'connection',
  'websocket-origin',
  'websocket-location',
  'sec-websocket-origin',
  'sec-websocket-location',
]);
// faye's Headers: the only names that may appear more than once.
const REPEATABLE = new Set(['set-cookie', 'set-cookie2', 'warning', 'www-authenticate']);

/**
 * Whether `request` asks for a WebSocket: method `GET`, a `Connection` token list with `upgrade`
 * and an `Upgrade` token list with `websocket`, compared case-insensitively. RFC 6455 §4.2.1.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1
 */
export function isWebSocketRequest(request: { method?: string | undefined; headers: HeaderBag }): boolean {
  return (
    request.method === 'GET' &&
    listHasToken(joinHeader(request.headers.connection), 'upgrade') &&
    listHasToken(joinHeader(request.headers.upgrade), 'websocket')
  );
}

/**
 * Checks an upgrade request and builds the server's answer. Never throws for anything the client
 * sent: a bad request gives `{ ok: false }` with the 400/426 response to write.
 *
 * RFC 6455 §4.2.1/§4.2.2, in order: method `GET` (else 400; ws answers 405, sockeye keeps faye's
 * and DESIGN's 400), HTTP/1.1 or later (else 400; ws and faye take HTTP/1.0), one non-empty `Host`
 * (else 400; ws and faye do not look), `Upgrade` with
 * `websocket` and `Connection` with `upgrade` (else 400), `Sec-WebSocket-Version: 13` (else 426
 * with `Sec-WebSocket-Version: 13`), `Sec-WebSocket-Key` present once and decoding to 16 bytes
 * (else 400), then subprotocol selection and extension negotiation (a malformed
 * `Sec-WebSocket-Extensions` is 400).
 *
 * @throws Error (`Unrecognized option: <key>`) for an unknown key, TypeError for unsafe custom
 *   headers or bad plugins: a programming error, not the client's.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.2
 */
export function acceptHandshake(
  request: ServerHandshakeRequest,
  options: ServerHandshakeOptions,
  digest: HandshakeDigest,
): ServerHandshake {
  validateOptions(options, OPTION_KEYS);
  const headers = request.headers;

  if (request.method !== 'GET') {
    return reject(400, ErrorCode.HandshakeInvalidRequest, `Invalid HTTP method: ${String(request.method)}`);
  }
  // §4.2.1: the client's opening handshake is "An HTTP/1.1 or higher GET request"; otherwise the
  // server "MUST stop processing the client's handshake and return an HTTP response with an
  // appropriate error code (such as 400 Bad Request)".
  const httpVersion = request.httpVersion;
  if (httpVersion !== undefined && !isHttp11OrLater(httpVersion)) {
    return reject(
      400,
      ErrorCode.HandshakeInvalidRequest,
      `HTTP/${truncateForMessage(httpVersion, 8)} cannot upgrade: a WebSocket handshake needs HTTP/1.1 or later`,
    );
  }
  // §4.2.1 item 2: "A |Host| header field containing the server's authority". RFC 9112 §3.2: "A
  // server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1 request message that
  // lacks a Host header field and to any request message that contains more than one Host header
  // field line". Node's HTTP server enforces this for requests but not for upgrades.
  const hosts = hostCount(request);
  if (hosts === 0 || joinHeader(headers.host) === '') return missingHeader('Host');
  if (hosts > 1)
    return reject(400, ErrorCode.HandshakeInvalidRequest, 'Duplicate handshake request header: Host');
  const upgrade = joinHeader(headers.upgrade);
  if (upgrade === undefined) return missingHeader('Upgrade');
  if (!listHasToken(upgrade, 'websocket')) {
    return reject(400, ErrorCode.HandshakeInvalidRequest, "'Upgrade' header value must contain 'websocket'");
  }
  const connection = joinHeader(headers.connection);
  if (connection === undefined) return missingHeader('Connection');
  if (!listHasToken(connection, 'upgrade')) {
    return reject(400, ErrorCode.HandshakeInvalidRequest, "'Connection' header value must contain 'Upgrade'");
  }

  // websocket-driver 0.8's choice of protocol (`Server.http`): any RFC header means RFC 6455; otherwise the
  // draft-76 keys mean hixie-76; otherwise hixie-75.
  if (
    options.allowDrafts === true &&
    headers['sec-websocket-version'] === undefined &&
    headers['sec-websocket-key'] === undefined
  ) {
    return headers['sec-websocket-key1'] !== undefined || headers['sec-websocket-key2'] !== undefined
      ? acceptDraft76(request, options)
      : acceptDraft75(request, options);
  }

  // RFC 6455 §4.4: "If this version does not match a version understood by the server, the server
  // MUST abort the WebSocket handshake … and instead send an appropriate HTTP error code (such as
  // 426 Upgrade Required) and a |Sec-WebSocket-Version| header field indicating the version(s)
  // the server is capable of understanding."
  const version = joinHeader(headers['sec-websocket-version']);
  if (version !== '13') {
    const message =
      version === undefined
        ? 'Missing handshake request header: Sec-WebSocket-Version'
        : `Unsupported WebSocket version: ${truncateForMessage(version)}`;
    return reject(426, ErrorCode.HandshakeUnsupportedVersion, message, 'Sec-WebSocket-Version: 13\r\n');
  }

  // RFC 6455 §4.2.1 item 5: "A |Sec-WebSocket-Key| header field with a base64-encoded value that,
  // when decoded, is 16 bytes in length." Node joins a repeated header with ', ', so a repeat
  // shows as a comma (which base64 never contains).
  const rawKey = headers['sec-websocket-key'];
  if (rawKey === undefined || (typeof rawKey !== 'string' && rawKey.length === 0)) {
    return missingHeader('Sec-WebSocket-Key', ErrorCode.HandshakeInvalidKey);
  }
  if (typeof rawKey !== 'string' && rawKey.length > 1) return duplicateKey();
  const key = typeof rawKey === 'string' ? rawKey : rawKey[0]!;
  if (key.includes(',')) return duplicateKey();
  if (!isBase64Key(key)) {
    return reject(
      400,
      ErrorCode.HandshakeInvalidKey,
      `Invalid Sec-WebSocket-Key header: ${truncateForMessage(key)}`,
    );
  }

  const protocol = selectProtocol(joinHeader(headers['sec-websocket-protocol']), options.protocols);

  let extensions: ExtensionPipeline | null = null;
  let extensionResponse: string | null = null;
  const extensionHeader = joinHeader(headers['sec-websocket-extensions']);
  try {
    const negotiated = negotiateServerExtensions(
      options.extensions ?? [],
      extensionHeader,
      options.maxLength,
    );
    extensions = negotiated.pipeline;
    extensionResponse = negotiated.response;
  } catch (error) {
    if (!(error instanceof HandshakeError)) throw error;
    return rejectWith(error);
  }

  let head = `HTTP/1.1 101 Switching Protocols\r\n${customHeaders(options.headers, HYBI_HEADERS)}`;
  head += `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptAsciiKey(key, digest)}\r\n`;
  if (protocol !== '') head += `Sec-WebSocket-Protocol: ${protocol}\r\n`;
  if (extensionResponse !== null) head += `Sec-WebSocket-Extensions: ${extensionResponse}\r\n`;
  head += '\r\n';
  return {
    ok: true,
    version: 'hybi-13',
    protocol,
    extensions,
    extensionResponse: extensionResponse ?? '',
    response: head,
    awaitingBody: false,
    challenge: null,
  };
}

/**
 * RFC 6455 §4.2.1 item 8 and §4.2.2: the subprotocol is "one of the values from the
 * |Sec-WebSocket-Protocol| field", here the first in the client's order that the server supports
 * (faye's rule). `''` when there is none in common: the connection opens without one.
 */
function selectProtocol(header: string | undefined, supported: readonly string[] | null | undefined): string {
  if (header === undefined || supported === null || supported === undefined || supported.length === 0)
    return '';
  const ours = new Set(supported);
  for (const candidate of splitHeaderList(header)) {
    if (ours.has(candidate) && isToken(candidate)) return candidate;
  }
  return '';
}

// 16 bytes are 22 base64 characters and '==' padding.
function isBase64Key(key: string): boolean {
  if (key.length !== 24 || key.charCodeAt(22) !== 0x3d || key.charCodeAt(23) !== 0x3d) return false;
  for (let i = 0; i < 22; i++) {
    const c = key.charCodeAt(i);
    const ok =
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x61 && c <= 0x7a) ||
      (c >= 0x30 && c <= 0x39) ||
      c === 0x2b ||
      c === 0x2f;
    if (!ok) return false;
  }
  return true;
}

function acceptDraft75(request: ServerHandshakeRequest, options: ServerHandshakeOptions): ServerHandshake {
  const lines = draftLines(request, options, 'WebSocket-');
  if (lines === null) return badDraftHeader();
  const head = `HTTP/1.1 101 Web Socket Protocol Handshake\r\n${lines}${customHeaders(options.headers, DRAFT_HEADERS)}\r\n`;
  return {
    ok: true,
    version: 'hixie-75',
    protocol: '',
    extensions: null,
    extensionResponse: '',
    response: head,
    awaitingBody: false,
    challenge: null,
  };
}

function acceptDraft76(request: ServerHandshakeRequest, options: ServerHandshakeOptions): ServerHandshake {
  const key1 = headerValue(request.headers, 'sec-websocket-key1');
  const key2 = headerValue(request.headers, 'sec-websocket-key2');
  if (key1 === undefined)
    return reject(400, ErrorCode.HandshakeInvalidKey, 'Missing required header: Sec-WebSocket-Key1');
  if (key2 === undefined)
    return reject(400, ErrorCode.HandshakeInvalidKey, 'Missing required header: Sec-WebSocket-Key2');
  const number1 = draftKeyNumber(key1);
  const number2 = draftKeyNumber(key2);
  if (number1 < 0 || number2 < 0) {
    return reject(400, ErrorCode.HandshakeInvalidKey, 'Client sent invalid Sec-WebSocket-Key headers');
  }
  const lines = draftLines(request, options, 'Sec-WebSocket-');
  if (lines === null) return badDraftHeader();
  const head = `HTTP/1.1 101 WebSocket Protocol Handshake\r\n${lines}${customHeaders(options.headers, DRAFT_HEADERS)}\r\n`;
  return {
    ok: true,
    version: 'hixie-76',
    protocol: '',
    extensions: null,
    extensionResponse: '',
    response: head,
    awaitingBody: true,
    challenge: { key1: number1, key2: number2 },
  };
}

/**
 * hixie-76 §5.2: the key's digits read as one number, divided by its count of spaces. Returns -1
 * where websocket-driver 0.8 answers 400: no digits (or zero), no spaces, a remainder, or a
 * quotient past 32 bits.
 */
export function draftKeyNumber(key: string): number {
  let digits = '';
  let spaces = 0;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) digits += key[i];
    else if (c === 0x20) spaces++;
  }
  if (digits === '' || spaces === 0) return -1;
  const number = Number.parseInt(digits, 10);
  // Past 2^53 the remainder test is meaningless; such a quotient would exceed 32 bits anyway
  // unless the key held millions of spaces.
  if (number === 0 || !Number.isSafeInteger(number) || number % spaces !== 0) return -1;
  const quotient = number / spaces;
  return quotient > 0xffffffff ? -1 : quotient;
}

function draftLines(
  request: ServerHandshakeRequest,
  options: ServerHandshakeOptions,
  prefix: string,
): string | null {
  const origin = headerValue(request.headers, 'origin');
  let url = options.url;
  if (url === undefined) {
    const host = headerValue(request.headers, 'host') ?? '';
    url = `${options.secure === true ? 'wss' : 'ws'}://${host}${request.url ?? '/'}`;
  } else if (!isSafeFieldValue(url)) {
    throw new TypeError('Invalid url option: it contains a line break');
  }
  if ((origin !== undefined && !isSafeFieldValue(origin)) || !isSafeFieldValue(url)) return null;
  let lines = 'Upgrade: WebSocket\r\nConnection: Upgrade\r\n';
  if (origin !== undefined) lines += `${prefix}Origin: ${origin}\r\n`;
  lines += `${prefix}Location: ${url}\r\n`;
  return lines;
}

function badDraftHeader(): ServerHandshakeRejected {
  return reject(400, ErrorCode.HandshakeInvalidRequest, 'Invalid Origin, Host or request target');
}

function customHeaders(headers: ServerHandshakeOptions['headers'], reserved: ReadonlySet<string>): string {
  // Most servers set no headers: nothing to allocate per handshake then.
  if (headers === undefined || headers === null) return '';
  let out = '';
  const sent = new Set<string>();
  // `undefined`, `null` and `[]` values leave the header out (faye leaves `undefined` out).
  for (const [name, values] of headerOptionEntries(headers)) {
    const key = name.toLowerCase();
    if (reserved.has(key)) continue;
    if (sent.has(key) && !REPEATABLE.has(key)) continue;
    sent.add(key);
    if (REPEATABLE.has(key)) {
      for (const item of values) out += `${name}: ${item}\r\n`;
    } else {
      out += `${name}: ${values.join(', ')}\r\n`;
    }
  }
  return out;
}

/** How many `Host` field lines `request` has, counted in `rawHeaders` when it has them. */
function hostCount(request: ServerHandshakeRequest): number {
  const raw = request.rawHeaders;
  if (raw === undefined) {
    const host = request.headers.host;
    return host === undefined ? 0 : typeof host === 'string' ? 1 : host.length;
  }
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    // The common spellings first: `toLowerCase` makes a string per field.
    if (name.length === 4 && (name === 'Host' || name === 'host' || name.toLowerCase() === 'host')) count++;
  }
  return count;
}

function missingHeader(
  name: string,
  code: ErrorCode = ErrorCode.HandshakeInvalidRequest,
): ServerHandshakeRejected {
  return reject(400, code, `Missing handshake request header: ${name}`);
}

function duplicateKey(): ServerHandshakeRejected {
  return reject(400, ErrorCode.HandshakeInvalidKey, 'Duplicate handshake request header: Sec-WebSocket-Key');
}

function reject(
  statusCode: 400 | 426,
  code: ErrorCode,
  message: string,
  extraHeaders = '',
): ServerHandshakeRejected {
  return rejectWith(new HandshakeError(code, message, { statusCode }), extraHeaders);
}

function rejectWith(error: HandshakeError, extraHeaders = ''): ServerHandshakeRejected {
  return {
    ok: false,
    error,
    response: httpErrorResponse(error.statusCode ?? 400, error.message, extraHeaders),
  };
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  426: 'Upgrade Required',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * A complete plain-text HTTP error response: status line, `Content-Type: text/plain`,
 * `Content-Length`, `Connection: close`, `extraHeaders` (whole `Name: value\r\n` lines), blank
 * line and `message` as the body. Used to refuse an upgrade request.
 */
export function httpErrorResponse(statusCode: number, message: string, extraHeaders = ''): Buffer {
  const body = Buffer.from(message, 'utf8');
  const reason = STATUS_TEXT[statusCode] ?? 'Error';
  const head =
    `HTTP/1.1 ${statusCode} ${reason}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n` +
    `Connection: close\r\n${extraHeaders}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}
