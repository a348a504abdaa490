/** The parts of a Node `IncomingMessage` (HTTP/1.1 or HTTP/2 compatibility) this module reads. */
export interface RequestLike {
  url?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  /** A `net.Socket` or `tls.TLSSocket`; `encrypted`/`authorized` tell TLS apart. */
  socket?: object | null | undefined;
}

/**
 * A header's first value, `''` when absent. Callers read the field themselves (`headers.host`):
 * each read is then a load site that sees one name, where a keyed load in here would see them all.
 */
function first(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/**
 * Whether the client reached this server over TLS: the socket is a TLS socket, or a TLS-terminating
 * proxy in front says so with one of the usual headers (`X-Forwarded-Proto: https`,
 * `X-Forwarded-Ssl: on`, `X-Forwarded-Scheme: https`, `Https: on`) — the same tests faye makes.
 */
export function isSecureRequest(request: RequestLike): boolean {
  const socket = request.socket as { encrypted?: boolean; authorized?: boolean } | null | undefined;
  if (socket && (socket.encrypted === true || socket.authorized !== undefined)) return true;
  const headers = request.headers;
  if (first(headers.https).toLowerCase() === 'on') return true;
  if (first(headers['x-forwarded-ssl']).toLowerCase() === 'on') return true;
  if (first(headers['x-forwarded-scheme']).toLowerCase() === 'https') return true;
  const forwarded = first(headers['x-forwarded-proto']);
  if (forwarded === '') return false;
  const proto = forwarded.split(',')[0]?.trim().toLowerCase();
  return proto === 'https' || proto === 'wss';
}

/** The scheme and `://` of an absolute-form target (RFC 3986 §3.1: `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`). */
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
/** What ends an authority (RFC 3986 §3.2). */
const AUTHORITY_END = '/?#';

/** A request target in absolute form, split as an origin server reads it. */
export interface AbsoluteTarget {
  /** `host[:port]`, which the server uses instead of the `Host` header (any userinfo dropped). */
  authority: string;
  /** The path and query (origin form), `/` when the target has no path. */
  path: string;
}

/**
 * Splits an absolute-form request target (`http://example.com/chat?x=1`, as clients send to a
 * proxy) into its authority and origin form; `null` for a target in origin form (`/chat?x=1`) or
 * any other. "When an origin server receives a request with an absolute-form of request-target,
 * the origin server MUST ignore the received Host header field (if any) and instead use the host
 * information of the request-target" (RFC 9112 §3.2.2).
 */
export function absoluteTarget(target: string): AbsoluteTarget | null {
  if (target.charCodeAt(0) === 0x2f) return null;
  const scheme = ABSOLUTE_FORM.exec(target);
  if (scheme === null) return null;
  const from = scheme[0].length;
  let end = from;
  while (end < target.length && !AUTHORITY_END.includes(target[end]!)) end++;
  // "If the target URI's path component is empty, the client MUST send "/" as the path" (§3.2.1).
  const rest = target.slice(end);
  // RFC 9110 §4.2.4: a sender "MUST NOT generate the userinfo subcomponent"; a recipient should
  // treat it as an error, as it "is likely being used to obscure the authority". Dropped, so that
  // credentials never reach `url` (and the messages and logs that quote it).
  const at = target.lastIndexOf('@', end - 1);
  const start = at >= from ? at + 1 : from;
  return { authority: target.slice(start, end), path: rest.startsWith('/') ? rest : `/${rest}` };
}

/**
 * The URL the client used: `ws://` or `wss://` (or `http://`/`https://` for EventSource) followed
 * by the `Host` header (`:authority` on HTTP/2) and the request target, or by the authority and
 * path of a target in absolute form ({@link absoluteTarget}).
 */
export function requestUrl(request: RequestLike, kind: 'ws' | 'http'): string {
  const secure = isSecureRequest(request);
  const scheme = kind === 'ws' ? (secure ? 'wss' : 'ws') : secure ? 'https' : 'http';
  const target = request.url ?? '/';
  const absolute = absoluteTarget(target);
  if (absolute !== null) return `${scheme}://${absolute.authority}${absolute.path}`;
  const host = first(request.headers.host) || first(request.headers[':authority']);
  return `${scheme}://${host}${target}`;
}
