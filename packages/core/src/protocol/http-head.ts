/**
 * An incremental parser for the head of an HTTP/1.1 message (start line and header fields, up to
 * the blank line), for the places where sockeye reads HTTP itself: the client's 101 response, a
 * CONNECT proxy's answer, and raw-TCP upgrade requests. Bodies are not its business: whatever
 * follows the blank line is handed back untouched in {@link HttpHeadParser.rest}.
 *
 * Hostile input stays cheap: one pass over the bytes (line ends found with `indexOf`, each line
 * checked character by character, no regular expression), every line at most `maxLineLength`
 * bytes and at most `maxHeaders` fields, so memory is bounded too. Any split of the input into
 * chunks gives the same result.
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-2
 */
import { ErrorCode, HandshakeError } from '../errors.js';
import { validateOptions } from '../options.js';
import { isToken } from './header-tokens.js';

/** A parsed HTTP head. `method`/`target` are set for requests, `statusCode`/`statusMessage` for responses. */
export interface HttpHead {
  /** Request method, e.g. `GET`. */
  method?: string;
  /** Request target as sent, e.g. `/chat?room=1`. */
  target?: string;
  /** Response status code, e.g. `101`. */
  statusCode?: number;
  /** Response reason phrase (may be `''`). */
  statusMessage?: string;
  /** `1.1` or `1.0`: the digits of the `HTTP/x.y` version. */
  httpVersion: string;
  /**
   * Header fields by lower-case name, values trimmed. Repeated fields are joined with `, `
   * (RFC 9110 §5.3), except `set-cookie`, whose values are joined with `\n` since a cookie may
   * contain commas (`split('\n')` recovers them). A null-prototype object.
   */
  headers: Record<string, string>;
  /**
   * Every field in arrival order, names as sent and values alternating (`['Host', 'a', …]`), the
   * shape of Node's `IncomingMessage.rawHeaders`.
   */
  rawHeaders: string[];
}

/** What an {@link HttpHeadParser} parses. */
export type HttpHeadKind = 'request' | 'response';

/** Options of an {@link HttpHeadParser}. Unknown keys throw. */
export interface HttpHeadParserOptions {
  /** Longest start line or header line in bytes, line break excluded. Default `8192`. */
  maxLineLength?: number;
  /** Most header fields. Default `128`. */
  maxHeaders?: number;
  /**
   * For a response: skip interim heads (`1xx` but `101`, such as `100 Continue` or `103 Early
   * Hints`) and return the final one, each held to the limits on its own. Default `false`.
   */
  skipInterim?: boolean;
}

const OPTION_KEYS: readonly string[] = ['maxLineLength', 'maxHeaders', 'skipInterim'];
const LF = 0x0a;
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);
/** The end of a head in CRLF form: the last field's line break and the blank line. */
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
/** How far into a chunk {@link HttpHeadParser} looks for a whole head; further, it goes line by line. */
const WHOLE_HEAD_LIMIT = 16 * 1024;

/**
 * Parses one HTTP/1.x head from a byte stream: `push` chunks until it returns the head.
 *
 * Bare LF line ends are accepted (RFC 9112 §2.2: a recipient "MAY recognize a single LF as a line
 * terminator"); obsolete line folding is rejected (RFC 9112 §5.2: a server "MUST either reject
 * the message … or replace each received obs-fold with one or more SP"; a user agent reading a
 * response MUST replace it, so rejecting a folded 101 is a departure, kept because no WebSocket
 * server folds and a parser with one rule for both sides has less to get wrong); whitespace between a
 * field name and its colon is rejected (RFC 9112 §5.1: servers "MUST reject" it, and a client
 * gains nothing by accepting it). One empty line before a request line is ignored (RFC 9112 §2.2).
 *
 * Errors are {@link HandshakeError}s: `WS_ERR_HANDSHAKE_INVALID_REQUEST` (status 400) or
 * `WS_ERR_HANDSHAKE_INVALID_RESPONSE` for malformed input, `WS_ERR_HANDSHAKE_HEAD_TOO_LARGE`
 * (status 431 for a request) when a limit is hit. Once failed, every later `push` throws the same
 * error.
 * @see https://www.rfc-editor.org/rfc/rfc9112
 */
