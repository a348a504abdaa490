/** The parts of a Node `IncomingMessage` (HTTP/1.1 or HTTP/2 compatibility) this module reads. */
export interface RequestLike {
  url?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  /** A `net.Socket` or `tls.TLSSocket`; `encrypted`/`authorized` tell TLS apart. */
  socket?: object | null | undefined;
}

function header(request: RequestLike, name: string): string {
  const value = request.headers[name];
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
  if (header(request, 'https').toLowerCase() === 'on') return true;
  if (header(request, 'x-forwarded-ssl').toLowerCase() === 'on') return true;
  if (header(request, 'x-forwarded-scheme').toLowerCase() === 'https') return true;
  const forwarded = header(request, 'x-forwarded-proto');
  if (forwarded === '') return false;
  const proto = forwarded.split(',')[0]?.trim().toLowerCase();
  return proto === 'https' || proto === 'wss';
}

/**
 * The URL the client used: `ws://` or `wss://` (or `http://`/`https://` for EventSource) followed
 * by the `Host` header (`:authority` on HTTP/2) and the request target.
 */
export function requestUrl(request: RequestLike, kind: 'ws' | 'http'): string {
  const secure = isSecureRequest(request);
  const scheme = kind === 'ws' ? (secure ? 'wss' : 'ws') : secure ? 'https' : 'http';
  const host = header(request, 'host') || header(request, ':authority');
  return `${scheme}://${host}${request.url ?? '/'}`;
}
