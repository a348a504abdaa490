import {
  createServer as createHttpServer,
  type IncomingMessage,
  type RequestListener,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import { isWebSocket, WebSocket } from '@sockeye/server';
import { listenLoopback } from '../../../../test-support/loopback-port.js';
import { Conversation } from './conversation.js';
import { Rendezvous } from './inbox.js';
import { deflate } from './node-peers.js';

/** The sockeye server under test: every upgrade becomes a {@link Conversation}, found by its path. */
export interface SockeyeServer {
  readonly port: number;
  /** `ws://127.0.0.1:<port>` */
  readonly origin: string;
  /** The conversation of the WebSocket whose request target is `path`. */
  accept(path: string, ms: number): Promise<Conversation>;
  close(): Promise<void>;
}

/**
 * A path for one connection of a pair: `/deflate/…` gets permessage-deflate offered by the server,
 * `/plain/…` does not. The server picks its options per request, so one server serves both halves
 * of the matrix (Chromium and Node's WebSocket always offer deflate: only the server can decline).
 */
export function connectionPath(compress: boolean, id: string): string {
  return `/${compress ? 'deflate' : 'plain'}/${id}`;
}

/**
 * Starts a plain-HTTP sockeye server on 127.0.0.1, port 0, subprotocol `echo`. `onRequest` serves
 * non-upgrade requests (a page, an event stream); without it they get 404.
 */
export async function startSockeyeServer(onRequest?: RequestListener): Promise<SockeyeServer> {
  const server = createHttpServer((request: IncomingMessage, response: ServerResponse) => {
    if (onRequest) onRequest(request, response);
    else response.writeHead(404).end();
  });
  const sockets = new Set<Socket>();
  const open = new Set<WebSocket>();
  const conversations = new Rendezvous<Conversation>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    if (!isWebSocket(request)) {
      socket.destroy();
      return;
    }
    const path = request.url ?? '/';
    const options = path.startsWith('/deflate/') ? { extensions: [deflate] } : {};
    const ws = new WebSocket(request, socket, head, ['echo'], options);
    open.add(ws);
    ws.on('close', () => open.delete(ws));
    conversations.settle(path, new Conversation(ws));
  });
  const port = await listenLoopback(server);
  return {
    port,
    origin: `ws://127.0.0.1:${port}`,
    accept: (path, ms) => conversations.get(path, ms),
    close: async () => {
      for (const ws of open) ws.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