export class HttpHeadParser {
  readonly #kind: HttpHeadKind;
  readonly #maxLineLength: number;
  readonly #maxHeaders: number;
  readonly #skipInterim: boolean;

  #partial: Buffer[] = [];
  #partialLength = 0;
  #lines = 0;
  #head: HttpHead | null = null;
  #error: HandshakeError | null = null;
  #rest: Buffer = EMPTY;
  #result: HttpHead | null = null;

  constructor(kind: HttpHeadKind, options: HttpHeadParserOptions = {}) {
    validateOptions(options, OPTION_KEYS);
    if (kind !== 'request' && kind !== 'response') throw new TypeError(`Invalid HTTP head kind: ${kind}`);
    this.#kind = kind;
    this.#maxLineLength = options.maxLineLength ?? 8192;
    this.#maxHeaders = options.maxHeaders ?? 128;
    this.#skipInterim = options.skipInterim === true && kind === 'response';
  }

  /** The head once complete, else `null`. */
  get head(): HttpHead | null {
    return this.#result;
  }

  /**
   * The bytes of the last chunk that followed the blank line (frames that came with a 101, the
   * eight key bytes of a hixie-76 request). Empty until the head is complete.
   */
  get rest(): Buffer {
    return this.#rest;
  }

  /**
   * Feeds bytes. Returns the head when its blank line arrives, `null` while more is needed.
   * @throws HandshakeError on malformed input or a limit hit; Error if the head was already complete.
   */
  push(chunk: Buffer): HttpHead | null {
    if (this.#error !== null) throw this.#error;
    if (this.#result !== null) throw new Error('The HTTP head is already complete');
    try {
      let head = this.#push(chunk);
      // RFC 9110 §15.2: "A client MUST be able to parse one or more 1xx responses received prior
      // to a final response, even if the client does not expect one." A 101 is final.
      while (head !== null && this.#skipInterim && isInterim(head.statusCode!)) {
        const rest = this.#rest;
        this.#head = null;
        this.#lines = 0;
        this.#result = null;
        this.#rest = EMPTY;
        head = rest.length > 0 ? this.#push(rest) : null;
      }
      return head;
    } catch (error) {
      if (error instanceof HandshakeError) this.#error = error;
      throw error;
    }
  }

  #push(chunk: Buffer): HttpHead | null {
    if (this.#partialLength === 0) {
      const head = this.#pushWhole(chunk);
      if (head !== undefined) return head;
    }
    const length = chunk.length;
    let pos = 0;
    while (pos < length) {
      const lf = chunk.indexOf(LF, pos);
      if (lf === -1) {
        // Keep the partial line; the +1 leaves room for the CR of a CRLF still to come.
        this.#partialLength += length - pos;
        if (this.#partialLength > this.#maxLineLength + 1) this.#tooLong();
        this.#partial.push(chunk.subarray(pos));
        return null;
      }
      let line: Buffer = chunk;
      let start = pos;
      let end = lf;
      if (this.#partialLength !== 0) {
        this.#partial.push(chunk.subarray(pos, lf));
        line = Buffer.concat(this.#partial, this.#partialLength + lf - pos);
        this.#partial = [];
        this.#partialLength = 0;
        start = 0;
        end = line.length;
      }
      pos = lf + 1;
      if (end > start && line[end - 1] === CR) end--;
      if (end - start > this.#maxLineLength) this.#tooLong();
      const text = line.toString('latin1', start, end);
      if (this.#line(text, 0, text.length)) return this.#complete(chunk, pos);
    }
    return null;
  }

  /**
   * The common case, a chunk that holds the rest of the head up to its CRLF CRLF: one string for
   * all its lines, which the fields are sliced from, instead of one string per line. `undefined`
   * when the chunk holds no CRLF CRLF close enough to the start, for the line-by-line path.
   */
  #pushWhole(chunk: Buffer): HttpHead | null | undefined {
    const blank = chunk.indexOf(HEAD_END);
    if (blank === -1 || blank > WHOLE_HEAD_LIMIT) return undefined;
    const text = chunk.toString('latin1', 0, blank + HEAD_END.length);
    let start = 0;
    // A blank line ends the loop at the CRLF CRLF at the latest; a bare-LF one may come first.
    for (;;) {
      const lf = text.indexOf('\n', start);
      const end = lf > start && text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
      if (end - start > this.#maxLineLength) this.#tooLong();
      if (this.#line(text, start, end)) return this.#complete(chunk, lf + 1);
      start = lf + 1;
    }
  }

  #complete(chunk: Buffer, pos: number): HttpHead {
    const head = this.#head!;
    this.#rest = pos < chunk.length ? chunk.subarray(pos) : EMPTY;
    this.#result = head;
    return head;
  }

  /** Handles the line `text[start, end)`, its line break excluded; true at the blank line ending the head. */
  #line(text: string, start: number, end: number): boolean {
    const lineNumber = this.#lines++;
    const head = this.#head;
    if (head === null) {
      if (start === end && lineNumber === 0 && this.#kind === 'request') return false;
      const line = text.slice(start, end);
      this.#head = this.#kind === 'request' ? this.#requestLine(line) : this.#statusLine(line);
      return false;
    }
    if (start === end) return true;
    if (head.rawHeaders.length >= 2 * this.#maxHeaders) {
      throw this.#tooLarge(`More than ${this.#maxHeaders} HTTP header fields`);
    }
    this.#field(head, text, start, end);
    return false;
  }

  // request-line = method SP request-target SP HTTP-version
  #requestLine(line: string): HttpHead {
    const firstSpace = line.indexOf(' ');
    const secondSpace = firstSpace === -1 ? -1 : line.indexOf(' ', firstSpace + 1);
    if (secondSpace === -1) throw this.#invalid('Invalid HTTP request line');
    const method = line.slice(0, firstSpace);
    const target = line.slice(firstSpace + 1, secondSpace);
    const version = parseVersion(line, secondSpace + 1, line.length);
    if (!isToken(method) || !isTarget(target) || version === null) {
      throw this.#invalid('Invalid HTTP request line');
    }
    return { method, target, httpVersion: version, headers: Object.create(null), rawHeaders: [] };
  }

  // status-line = HTTP-version SP status-code SP [ reason-phrase ]
  #statusLine(line: string): HttpHead {
    const version = parseVersion(line, 0, 8);
    const length = line.length;
    if (version === null || length < 12 || line.charCodeAt(8) !== 0x20) {
      throw this.#invalid('Invalid HTTP status line');
    }
    let statusCode = 0;
    for (let i = 9; i < 12; i++) {
      const c = line.charCodeAt(i);
      if (c < 0x30 || c > 0x39) throw this.#invalid('Invalid HTTP status line');
      statusCode = statusCode * 10 + (c - 0x30);
    }
    // Some servers omit the SP before an empty reason phrase; RFC 9112 §4 tells clients to
    // ignore the reason phrase anyway.
    if (statusCode < 100 || (length > 12 && line.charCodeAt(12) !== 0x20)) {
      throw this.#invalid('Invalid HTTP status line');
    }
    if (!isFieldText(line, 13, length)) throw this.#invalid('Invalid HTTP status line');
    const statusMessage = length > 13 ? line.slice(13) : '';
    return { statusCode, statusMessage, httpVersion: version, headers: Object.create(null), rawHeaders: [] };
  }

  // field-line = field-name ":" OWS field-value OWS, here `text[start, end)`
  #field(head: HttpHead, text: string, start: number, end: number): void {
    const first = text.charCodeAt(start);
    if (first === 0x20 || first === 0x09) {
      throw this.#invalid('Obsolete line folding is not allowed in an HTTP header');
    }
    const colon = text.indexOf(':', start);
    if (colon <= start || colon >= end) throw this.#invalid('Invalid HTTP header line');
    const known = knownField(text, start, colon);
    const name = known === null ? text.slice(start, colon) : known.name;
    if (known === null && !isToken(name)) throw this.#invalid('Invalid HTTP header line');
    let from = colon + 1;
    let to = end;
    while (from < to && isOws(text.charCodeAt(from))) from++;
    while (to > from && isOws(text.charCodeAt(to - 1))) to--;
    if (!isFieldText(text, from, to)) throw this.#invalid('Invalid HTTP header line');
    const value = text.slice(from, to);
    head.rawHeaders.push(name, value);
    const key = known === null ? name.toLowerCase() : known.key;
    const previous = head.headers[key];
    if (previous === undefined) head.headers[key] = value;
    else head.headers[key] = key === 'set-cookie' ? `${previous}\n${value}` : `${previous}, ${value}`;
  }

  #tooLong(): never {
    throw this.#tooLarge(
      `HTTP ${this.#head === null ? 'start' : 'header'} line longer than ${this.#maxLineLength} bytes`,
    );
  }

