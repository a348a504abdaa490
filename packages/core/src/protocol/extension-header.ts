/**
 * The `Sec-WebSocket-Extensions` header grammar, parsed in one linear pass.
 *
 * npm `websocket-extensions` 0.2.0 parses this header with regular expressions that cost
 * hundreds of milliseconds on a 1 MiB value and copy an array per repeated parameter (quadratic:
 * 80 KB of `; b=1` takes seconds). It is the same family of bug as CVE-2020-7662, so sockeye
 * parses the header itself and hands the library only what it needs (see
 * `extension-negotiation.ts`). The grammar and the values produced are the library's, so plugins
 * written for faye see the same parameters:
 *
 * - `extension-list = 1#( token *( ";" param ) )`, `param = token [ "=" ( token / quoted-string ) ]`;
 *   linear whitespace (spaces, tabs, CRLF followed by a space or tab) may surround `=`, `;` and
 *   `,`, not begin or end the header.
 * - A flag parameter is `true`; a value that reads as a decimal number becomes a number (even when
 *   quoted); a quoted string loses every backslash; a repeated parameter becomes an array.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-9.1
 */
import type { ExtensionParams } from './extension.js';
import { isToken, isTokenChar, truncateForMessage } from './header-tokens.js';

/** One element of a `Sec-WebSocket-Extensions` header: an offer (client) or a response (server). */
export interface ExtensionOffer {
  /** The extension token, e.g. `permessage-deflate`. */
  name: string;
  /** Its parameters, in the shapes `websocket-extensions` gives plugins. */
  params: ExtensionParams;
}

type ParamValue = string | number | boolean;

/**
 * Parses a `Sec-WebSocket-Extensions` value into its elements, in header order. `''` gives `[]`.
 * Time is linear in the length of `header`, and nothing is allocated for the elements that
 * `accept` turns down (a server only needs the offers for the extensions it has): a hostile
 * header costs one scan.
 * @param accept called with each element's name, in order; `false` checks the element's syntax
 *   but leaves it out of the result. Default: keep every element.
 * @throws SyntaxError `"Invalid Sec-WebSocket-Extensions header: <header>"` (the value cut to 256
 *   characters) when the header does not match the grammar.
 */
export function parseExtensionHeader(header: string, accept?: (name: string) => boolean): ExtensionOffer[] {
  const offers: ExtensionOffer[] = [];
  const length = header.length;
  if (length === 0) return offers;
  let pos = 0;
  for (;;) {
    // extension-token
    let start = pos;
    while (pos < length && isTokenChar(header.charCodeAt(pos))) pos++;
    if (pos === start) break;
    const name = header.slice(start, pos);
    const keep = accept === undefined || accept(name);
    const params: ExtensionParams = {};
    let separator = -1;
    for (;;) {
      // LWS may only precede a separator, never end the header.
      const before = pos;
      pos = skipLws(header, pos);
      if (pos === length) {
        if (pos !== before) return invalid(header);
        separator = -1;
        break;
      }
      separator = header.charCodeAt(pos);
      if (separator !== 0x3b /* ; */) break;
      pos = skipLws(header, pos + 1);
      const keyStart = pos;
      while (pos < length && isTokenChar(header.charCodeAt(pos))) pos++;
      if (pos === keyStart) return invalid(header);
      const keyEnd = pos;
      let value: ParamValue = true;
      const afterKey = skipLws(header, pos);
      if (afterKey < length && header.charCodeAt(afterKey) === 0x3d /* = */) {
        pos = skipLws(header, afterKey + 1);
        start = pos;
        if (header.charCodeAt(pos) === 0x22 /* " */) {
          pos = skipQuoted(header, pos + 1);
          if (pos === -1) return invalid(header);
          // websocket-extensions deletes every backslash of the quoted text.
          if (keep) value = header.slice(start + 1, pos - 1).replaceAll('\\', '');
        } else {
          while (pos < length && isTokenChar(header.charCodeAt(pos))) pos++;
          if (pos === start) return invalid(header);
          if (keep) value = header.slice(start, pos);
        }
        if (keep && isDecimalNumber(value as string)) {
          if ((value as string).includes('.')) markFraction(params, header.slice(keyStart, keyEnd));
          value = Number.parseFloat(value as string);
        }
      }
      if (keep) addParam(params, header.slice(keyStart, keyEnd), value);
    }
    if (keep) offers.push({ name, params });
    if (separator === -1) return offers;
    if (separator !== 0x2c /* , */) break;
    pos = skipLws(header, pos + 1);
  }
  return invalid(header);
}

