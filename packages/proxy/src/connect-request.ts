import { type HeaderOption, headerOptionEntries, validateOptions } from '@sockeye/core';

/** Where the tunnel should lead: the WebSocket server's host and port. */
export interface ConnectTarget {
  /** Host name or IP address; an IPv6 literal with or without brackets. */
  host: string;
  /** TCP port, 1–65535. */
  port: number;
}

/** Options of {@link buildConnectRequest}. */
export interface ConnectRequestOptions {
  /**
   * The proxy URL. Only its user info is used: `http://user:pass@proxy` adds
   * `Proxy-Authorization: Basic base64(user:pass)` (percent-escapes decoded first). Default: none.
   */
  proxy?: URL | string;
  /**
   * Extra request headers, in insertion order. A name already sent (compared case-insensitively:
   * `Host`, `Connection`, `Proxy-Connection`, `Proxy-Authorization` from the URL) keeps its first
   * value, as faye-websocket does. A value of `undefined` or `null` leaves its header out (as faye
   * leaves `undefined` out); arrays are joined with `, `. Default: none.
   */
  headers?: HeaderOption | null;
}

/**
 * The `host:port` authority of a CONNECT request line, with IPv6 literals in brackets.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-9.3.6
 */
export function connectAuthority(target: ConnectTarget): string {
  const { host, port } = target;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`Invalid port for a CONNECT request: ${String(port)}`);
  }
  if (host.length === 0) throw new TypeError('A CONNECT request needs a target host');
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  // RFC 9110 §9.3.6: CONNECT's request target consists "of only the host and port number of the
  // tunnel destination, separated by a colon" — an IPv6 literal needs its brackets back.
  const name = bare.includes(':') ? `[${bare}]` : bare;
  if (!isHost(name))
    throw new TypeError(`Invalid target host for a CONNECT request: ${JSON.stringify(host)}`);
  return `${name}:${port}`;
}

/**
 * `Basic <base64(user:password)>` from the user info of a URL, or null when it has none. The URL
 * keeps user info percent-encoded; the credentials are the decoded bytes.
 * @see https://www.rfc-editor.org/rfc/rfc7617#section-2
 */
export function basicCredentials(url: URL): string | null {
  if (url.username === '' && url.password === '') return null;
  const user = safeDecode(url.username);
  const password = safeDecode(url.password);
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/**
 * Builds the head of an HTTP/1.1 CONNECT request that asks a proxy to open a tunnel to `target`:
 * `CONNECT host:port HTTP/1.1`, `Host`, `Connection: keep-alive`, `Proxy-Connection: keep-alive`,
 * `Proxy-Authorization` from the proxy URL's user info, then the user's headers. Pure: no I/O.
 *
 * Throws a `TypeError` for a header name that is not an HTTP token, or a name or value holding CR,
 * LF or NUL, so a header cannot smuggle a second request into the proxy.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-9.3.6
 */
export function buildConnectRequest(target: ConnectTarget, options: ConnectRequestOptions = {}): Buffer {
  validateOptions(options, ['proxy', 'headers']);
  const authority = connectAuthority(target);
  const lines = [`CONNECT ${authority} HTTP/1.1`];
  const seen = new Set<string>();
  const add = (name: string, value: string): void => {
    const key = name.toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    lines.push(`${name}: ${value}`);
  };

  // RFC 9112 §3.2: "A client MUST send a Host header field in all HTTP/1.1 request messages." For
  // CONNECT its value is the authority of the request target.
  add('Host', authority);
  add('Connection', 'keep-alive');
  add('Proxy-Connection', 'keep-alive');
  if (options.proxy !== undefined) {
    const url = typeof options.proxy === 'string' ? new URL(options.proxy) : options.proxy;
    const credentials = basicCredentials(url);
    if (credentials !== null) add('Proxy-Authorization', credentials);
  }
  // Core's rule for every sockeye `headers` option: token names as given (RFC 9110 §5.6.2), values
  // free of CR, LF, NUL and other controls (§5.5); `undefined`/`null` leave the header out.
  for (const [name, values] of headerOptionEntries(options.headers)) add(name, values.join(', '));
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

// A host in the request line is one word: no spaces or controls that could end the line early, and
// none of the URL delimiters that cannot appear in an authority's host.
function isHost(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x2f || c === 0x3f || c === 0x23 || c === 0x40) return false;
  }
  return true;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