  #tooLarge(message: string): HandshakeError {
    return new HandshakeError(
      ErrorCode.HandshakeHeadTooLarge,
      message,
      this.#kind === 'request' ? { statusCode: 431 } : {},
    );
  }

  #invalid(message: string): HandshakeError {
    return this.#kind === 'request'
      ? new HandshakeError(ErrorCode.HandshakeInvalidRequest, message, { statusCode: 400 })
      : new HandshakeError(ErrorCode.HandshakeInvalidResponse, message);
  }
}

/** A header name as it is usually spelled, and its lower-case key. */
interface KnownField {
  name: string;
  key: string;
}

/**
 * The fields of upgrade requests and 101 responses, spelled as clients and servers send them. A
 * field whose name is spelled so uses these strings, rather than a slice and its lower-case copy:
 * two strings fewer per field, for every handshake.
 */
const KNOWN_FIELDS: readonly (readonly KnownField[] | undefined)[] = byLength([
  'Host',
  'Upgrade',
  'Connection',
  'Origin',
  'Cookie',
  'User-Agent',
  'Sec-WebSocket-Key',
  'Sec-WebSocket-Version',
  'Sec-WebSocket-Extensions',
  'Sec-WebSocket-Protocol',
  'Sec-WebSocket-Accept',
  'Pragma',
  'Cache-Control',
  'Accept-Encoding',
  'Accept-Language',
  'Authorization',
  'Content-Length',
  'Content-Type',
  'Date',
  'Server',
  'X-Forwarded-For',
  'X-Forwarded-Proto',
]);

