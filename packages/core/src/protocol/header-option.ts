/**
 * The `headers` option as every sockeye entry point takes it (the server's 101, the client's
 * request, the proxy's CONNECT, the EventSource response): one rule for what a value may be,
 * checked where the option is given, so that a bad value is a synchronous `TypeError` from the
 * constructor (or `attach()`, `listen()`) and never a failure later, on a handshake tick.
 *
 * - `undefined` or `null`: the header is left out. faye-websocket leaves `undefined` out, so
 *   `headers: { Cookie: request.headers.cookie }` sends no `Cookie` when there was none; `null` is
 *   the same "no value" (faye threw for it by accident, reading `null.toString()`; Node's `http`
 *   and ws throw for `undefined` and send `null` as the text `null`, neither of which helps).
 * - a string, number, boolean or bigint: sent as `String(value)`, trimmed of whitespace.
 * - an array of those: one field value per element (how they are joined is the caller's: lines of
 *   their own or `, `). An empty array leaves the header out.
 * - anything else (a plain object, a function, a symbol; `null` or `undefined` inside an array):
 *   `TypeError`. faye sent an object as `[object Object]`.
 *
 * Names must be RFC 9110 tokens; values must not hold CR, LF or NUL, which would end the header
 * line early and let a value inject headers, nor another control character or one above U+00FF,
 * which the Latin-1 head cannot carry.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.5
 */
import { isSafeFieldValue, isToken } from './header-tokens.js';

/** One header value an option may give: written with `String()`. */
export type HeaderScalar = string | number | boolean | bigint;

/** A value of a `headers` option: `undefined` and `null` leave the header out. */
export type HeaderOptionValue = HeaderScalar | readonly HeaderScalar[] | null | undefined;

/** A `headers` option: names to values, in the order they are sent. */
export type HeaderOption = Readonly<Record<string, HeaderOptionValue>>;

const NONE: readonly string[] = Object.freeze([]);

/**
 * Checks a whole `headers` option against the rule above. `undefined` and `null` mean no headers.
 * @param option the option's name for the message, e.g. `'proxy.headers'`
 * @throws TypeError for an option that is not an object of names and values, a name that is not
 *   a token, or a value that is neither a scalar nor an array of scalars, or holds CR, LF or NUL.
 */
export function checkHeaderOption(headers: unknown, option = 'headers'): void {
  headerOptionEntries(headers, option);
}

/** One header a `headers` option sends: its name as given, and its field values (at least one). */
export type HeaderOptionEntry = readonly [name: string, values: readonly string[]];

/**
 * The headers a `headers` option sends, in its order, each checked as by {@link checkHeaderOption}:
 * those whose value is `undefined`, `null` or `[]` are left out.
 * @throws TypeError as {@link checkHeaderOption}
 */
export function headerOptionEntries(headers: unknown, option = 'headers'): HeaderOptionEntry[] {
  if (headers === undefined || headers === null) return [];
  if (typeof headers !== 'object' || Array.isArray(headers)) {
    throw new TypeError(`The ${option} option must be an object of header names and values`);
  }
  const record = headers as Record<string, unknown>;
  const entries: HeaderOptionEntry[] = [];
  for (const name of Object.keys(record)) {
    const values = headerOptionValues(name, record[name]);
    if (values.length > 0) entries.push([name, values]);
  }
  return entries;
}

/**
 * The field values to send for one entry of a `headers` option, trimmed: none (an empty list) for
 * `undefined`, `null` or `[]`, one for a scalar, one per element for an array.
 * @throws TypeError as {@link checkHeaderOption}
 */
export function headerOptionValues(name: string, value: unknown): readonly string[] {
  if (!isToken(name)) throw new TypeError(`Invalid header name: ${JSON.stringify(name)}`);
  if (value === undefined || value === null) return NONE;
  if (!Array.isArray(value)) return [fieldValue(name, value)];
  if (value.length === 0) return NONE;
  const values = new Array<string>(value.length);
  for (let i = 0; i < value.length; i++) values[i] = fieldValue(name, value[i]);
  return values;
}

function fieldValue(name: string, value: unknown): string {
  const type = typeof value;
  if (type !== 'string' && type !== 'number' && type !== 'boolean' && type !== 'bigint') {
    const what =
      value === null || value === undefined ? String(value) : type === 'object' ? 'an object' : `a ${type}`;
    throw new TypeError(
      `Invalid value for header ${name}: ${what} (give a string, a number or an array of them; undefined or null leaves the header out)`,
    );
  }
  const text = String(value);
  if (!isSafeFieldValue(text)) {
    throw new TypeError(`Invalid value for header ${name}: it contains a line break or NUL`);
  }
  if (!isFieldValue(text)) {
    throw new TypeError(
      `Invalid value for header ${name}: it contains a control character or one above U+00FF`,
    );
  }
  return trimWhitespace(text);
}

/**
 * `text` without the optional whitespace around a field value: SP and HTAB only (RFC 9110 §5.5:
 * "a field value does not include leading or trailing whitespace"; OWS is `*( SP / HTAB )`).
 * `String#trim` would also take U+00A0, a legal obs-text octet, from the value.
 */
function trimWhitespace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text.charCodeAt(start) === 0x20 || text.charCodeAt(start) === 0x09)) start++;
  while (end > start && (text.charCodeAt(end - 1) === 0x20 || text.charCodeAt(end - 1) === 0x09)) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/**
 * RFC 9110 §5.5: `field-value = *field-content`, made of HTAB, SP, VCHAR and obs-text (0x80–0xFF,
 * which the head is written in as Latin-1): the characters Node's own `validateHeaderValue` takes.
 * Anything else would be mangled on the way out.
 */
function isFieldValue(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f || c > 0xff) return false;
  }
  return true;
}
