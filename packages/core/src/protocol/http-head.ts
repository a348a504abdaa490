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
  /** Every field in arrival order with its name as sent. */
  rawHeaders: Array<[string, string]>;
}

/** What an {@link HttpHeadParser} parses. */
export type HttpHeadKind = 'request' | 'response';

/** Options of an {@link HttpHeadParser}. Unknown keys throw. */
export interface HttpHeadParserOptions {
  /** Longest start line or header line in bytes, line break excluded. Default `8192`. */
  maxLineLength?: number;
  /** Most header fields. Default `128`. */
  maxHeaders?: number;
}

const OPTION_KEYS: readonly string[] = ['maxLineLength', 'maxHeaders'];
const LF = 0x0a;
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);

/**
 * Parses one HTTP/1.x head from a byte stream: `push` chunks until it returns the head.
 *
 * Bare LF line ends are accepted (RFC 9112 §2.2: a recipient "MAY recognize a single LF as a line
 * terminator"); obsolete line folding is rejected (RFC 9112 §5.2: a recipient "MUST either reject
 * the message … or replace each received obs-fold with one or more SP"); whitespace between a
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
      return this.#push(chunk);
    } catch (error) {
      if (error instanceof HandshakeError) this.#error = error;
      throw error;
    }
  }

  #push(chunk: Buffer): HttpHead | null {
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
      if (this.#line(line.toString('latin1', start, end))) {
        this.#rest = pos < length ? chunk.subarray(pos) : EMPTY;
        this.#result = this.#head;
        return this.#result;
      }
    }
    return null;
  }

  /** Handles one line without its line break; true at the blank line that ends the head. */
  #line(line: string): boolean {
    const lineNumber = this.#lines++;
    const head = this.#head;
    if (head === null) {
      if (line === '' && lineNumber === 0 && this.#kind === 'request') return false;
      this.#head = this.#kind === 'request' ? this.#requestLine(line) : this.#statusLine(line);
      return false;
    }
    if (line === '') return true;
    if (head.rawHeaders.length >= this.#maxHeaders) {
      throw this.#tooLarge(`More than ${this.#maxHeaders} HTTP header fields`);
    }
    this.#field(head, line);
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
    const statusMessage = length > 13 ? line.slice(13) : '';
    if (!isFieldText(statusMessage)) throw this.#invalid('Invalid HTTP status line');
    return { statusCode, statusMessage, httpVersion: version, headers: Object.create(null), rawHeaders: [] };
  }

  // field-line = field-name ":" OWS field-value OWS
  #field(head: HttpHead, line: string): void {
    const first = line.charCodeAt(0);
    if (first === 0x20 || first === 0x09) {
      throw this.#invalid('Obsolete line folding is not allowed in an HTTP header');
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw this.#invalid('Invalid HTTP header line');
    const name = line.slice(0, colon);
    if (!isToken(name)) throw this.#invalid('Invalid HTTP header line');
    let start = colon + 1;
    let end = line.length;
    while (start < end && isOws(line.charCodeAt(start))) start++;
    while (end > start && isOws(line.charCodeAt(end - 1))) end--;
    const value = line.slice(start, end);
    if (!isFieldText(value)) throw this.#invalid('Invalid HTTP header line');
    head.rawHeaders.push([name, value]);
    const key = name.toLowerCase();
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

// field-value / reason-phrase characters: HTAB, SP, VCHAR, obs-text; no other control character.
function isFieldText(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return false;
  }
  return true;
}
