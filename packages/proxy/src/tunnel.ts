import * as net from 'node:net';
import * as tls from 'node:tls';
import {
  ErrorCode,
  type HeaderOption,
  MAX_TIMER_MS,
  NetworkError,
  numberOption,
  ProxyError,
  urlEndpoint,
  validateOptions,
} from '@sockeye/core';
import { buildConnectRequest, type ConnectTarget, connectAuthority } from './connect-request.js';
import { ConnectResponseParser } from './connect-response.js';
import { parseProxyUrl } from './proxy-from-env.js';

/** Options of {@link openTunnel}. */
export interface TunnelOptions {
  /**
   * The proxy: `http://[user:pass@]host[:port]` (port 80 by default) or `https://…` (TLS to the
   * proxy, port 443 by default). User info becomes `Proxy-Authorization: Basic`. Required.
   */
  proxy: URL | string;
  /** Where the tunnel leads. Required. */
  target: ConnectTarget;
  /**
   * The URL being reached through the tunnel, for error messages only. Default: `host:port` of
   * `target`.
   */
  targetUrl?: string;
  /**
   * Extra CONNECT request headers (`User-Agent`…); built-in ones keep their value, and a value of
   * `undefined` or `null` leaves its header out. Default: none.
   */
  headers?: HeaderOption | null;
  /**
   * Options for `tls.connect()` to an `https:` proxy (`ca`, `cert`, `key`, `rejectUnauthorized`…).
   * `servername` defaults to the proxy's host name (none for an IP address). Ignored for an
   * `http:` proxy. Default: `{}`.
   */
  tls?: tls.ConnectionOptions;
  /**
   * Options for `net.connect()` to the proxy (`localAddress`, `family`, `lookup`…); `host` and
   * `port` are always the proxy's. Default: `{}`.
   */
  net?: Partial<net.TcpNetConnectOpts>;
  /** Gives up when this signal aborts: the socket is destroyed and the promise rejects with its reason. */
  signal?: AbortSignal;
  /**
   * Milliseconds to wait for the proxy's answer (from the start of the TCP connection); on expiry a
   * {@link ProxyError} with code `WS_ERR_PROXY_TIMEOUT`. Default: none (0 also means none).
   */
  timeout?: number;
  /** Longest status or header line accepted in the proxy's answer, in bytes. Default 8192. */
  maxLineLength?: number;
  /** Most header lines accepted in the proxy's answer. Default 128. */
  maxHeaders?: number;
}

const tunnelOptionKeys: readonly string[] = [
  'proxy',
  'target',
  'targetUrl',
  'headers',
  'tls',
  'net',
  'signal',
  'timeout',
  'maxLineLength',
  'maxHeaders',
];

/**
 * Opens a TCP (or TLS, for an `https:` proxy) connection to the proxy, sends
 * `CONNECT target HTTP/1.1` and waits for the answer.
 *
 * Resolves with the connected socket once the proxy answers `200`: from then on its bytes are the
 * target's. The socket is **paused**; any bytes that came with the proxy's answer are unshifted
 * back onto it. For a `wss:` target the caller starts TLS over it (`tls.connect({ socket })`).
 *
 * Rejects (and destroys the socket) with:
 * - {@link NetworkError} `WS_ERR_NETWORK`: the proxy could not be reached (refused, reset, TLS
 *   failure to an `https:` proxy); `cause` is Node's error;
 * - {@link ProxyError} `WS_ERR_PROXY_REFUSED`: the proxy answered something else than 200
 *   (`statusCode` and `headers` are its answer);
 * - {@link ProxyError} `WS_ERR_PROXY_INVALID_RESPONSE`: the answer was not HTTP/1.x;
 * - {@link ProxyError} `WS_ERR_PROXY_CLOSED`: the proxy closed the connection before answering;
 * - {@link ProxyError} `WS_ERR_PROXY_TIMEOUT`: no answer within `timeout`;
 * - the signal's reason when `signal` aborts.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-9.3.6
 */
export function openTunnel(options: TunnelOptions): Promise<net.Socket> {
  return new Promise<net.Socket>((resolve, reject) => {
    // A typo (`timout`) would otherwise leave the tunnel without its limit; a timeout too long
    // for a Node timer would fire after 1 ms.
    validateOptions(options, tunnelOptionKeys);
    const timeout = numberOption(options.timeout, 0, 'timeout', MAX_TIMER_MS);
    const { signal } = options;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const proxy = typeof options.proxy === 'string' ? parseProxyUrl(options.proxy) : options.proxy;
    if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
      throw new TypeError(`Unsupported proxy protocol ${proxy.protocol}: use http: or https:`);
    }
    const targetUrl = options.targetUrl ?? connectAuthority(options.target);
    const request = buildConnectRequest(options.target, {
      proxy,
      ...(options.headers ? { headers: options.headers } : {}),
    });
    const parser = new ConnectResponseParser(targetUrl, {
      ...(options.maxLineLength !== undefined ? { maxLineLength: options.maxLineLength } : {}),
      ...(options.maxHeaders !== undefined ? { maxHeaders: options.maxHeaders } : {}),
    });

    const { host, port } = urlEndpoint(proxy);
    const secure = proxy.protocol === 'https:';
    const socket: net.Socket = secure
      ? tls.connect({
          ...options.net,
          ...(net.isIP(host) === 0 ? { servername: host } : {}),
          ...options.tls,
          host,
          port,
        })
      : net.connect({ ...options.net, host, port });

    let timer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;

    const cleanup = (): void => {
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.removeListener(secure ? 'secureConnect' : 'connect', onConnect);
      socket.removeListener('data', onData);
      socket.removeListener('error', onError);
      socket.removeListener('end', onClosed);
      socket.removeListener('close', onClosed);
    };
    const fail = (error: unknown): void => {
      if (settled) return;
      cleanup();
      // A late 'error' from the destroyed socket must not become an uncaught exception.
      socket.on('error', ignore);
      socket.destroy();
      reject(error);
    };
    function onConnect(): void {
      socket.write(request);
    }
    function onData(chunk: Buffer): void {
      let reply: ReturnType<ConnectResponseParser['push']>;
      try {
        reply = parser.push(chunk);
      } catch (error) {
        fail(error);
        return;
      }
      if (reply === null || settled) return;
      cleanup();
      socket.pause();
      if (reply.rest.length > 0) socket.unshift(reply.rest);
      resolve(socket);
    }
    function onError(error: Error): void {
      fail(new NetworkError(ErrorCode.Network, error.message, { cause: error }));
    }
    function onClosed(): void {
      try {
        parser.end();
      } catch (error) {
        fail(error);
      }
    }
    function onAbort(): void {
      fail(signal?.reason);
    }

    socket.once(secure ? 'secureConnect' : 'connect', onConnect);
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('end', onClosed);
    socket.on('close', onClosed);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeout > 0) {
      const ms = timeout;
      timer = setTimeout(() => {
        fail(
          new ProxyError(
            ErrorCode.ProxyTimeout,
            `Can't establish a connection to the server at ${targetUrl}: the proxy did not answer within ${ms} ms`,
          ),
        );
      }, ms);
    }
  });
}

function ignore(): void {}
