import {
  createServer,
  type ServerOptions as HttpOptions,
  type IncomingMessage,
  type Server,
} from 'node:http';
import type { Socket } from 'node:net';
import { type ObservedSocket, observeSocket } from '../../../../test-support/hardening/observe-socket.js';
import { listenLoopback } from '../../../../test-support/loopback-port.js';
import { type ServerOptions, WebSocket } from '../../src/index.js';

/** What the harness saw of one server-side WebSocket. */
export type Observed = ObservedSocket<WebSocket>;

/** An HTTP server on 127.0.0.1 that turns every upgrade into a sockeye server WebSocket, faye style. */
export interface Harness {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  readonly connections: Observed[];
  /** The upgrade requests, in the order of `connections` (a WebSocket does not keep its request). */
  readonly requests: IncomingMessage[];
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
  const requests: IncomingMessage[] = [];
  const waiting: Array<(o: Observed) => void> = [];
  const sockets = new Set<Socket>();
  const server = createServer(httpOptions, (_request, response) => response.writeHead(404).end());
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const ws = new WebSocket(request, socket, head, protocols, options);
    const observed = observeSocket(ws);
    setup(ws);
    connections.push(observed);
    requests.push(request);
    waiting.shift()?.(observed);
  });
  const port = await listenLoopback(server);
  return {
    server,
    port,
    url: `ws://127.0.0.1:${port}/`,
    connections,
    requests,
    next: () => new Promise((resolve) => waiting.push(resolve)),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
