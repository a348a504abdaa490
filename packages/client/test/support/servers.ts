import { createHash } from 'node:crypto';
import { once } from 'node:events';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { type ServerOptions, WebSocket as ServerWebSocket } from '@sockeye/server';
import { WebSocketServer } from 'ws';
import { listenLoopback } from '../../../../test-support/loopback-port.js';
import type { TlsFixture } from '../../../../test-support/tls-fixture.js';

/** The part of a `ws` WebSocket these helpers use (ws ships no types). */
interface PeerSocket {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  send(data: Buffer, options: { binary: boolean }): void;
  terminate(): void;
}

/** A server started by a test: its port and how to stop it (dropping every connection). */
export interface RunningServer {
  port: number;
  /** Connections accepted so far that are still open. */
  readonly open: Set<net.Socket>;
  close(): Promise<void>;
}

async function listen(server: http.Server | net.Server): Promise<RunningServer> {
  const open = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  // TLS servers report the raw TCP socket through 'connection' too; count those.
  const port = await listenLoopback(server);
  return {
    port,
    open,
    close: async () => {
      server.close();
      for (const socket of open) socket.destroy();
      if (server.listening) await once(server, 'close');
    },
  };
}

/** A bare TCP server (a fake proxy, say) handing each connection to `onSocket`. */
export function startTcpServer(onSocket: (socket: net.Socket) => void): Promise<RunningServer> {
  return listen(net.createServer(onSocket));
}

/** An HTTP(S) server whose `upgrade` events go to `onUpgrade`. */
export async function startHttpServer(
  onUpgrade: (request: http.IncomingMessage, socket: net.Socket, head: Buffer) => void,
  tls?: TlsFixture,
): Promise<RunningServer> {
  const server = tls ? https.createServer({ cert: tls.cert, key: tls.key }) : http.createServer();
  server.on('upgrade', onUpgrade);
  server.on('request', (_request, response) => {
    response.writeHead(404).end();
  });
  return listen(server);
}

/** A `ws` echo server that selects the subprotocol `echo` when offered, and records each request. */
export async function startWsEchoServer(
  tls?: TlsFixture,
): Promise<RunningServer & { requests: http.IncomingMessage[] }> {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols: Set<string>) => (protocols.has('echo') ? 'echo' : false),
  });
  const requests: http.IncomingMessage[] = [];
  wss.on('connection', (ws: PeerSocket, request: http.IncomingMessage) => {
    requests.push(request);
    ws.on('message', (data: Buffer, isBinary: boolean) => ws.send(data, { binary: isBinary }));
  });
  const running = await startHttpServer((request, socket, head) => {
    wss.handleUpgrade(request, socket, head, (ws: PeerSocket) => wss.emit('connection', ws, request));
  }, tls);
  return {
    ...running,
    requests,
    close: async () => {
      for (const client of wss.clients as Set<PeerSocket>) client.terminate();
      wss.close();
      await running.close();
    },
  };
}

/** The `Sec-WebSocket-Accept` for a key (RFC 6455 §4.2.2), computed independently of sockeye. */
export function acceptFor(key: string): string {
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}

/**
 * A hand-written upgrade endpoint: `answer` gets the request and the raw socket and writes whatever
 * bytes the test needs (a 200, a wrong accept, nothing at all…).
 */
export async function startRawServer(
  answer: (request: http.IncomingMessage, socket: net.Socket, head: Buffer) => void,
): Promise<RunningServer & { closed: Promise<void>[] }> {
  const closed: Promise<void>[] = [];
  const running = await startHttpServer((request, socket, head) => {
    closed.push(once(socket, 'close').then(() => undefined));
    socket.on('error', () => {});
    // Node's HTTP server keeps upgraded sockets half-open: answer the client's FIN with ours.
    socket.on('end', () => socket.end());
    answer(request, socket, head);
  });
  return { ...running, closed };
}

/**
 * The echo server of faye's client spec, on the sockeye server: a server WebSocket that pipes into
 * itself (`ws.pipe(ws)`), subprotocols `echo`; `options` go to the server WebSocket.
 */
export async function startEchoServer(tls?: TlsFixture, options: ServerOptions = {}): Promise<RunningServer> {
  const sockets = new Set<ServerWebSocket>();
  const running = await startHttpServer((request, socket, head) => {
    const ws = new ServerWebSocket(request, socket, head, ['echo'], options);
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.pipe(ws);
  }, tls);
  return {
    ...running,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      await running.close();
    },
  };
}
