/**
 * HTTP field-value helpers for the opening handshake: tokens and comma-separated token lists
 * (`Connection`, `Upgrade`, `Sec-WebSocket-Protocol`). Every function is one pass over its input,
 * with no regular expression that could backtrack, so a hostile header costs linear time.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.6
 */

/** The headers of a request as Node delivers them: lower-case names, repeats as arrays or joined. */
export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

// RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_"
// / "`" / "|" / "~" / DIGIT / ALPHA
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

/** Whether the UTF-16 code unit `code` is an RFC 9110 `tchar`. */
export function isTokenChar(code: number): boolean {
  return code < 128 && TCHAR[code] === 1;
}

/**
 * Whether `value` is an RFC 9110 `token` (one or more `tchar`).
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2
 */
export function isToken(value: string): boolean {
  const length = value.length;
  if (length === 0) return false;
  for (let i = 0; i < length; i++) {
    if (!isTokenChar(value.charCodeAt(i))) return false;
  }
  return true;
}

/**
 * Whether `value` may be written as an HTTP field value: no CR, LF or NUL, which would end the
 * header line or the head early (header injection).
 */
export function isSafeFieldValue(value: string): boolean {
  const length = value.length;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x0d || c === 0x0a || c === 0x00) return false;
  }
  return true;
}

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/**
 * Splits a comma-separated list (RFC 9110 `#element`) into its elements with the optional
 * whitespace around each removed. RFC 9110 §5.6.1.2: "a recipient MUST parse and ignore a
 * reasonable number of empty list elements", so empty elements are skipped rather than rejected;
 * any number of them is reasonable here, as the scan is linear. Quoted strings are not special: the lists
 * this is used for (`Connection`, `Upgrade`, `Sec-WebSocket-Protocol`) hold tokens only.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.6.1
 */
export function splitHeaderList(value: string): string[] {
  const result: string[] = [];
  for (let start = 0; start <= value.length; ) {
    start = nextElement(value, start);
    if (element.last > element.first) result.push(value.slice(element.first, element.last));
  }
  return result;
}

/** The bounds {@link nextElement} found last: one object for every call, so scanning allocates nothing. */
const element = { first: 0, last: 0 };

/**
 * Finds the list element of `value` that starts at `start`, the whitespace around it excluded (it
 * may be empty), and puts its bounds in {@link element}. Returns where the next element starts,
 * past `value.length` after the last one.
 */
function nextElement(value: string, start: number): number {
  let end = value.indexOf(',', start);
  if (end === -1) end = value.length;
  let first = start;
  let last = end;
  while (first < last && isOws(value.charCodeAt(first))) first++;
  while (last > first && isOws(value.charCodeAt(last - 1))) last--;
  element.first = first;
  element.last = last;
  return end + 1;
}

/**
 * Whether the comma-separated list `value` has an element equal to `token`, compared
 * ASCII-case-insensitively (`token` must be lower-case). `Connection: keep-alive, Upgrade` has
 * `upgrade`.
 */
export function listHasToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  // The usual field is the token alone (`Upgrade: websocket`, `Connection: Upgrade`).
  if (value.length === token.length && equalsLowerCase(value, 0, token)) return true;
  // In place, without splitting: every upgrade request is checked this way, twice.
  for (let start = 0; start <= value.length; ) {
    start = nextElement(value, start);
    if (element.last - element.first === token.length && equalsLowerCase(value, element.first, token)) {
      return true;
    }
  }
  return false;
}

/** Whether `value` at `offset` holds `lower` (lower-case ASCII), ASCII letters compared without case. */
function equalsLowerCase(value: string, offset: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    let c = value.charCodeAt(offset + i);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The value of header `name` (lower-case) as one string: an array (Node's shape for some
 * repeated headers, or a caller's) is joined with `, `, as RFC 9110 §5.3 allows for list fields.
 * `undefined` when absent: headers Node dropped past `maxHeadersCount` simply count as missing.
 */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  return joinHeader(headers[name]);
}

/**
 * {@link headerValue} of a value already read: `joinHeader(headers.upgrade)`. The opening
 * handshake reads its fields this way, each at a load site of its own that sees one name; inside
 * `headerValue`, one keyed load sees every name and goes megamorphic (a generic lookup per field).
 */
export function joinHeader(value: HeaderBag[string]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (value.length === 0) return undefined;
  return value.join(', ');
}

/** `value` cut to `max` characters with an ellipsis, for echoing peer input in error text. */
export function truncateForMessage(value: string, max = 256): string {
  return value.length <= max ? value : `${value.slice(0, max)}…`;
}
