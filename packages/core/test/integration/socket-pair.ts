import { once } from 'node:events';
import net from 'node:net';
import { listenLoopback } from '../../../../test-support/loopback-port.js';
import {
  abortHandshake,
  Connection,
  openWebSocket,
  Role,
  WebSocket,
  type WebSocketInit,
  type WebSocketOptions,
} from '../../src/index.js';

/** A WebSocket subclass as a server or client package would write it, minus the HTTP handshake. */
export class TestWebSocket extends WebSocket {
  aborted = 0;
  constructor(role: 'server' | 'client', options?: WebSocketOptions) {
    const init: WebSocketInit = { url: `ws://127.0.0.1/${role}`, role, options };
    super(init);
  }
  override [abortHandshake](): void {
    this.aborted++;
  }
}

const servers = new Set<net.Server>();
const sockets = new Set<net.Socket>();

/** Two connected TCP sockets on 127.0.0.1. */
export async function tcpPair(): Promise<{ serverSocket: net.Socket; clientSocket: net.Socket }> {
  const server = net.createServer({ allowHalfOpen: true });
  servers.add(server);
  const port = await listenLoopback(server);
  const accepted = once(server, 'connection');
  const clientSocket = net.connect(port, '127.0.0.1');
  const [serverSocket] = (await accepted) as [net.Socket];
  await once(clientSocket, 'connect');
  sockets.add(serverSocket);
  sockets.add(clientSocket);
  return { serverSocket, clientSocket };
}

/** Opens `ws` over `socket` with an RFC 6455 Connection of its role. */
export function open(ws: WebSocket, socket: net.Socket, role: 'server' | 'client', head?: Buffer): void {
  openWebSocket(ws, {
    socket,
    engine: (handler) => new Connection(handler, { role: role === 'server' ? Role.Server : Role.Client }),
    protocol: 'chat',
    version: 'hybi-13',
    head,
  });
}

/** A server WebSocket and a client WebSocket, open and connected to each other. */
export async function wsPair(
  serverOptions?: WebSocketOptions,
  clientOptions?: WebSocketOptions,
): Promise<{
  server: TestWebSocket;
  client: TestWebSocket;
  serverSocket: net.Socket;
  clientSocket: net.Socket;
}> {
  const { serverSocket, clientSocket } = await tcpPair();
  const server = new TestWebSocket('server', serverOptions);
  const client = new TestWebSocket('client', clientOptions);
  open(server, serverSocket, 'server');
  open(client, clientSocket, 'client');
  return { server, client, serverSocket, clientSocket };
}

/** Closes every server and socket the helpers made. */
export async function cleanup(): Promise<void> {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  for (const server of servers) server.close();
  servers.clear();
}

/** Resolves with the next event of `type` on `ws`. */
export function next<T = unknown>(ws: WebSocket, type: string): Promise<T> {
  return new Promise((resolve) => ws.once(type, resolve));
}

/** Collects `count` message events' data from `ws`. */
export function messages(ws: WebSocket, count: number): Promise<Array<string | Buffer>> {
  return new Promise((resolve) => {
    const out: Array<string | Buffer> = [];
    const onMessage = (event: { data: string | Buffer }) => {
      out.push(event.data);
      if (out.length === count) {
        ws.removeListener('message', onMessage);
        resolve(out);
      }
    };
    ws.on('message', onMessage);
  });
}