function invalid(header: string): never {
  throw new SyntaxError(`Invalid Sec-WebSocket-Extensions header: ${truncateForMessage(header)}`);
}

// LWS = [ \t]* ( CRLF [ \t]+ )*: a line break only counts when folding continues the line.
function skipLws(header: string, pos: number): number {
  const length = header.length;
  while (pos < length) {
    const c = header.charCodeAt(pos);
    if (c === 0x20 || c === 0x09) pos++;
    else if (c === 0x0d && header.charCodeAt(pos + 1) === 0x0a && isSpaceOrTab(header.charCodeAt(pos + 2)))
      pos += 3;
    else break;
  }
  return pos;
}

/**
 * From just after an opening quote, returns the index after the closing quote, or -1. As the
 * library reads quoted-string: qdtext is anything but CTLs (tab allowed), '"' and '\'; a quoted
 * pair is '\' and any US-ASCII character.
 */
function skipQuoted(header: string, pos: number): number {
  const length = header.length;
  while (pos < length) {
    const c = header.charCodeAt(pos);
    if (c === 0x22) return pos + 1;
    if (c === 0x5c) {
      if (pos + 1 >= length || header.charCodeAt(pos + 1) > 0x7f) return -1;
      pos += 2;
    } else if ((c < 0x20 && c !== 0x09) || c === 0x7f) {
      return -1;
    } else {
      pos++;
    }
  }
  return -1;
}

/**
 * The names, per parsed params object, of values written with a fraction (`10.0`). The parser turns
 * those into numbers as websocket-extensions does (plugins see `10`), but a parameter whose grammar
 * is an integer must refuse them: RFC 7692 §7.1.2.1 asks for "a decimal integer value without
 * leading zeroes". Kept aside so that the params objects stay as plugins expect them.
 */
const withFraction = new WeakMap<ExtensionParams, Set<string>>();

function markFraction(params: ExtensionParams, name: string): void {
  const names = withFraction.get(params);
  if (names === undefined) withFraction.set(params, new Set([name]));
  else names.add(name);
}

/** Whether `params[name]`, as {@link parseExtensionHeader} parsed it, was written as an integer (no `.`). */
export function writtenAsInteger(params: ExtensionParams, name: string): boolean {
  return withFraction.get(params)?.has(name) !== true;
}

function isSpaceOrTab(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

// ^-?(0|[1-9][0-9]*)(\.[0-9]+)?$ without a regular expression.
function isDecimalNumber(value: string): boolean {
  const length = value.length;
  let i = 0;
  if (value.charCodeAt(0) === 0x2d) i++;
  if (i >= length) return false;
  const first = value.charCodeAt(i);
  if (first === 0x30) {
    i++;
  } else if (first >= 0x31 && first <= 0x39) {
    while (i < length && isDigit(value.charCodeAt(i))) i++;
  } else {
    return false;
  }
  if (i === length) return true;
  if (value.charCodeAt(i) !== 0x2e) return false;
  i++;
  if (i === length) return false;
  while (i < length && isDigit(value.charCodeAt(i))) i++;
  return i === length;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function addParam(params: ExtensionParams, key: string, value: ParamValue): void {
  if (!Object.hasOwn(params, key)) {
    // defineProperty: a parameter named `__proto__` becomes an own property, not a prototype.
    Object.defineProperty(params, key, { value, writable: true, enumerable: true, configurable: true });
    return;
  }
  const previous = params[key]!;
  if (Array.isArray(previous)) previous.push(value);
  else params[key] = [previous, value];
}

/**
 * Serialises one extension element: `name; flag; key=token; key="quoted \"text\""`, an array as
 * repeated keys. Used for messages and tests; unlike websocket-extensions 0.2.0 it quotes every
 * value that is not a token.
 */
export function serializeExtension(name: string, params: ExtensionParams): string {
  let out = name;
  for (const key of Object.keys(params)) {
    const value = params[key]!;
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) {
      if (item === true) out += `; ${key}`;
      else if (typeof item === 'number' || (typeof item === 'string' && isToken(item)))
        out += `; ${key}=${item}`;
      else out += `; ${key}="${String(item).replace(/[\\"]/g, '\\$&')}"`;
    }
  }
  return out;
}
