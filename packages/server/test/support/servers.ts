import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { listenLoopback } from '../../../../test-support/loopback-port.js';
import { selfSignedCertificate } from '../../../../test-support/tls-fixture.js';
import { type ProtocolList, type ServerOptions, WebSocket } from '../../src/index.js';

/** An http or https server on 127.0.0.1 whose upgrades become sockeye WebSockets. */
export interface TestServer {
  readonly server: http.Server | https.Server;
  readonly port: number;
  /** `ws://127.0.0.1:<port>` or `wss://…`. */
  readonly origin: string;
  /** Server-side sockets accepted so far, in order. */
  readonly accepted: WebSocket[];
  /** Resolves with the next server-side WebSocket. */
  nextSocket(): Promise<WebSocket>;
  close(): Promise<void>;
}

const running = new Set<TestServer>();

/** What a test server saw of one WebSocket, recorded from construction on (before the handshake tick). */
export interface Observed {
  readonly events: string[];
  readonly opened: Promise<void>;
  readonly error: Promise<{
    message: string;
    error: { code: string; closeCode?: number; statusCode?: number };
  }>;
  readonly closed: Promise<{ code: number; reason: string; wasClean: boolean }>;
}

const observed = new WeakMap<WebSocket, Observed>();

function observe(ws: WebSocket): void {
  const events: string[] = [];
  for (const type of ['open', 'error', 'close']) ws.on(type, () => events.push(type));
  observed.set(ws, {
    events,
    opened: new Promise((resolve) => ws.once('open', () => resolve())),
    error: new Promise((resolve) => ws.once('error', resolve)),
    closed: new Promise((resolve) =>
      ws.once('close', (e: { code: number; reason: string; wasClean: boolean }) =>
        resolve({ code: e.code, reason: e.reason, wasClean: e.wasClean }),
      ),
    ),
  });
}

/** The events a test server recorded for `ws`. */
export function seen(ws: WebSocket): Observed {
  const record = observed.get(ws);
  if (record === undefined) throw new Error('not a WebSocket of a test server');
  return record;
}

/** The CA a client needs to trust the https test server. */
export function testCertificate(): { key: string; cert: string } {
  return selfSignedCertificate();
}

/**
 * Starts a server. `onSocket` runs on each new WebSocket right after construction (before `open`),
 * e.g. `(ws) => ws.pipe(ws)`.
 */
export async function startServer(
  options: {
    tls?: boolean;
    protocols?: ProtocolList;
    ws?: ServerOptions;
    http?: http.ServerOptions;
    onSocket?: (ws: WebSocket) => void;
  } = {},
): Promise<TestServer> {
  const accepted: WebSocket[] = [];
  const waiting: Array<(ws: WebSocket) => void> = [];
  const sockets = new Set<Socket>();
  const onRequest = (_request: http.IncomingMessage, response: http.ServerResponse) => response.end('not ws');
  const server = options.tls
    ? https.createServer({ ...testCertificate(), ...options.http }, onRequest)
    : http.createServer(options.http ?? {}, onRequest);
  server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (request: http.IncomingMessage, socket: Socket, head: Buffer) => {
    const ws = new WebSocket(request, socket, head, options.protocols ?? null, options.ws ?? {});
    accepted.push(ws);
    observe(ws);
    options.onSocket?.(ws);
    waiting.shift()?.(ws);
  });
  const port = await listenLoopback(server);
  const handle: TestServer = {
    server,
    port,
    origin: `${options.tls ? 'wss' : 'ws'}://127.0.0.1:${port}`,
    accepted,
    nextSocket: () => new Promise((resolve) => waiting.push(resolve)),
    close: async () => {
      running.delete(handle);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  running.add(handle);
  return handle;
}

/** Closes every server started by {@link startServer} (for `afterEach`). */
export async function closeServers(): Promise<void> {
  await Promise.all([...running].map((s) => s.close()));
}

/** Resolves with the next `type` event of an emitter. */
export function nextEvent<T = unknown>(
  emitter: { once(type: string, listener: (value: T) => void): unknown },
  type: string,
): Promise<T> {
  return new Promise((resolve) => emitter.once(type, resolve));
}
