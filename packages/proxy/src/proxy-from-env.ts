import { webSocketUrlPort } from '@sockeye/core';

/** An environment as `process.env` is: names to values, some undefined. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The proxy to use for a WebSocket URL according to the environment, or null to connect directly.
 * Pure: it reads only `env`, so the caller decides whether that is `process.env`.
 *
 * - `wss:` targets use `wss_proxy`, then `https_proxy`, then `HTTPS_PROXY`; `ws:` targets use
 *   `ws_proxy`, then `http_proxy`, then `HTTP_PROXY` (lower case first, as curl and Python do; the
 *   `ws(s)_proxy` names are python-websockets'). Upper-case `WSS_PROXY`/`WS_PROXY` are read too.
 * - Upper-case `HTTP_PROXY` is ignored when `REQUEST_METHOD` is set, since in a CGI program that
 *   variable comes from the client's `Proxy:` header ("httpoxy"), as Go and Python do.
 * - A value without a scheme means `http://`. Only `http:` and `https:` proxies exist here; any
 *   other scheme (`socks5:`…) throws a `TypeError` rather than silently connecting directly.
 * - `no_proxy`/`NO_PROXY` (see {@link matchesNoProxy}) can exempt the target.
 *
 * @param target the `ws:`/`wss:` URL being opened
 * @param env the environment, typically `process.env`
 * @returns the proxy URL, or null
 */
export function proxyFromEnvironment(target: URL | string, env: Environment): URL | null {
  const url = typeof target === 'string' ? new URL(target) : target;
  const secure = url.protocol === 'wss:' || url.protocol === 'https:';
  const names = secure
    ? ['wss_proxy', 'WSS_PROXY', 'https_proxy', 'HTTPS_PROXY']
    : ['ws_proxy', 'WS_PROXY', 'http_proxy', 'HTTP_PROXY'];
  let value: string | undefined;
  for (const name of names) {
    if (name === 'HTTP_PROXY' && env.REQUEST_METHOD !== undefined) continue;
    const candidate = env[name]?.trim();
    if (candidate) {
      value = candidate;
      break;
    }
  }
  if (value === undefined) return null;

  const noProxy = env.no_proxy ?? env.NO_PROXY ?? '';
  const port = webSocketUrlPort(url);
  if (matchesNoProxy(url.hostname, port, noProxy)) return null;

  return parseProxyUrl(value);
}

/**
 * Parses a proxy setting: a URL, or `host[:port]` meaning `http://host[:port]`. Throws a
 * `TypeError` for anything but an `http:` or `https:` proxy.
 */
export function parseProxyUrl(value: string): URL {
  const withScheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new TypeError(`${value} is not a valid proxy URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`Unsupported proxy protocol ${url.protocol} in ${value}: use http: or https:`);
  }
  return url;
}

/**
 * Whether `no_proxy` exempts `host:port` from the proxy. `noProxy` is a list separated by commas
 * and/or white space; each entry is one of:
 * - `*`: every host;
 * - a domain, with or without a leading `.` or `*.`: that domain and every subdomain
 *   (`example.com` and `.example.com` both match `example.com` and `a.example.com`, as curl does);
 * - an IP literal (`127.0.0.1`, `::1`, `[::1]`), matched exactly;
 * - a CIDR block (`10.0.0.0/8`, `fd00::/8`), as Go does;
 * - any of the above followed by `:port`, which then matches only that port.
 *
 * Matching ignores case and a trailing dot. Loopback hosts are not exempt by default.
 */
export function matchesNoProxy(host: string, port: number, noProxy: string): boolean {
  const hostname = normaliseHost(host);
  const hostIp = parseIp(hostname);
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;

    let entryPort: number | null = null;
    const portMatch = /^(\[[^\]]*\]|[^:]*):(\d+)$/.exec(entry);
    if (portMatch) {
      entry = portMatch[1] as string;
      entryPort = Number(portMatch[2]);
    }
    if (entryPort !== null && entryPort !== port) continue;
    // `*` is every host; `*:80`, every host on port 80.
    if (entry === '*') return true;
    entry = normaliseHost(entry);
    if (entry === '') continue;

    const slash = entry.indexOf('/');
    if (slash !== -1) {
      if (hostIp !== null && inCidr(hostIp, entry.slice(0, slash), entry.slice(slash + 1))) return true;
      continue;
    }
    const entryIp = parseIp(entry);
    if (entryIp !== null) {
      if (hostIp !== null && equalBytes(hostIp, entryIp)) return true;
      continue;
    }
    // An IP address is never a subdomain: `0.0.1` must not match `10.0.0.1`.
    if (hostIp !== null) continue;
    if (entry.startsWith('*.')) entry = entry.slice(2);
    else if (entry.startsWith('.')) entry = entry.slice(1);
    if (hostname === entry || hostname.endsWith(`.${entry}`)) return true;
  }
  return false;
}

function normaliseHost(host: string): string {
  let name = host.toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  if (name.endsWith('.')) name = name.slice(0, -1);
  return name;
}

function inCidr(ip: Uint8Array, base: string, bitsText: string): boolean {
  const network = parseIp(base);
  if (network === null || network.length !== ip.length || !/^\d+$/.test(bitsText)) return false;
  const bits = Number(bitsText);
  if (bits > ip.length * 8) return false;
  for (let i = 0; i < ip.length; i++) {
    const remaining = bits - i * 8;
    if (remaining <= 0) break;
    const mask = remaining >= 8 ? 0xff : (0xff << (8 - remaining)) & 0xff;
    if (((ip[i] as number) & mask) !== ((network[i] as number) & mask)) return false;
  }
  return true;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** 4 bytes for a dotted IPv4 address, 16 for IPv6 (IPv4-mapped tails allowed), else null. */
function parseIp(text: string): Uint8Array | null {
  return parseIpv4(text) ?? parseIpv6(text);
}

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string;
    if (!/^\d{1,3}$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    bytes[i] = value;
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | null {
  if (!text.includes(':')) return null;
  const zone = text.indexOf('%');
  const address = zone === -1 ? text : text.slice(0, zone);
  const halves = address.split('::');
  if (halves.length > 2) return null;
  const groups = (half: string): number[] | null => {
    if (half === '') return [];
    const out: number[] = [];
    const parts = half.split(':');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string;
      if (i === parts.length - 1 && part.includes('.')) {
        const v4 = parseIpv4(part);
        if (v4 === null) return null;
        out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      } else if (/^[0-9a-f]{1,4}$/.test(part)) {
        out.push(Number.parseInt(part, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    bytes[i * 2] = (all[i] as number) >> 8;
    bytes[i * 2 + 1] = (all[i] as number) & 0xff;
  }
  return bytes;
}
