import type * as net from 'node:net';
import type * as tls from 'node:tls';
import type { Extension, HeaderOption, WebSocketOptions } from '@sockeye/core';

/**
 * Header values as the client accepts them: strings, numbers, booleans, or arrays of them (joined
 * with `, `). `undefined` or `null` leaves the header out, so `{ Cookie: request.headers.cookie }`
 * sends no `Cookie` when there is none. Anything else throws a `TypeError` from the constructor.
 */
export type HeaderValues = HeaderOption;

/**
 * How the client reaches the server through an HTTP CONNECT proxy (faye's `proxy` option, plus
 * `fromEnvironment`). Unknown keys throw.
 */
export interface ProxyOptions {
  /**
   * The proxy: `http://[user:password@]host[:port]` or `https://…` (TLS to the proxy). User info
   * becomes `Proxy-Authorization: Basic`. Default: none (no proxy, unless `fromEnvironment`).
   */
  origin?: string | URL;
  /**
   * Extra headers for the CONNECT request, e.g. `{ 'User-Agent': 'node' }`; the same values as the
   * `headers` option (`undefined` or `null` leaves a header out). Default: none.
   */
  headers?: HeaderValues | null;
  /** `tls.connect()` options for the connection to an `https:` proxy (`ca`, `cert`, `key`…). Default: `{}`. */
  tls?: tls.ConnectionOptions;
  /**
   * Take the proxy from the environment: `wss_proxy`/`https_proxy`/`HTTPS_PROXY` for `wss:`,
   * `ws_proxy`/`http_proxy`/`HTTP_PROXY` for `ws:`, minus the hosts in `no_proxy`/`NO_PROXY`
   * (see `@sockeye/proxy`'s `proxyFromEnvironment`). Read when the client is constructed. Not
   * together with `origin`. Default `false`.
   */
  fromEnvironment?: boolean;
}

/** The keys {@link ProxyOptions} may hold. */
export const proxyOptionKeys: readonly string[] = ['origin', 'headers', 'tls', 'fromEnvironment'];

/**
 * Options of the {@link Client}: faye-websocket's client options plus sockeye's. Unknown keys throw
 * `Unrecognized option: <key>`, as faye does.
 */
export interface ClientOptions extends WebSocketOptions {
  /** websocket-extensions plugins to offer, in order, e.g. `[require('permessage-deflate')]`. Default: none. */
  extensions?: readonly Extension[] | Extension;
  /**
   * Extra headers for the handshake request (`Origin`, `Cookie`, `Authorization`…), in order. The
   * handshake's own headers (`Host`, `Upgrade`, `Connection`, `Sec-WebSocket-*`) cannot be replaced.
   * A value of `undefined` or `null` leaves its header out (see {@link HeaderValues}). Default: none.
   */
  headers?: HeaderValues | null;
  /** Largest incoming message in bytes, over all fragments and after decompression (1009 above). Default `2 ** 26 - 1`. */
  maxLength?: number;
  /** Most fragments in one incoming message (1009 above). Default `131072`. */
  maxFragments?: number;
  /**
   * Options for `net.connect()` (`localAddress`, `family`, `lookup`, `path` for a Unix socket…),
   * used for the TCP connection to the server, or to the proxy. `host` and `port` come from the URL
   * (or the proxy URL). Unlike faye-websocket 0.11.4, this option works. Default: `{}`.
   */
  net?: Partial<net.TcpNetConnectOpts> & { path?: string };
  /**
   * Options for `tls.connect()` to a `wss:` server (`ca`, `cert`, `key`, `rejectUnauthorized`,
   * `checkServerIdentity`…), also inside a proxy tunnel. `servername` defaults to the URL's host
   * name (none for an IP address). Default: `{}`.
   */
  tls?: tls.ConnectionOptions;
  /** Legacy shorthand for `tls.ca`, used only when `tls.ca` is not set. Default: none. */
  ca?: tls.ConnectionOptions['ca'];
  /** Connect through an HTTP CONNECT proxy: see {@link ProxyOptions}. Default: connect directly. */
  proxy?: ProxyOptions;
  /**
   * Milliseconds for the whole opening: TCP connection, proxy tunnel, TLS and the HTTP upgrade.
   * Then the attempt fails with `WS_ERR_HANDSHAKE_TIMEOUT` (`error`, then `close` 1006). `0` waits
   * forever. Default `10000` (python-websockets' `open_timeout`, and the server's handshake timeout).
   */
  handshakeTimeout?: number;
}

/** Every key {@link ClientOptions} may hold. */
export const clientOptionKeys: readonly string[] = [
  'extensions',
  'headers',
  'maxLength',
  'maxFragments',
  'net',
  'tls',
  'ca',
  'proxy',
  'handshakeTimeout',
  'ping',
  'pingTimeout',
  'closeTimeout',
  'highWaterMark',
];

/** The defaults of {@link ClientOptions.handshakeTimeout} and {@link ClientOptions.maxLength} (faye's `2^26 - 1`). */
export { DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_MAX_LENGTH } from '@sockeye/core';
