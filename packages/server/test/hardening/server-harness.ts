import { once } from 'node:events';
import {
  createServer,
  type ServerOptions as HttpOptions,
  type IncomingMessage,
  type Server,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type ServerOptions, WebSocket } from '../../src/index.js';

/** What the harness saw of one server-side WebSocket. */
export interface Observed {
  readonly ws: WebSocket;
  readonly events: string[];
  readonly errors: Array<{ message: string; code: string | undefined; closeCode: number | undefined }>;
  close: { code: number; reason: string; wasClean: boolean } | null;
  readonly closed: Promise<void>;
}

/** An HTTP server on 127.0.0.1 that turns every upgrade into a sockeye server WebSocket, faye style. */
export interface Harness {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  readonly connections: Observed[];
  /** Resolves with the next WebSocket the server creates. */
  next(): Promise<Observed>;
  close(): Promise<void>;
}

/**
 * Starts the harness. `setup` runs on each new WebSocket before the handshake tick (to attach
 * listeners, e.g. an echo or a throwing `error` listener).
 */
export async function startHarness(
  options: ServerOptions = {},
  setup: (ws: WebSocket) => void = () => {},
  httpOptions: HttpOptions = {},
  protocols: readonly string[] | null = null,
): Promise<Harness> {
  const connections: Observed[] = [];
  const waiting: Array<(o: Observed) => void> = [];
  const sockets = new Set<Socket>();
  const server = createServer(httpOptions, (_request, response) => response.writeHead(404).end());
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const ws = new WebSocket(request, socket, head, protocols, options);
    let resolveClosed!: () => void;
    const observed: Observed = {
      ws,
      events: [],
      errors: [],
      close: null,
      closed: new Promise<void>((resolve) => {
        resolveClosed = resolve;
      }),
    };
    ws.on('open', () => observed.events.push('open'));
    ws.on('error', (event: { message: string; error?: { code?: string; closeCode?: number } }) => {
      observed.events.push('error');
      observed.errors.push({
        message: event.message,
        code: event.error?.code,
        closeCode: event.error?.closeCode,
      });
    });
    ws.on('close', (event: { code: number; reason: string; wasClean: boolean }) => {
      observed.events.push('close');
      observed.close = { code: event.code, reason: event.reason, wasClean: event.wasClean };
      resolveClosed();
    });
    setup(ws);
    connections.push(observed);
    waiting.shift()?.(observed);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `ws://127.0.0.1:${port}/`,
    connections,
    next: () => new Promise((resolve) => waiting.push(resolve)),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Resolves within `ms` with the promise's value, or rejects naming what was awaited. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}
