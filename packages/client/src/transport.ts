import * as net from 'node:net';
import * as tls from 'node:tls';
import { ErrorCode, NetworkError } from '@sockeye/core';
import { openTunnel } from '@sockeye/proxy';
import type { HeaderValues } from './client-options.js';

/** Where and how to open the byte stream a WebSocket handshake then runs over. */
export interface TransportOptions {
  /** Host name or IP address of the WebSocket server (no brackets). */
  host: string;
  /** Its port. */
  port: number;
  /** Whether to speak TLS to the server (`wss:`). */
  secure: boolean;
  /** The URL, for error messages. */
  url: string;
  /** `net.connect()` options (to the server, or to the proxy). */
  net: Partial<net.TcpNetConnectOpts> & { path?: string };
  /** `tls.connect()` options to the server. */
  tls: tls.ConnectionOptions;
  /** The proxy to tunnel through, or null. */
  proxy: { url: URL; headers: HeaderValues | undefined; tls: tls.ConnectionOptions | undefined } | null;
  /** Aborting destroys whatever socket exists and rejects with the signal's reason. */
  signal: AbortSignal;
}

/**
 * Opens a connected (and, for `wss:`, TLS-established) socket to the WebSocket server, directly or
 * through an HTTP CONNECT tunnel. Rejects with a `NetworkError` (Node's error as `cause`), a
 * `ProxyError` from the tunnel, or the signal's reason; the socket is destroyed in every case.
 */
export async function openTransport(options: TransportOptions): Promise<net.Socket> {
  const { host, port, secure, signal } = options;
  let tunnel: net.Socket | null = null;
  if (options.proxy !== null) {
    tunnel = await openTunnel({
      proxy: options.proxy.url,
      target: { host, port },
      targetUrl: options.url,
      ...(options.proxy.headers ? { headers: options.proxy.headers } : {}),
      ...(options.proxy.tls ? { tls: options.proxy.tls } : {}),
      net: options.net,
      signal,
    });
    if (!secure) return tunnel;
  }
  // RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in "HostName"."
  const servername = net.isIP(host) === 0 ? { servername: host } : {};
  const socket =
    tunnel !== null
      ? tls.connect({ ...servername, ...options.tls, socket: tunnel })
      : secure
        ? tls.connect({ ...options.net, ...servername, ...options.tls, host, port })
        : net.connect({ ...options.net, host, port } as net.NetConnectOpts);
  return await new Promise<net.Socket>((resolve, reject) => {
    const ready = secure ? 'secureConnect' : 'connect';
    const cleanup = (): void => {
      socket.removeListener(ready, onReady);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      signal.removeEventListener('abort', onAbort);
    };
    const fail = (error: unknown): void => {
      cleanup();
      socket.on('error', ignore);
      socket.destroy();
      tunnel?.destroy();
      reject(error);
    };
    function onReady(): void {
      cleanup();
      resolve(socket);
    }
    function onError(error: Error): void {
      fail(new NetworkError(ErrorCode.Network, error.message, { cause: error }));
    }
    function onClose(): void {
      fail(new NetworkError(ErrorCode.Network, 'The connection closed before it was established'));
    }
    function onAbort(): void {
      fail(signal.reason);
    }
    if (signal.aborted) {
      fail(signal.reason);
      return;
    }
    socket.once(ready, onReady);
    socket.on('error', onError);
    socket.on('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
    // The tunnel under a TLS socket is its transport: when it fails or ends, so does the TLS socket.
    if (tunnel !== null) {
      const under = tunnel;
      under.on('error', ignore);
      socket.once('close', () => under.destroy());
    }
  });
}

function ignore(): void {}