function byLength(names: readonly string[]): (KnownField[] | undefined)[] {
  const table: (KnownField[] | undefined)[] = [];
  for (const name of names) (table[name.length] ??= []).push({ name, key: name.toLowerCase() });
  return table;
}

/** The known field spelled exactly `text[start, colon)`, or null. */
function knownField(text: string, start: number, colon: number): KnownField | null {
  const candidates = KNOWN_FIELDS[colon - start];
  if (candidates === undefined) return null;
  for (const field of candidates) if (text.startsWith(field.name, start)) return field;
  return null;
}

// HTTP-version = "HTTP/" DIGIT "." DIGIT, exactly `line[start, end)`.
function parseVersion(line: string, start: number, end: number): string | null {
  if (end - start !== 8 || !line.startsWith('HTTP/', start)) return null;
  const major = line.charCodeAt(start + 5);
  const minor = line.charCodeAt(start + 7);
  if (!isDigit(major) || line.charCodeAt(start + 6) !== 0x2e || !isDigit(minor)) return null;
  return line.slice(start + 5, end);
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

// A request-target is visible ASCII (RFC 3986 characters; '%'-encoded beyond that).
function isTarget(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

// field-value / reason-phrase characters in `text[start, end)`: HTAB, SP, VCHAR, obs-text; no
// other control character.
function isFieldText(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return false;
  }
  return true;
}

/** A 1xx status other than 101 (Switching Protocols): an interim answer before the final one. */
function isInterim(statusCode: number): boolean {
  return statusCode < 200 && statusCode !== 101;
}
