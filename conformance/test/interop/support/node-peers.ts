import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Extension } from '@sockeye/core';
import {
  type ControlCommand,
  type ControlReply,
  controlMessage,
  type PeerClose,
  parseControl,
} from './control.js';
import { Rendezvous } from './inbox.js';

const require = createRequire(import.meta.url);

// ws and faye-websocket ship no types (ws's are in @types/ws, not installed): the slices used here.
interface WsSocket {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'pong', listener: (data: Buffer) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  addEventListener(
    type: 'close',
    listener: (event: { code: number; reason: string; wasClean: boolean }) => void,
  ): void;
  send(data: Buffer | string, options?: { binary: boolean }): void;
  ping(data: string): void;
  close(code: number, reason: string): void;
  terminate(): void;
}
interface WsModule {
  new (url: string, protocols: string[], options: object): WsSocket;
  WebSocketServer: new (
    options: object,
  ) => {
    clients: Set<WsSocket>;
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, done: (ws: WsSocket) => void): void;
    close(): void;
  };
}
interface FayeSocket {
  on(event: 'open', listener: () => void): void;
  on(event: 'message', listener: (event: { data: string | Buffer }) => void): void;
  on(event: 'close', listener: (event: { code: number; reason: string; wasClean?: boolean }) => void): void;
  on(event: 'error', listener: () => void): void;
  send(data: string | Buffer): boolean;
  ping(payload: string, callback: () => void): boolean;
  close(code: number, reason: string): void;
}
interface FayeModule {
  new (request: unknown, socket: unknown, head: Buffer, protocols: string[], options: object): FayeSocket;
  Client: new (url: string, protocols: string[], options: object) => FayeSocket;
  isWebSocket(request: IncomingMessage): boolean;
}

const WS = require('ws') as WsModule;
const Faye = require('faye-websocket') as FayeModule;
/** faye's permessage-deflate plugin, the one sockeye users pass today. */
export const deflate = require('permessage-deflate') as Extension;

/** What a peer in this process does with one connection: echo, obey commands, report its close. */
function reflectWs(ws: WsSocket): Promise<PeerClose> {
  ws.on('error', () => {});
  ws.on('message', (data, isBinary) => {
    const command = isBinary ? null : parseControl<ControlCommand>(data.toString());
    if (command === null) ws.send(data, { binary: isBinary });
    else if (command.op === 'ping') ws.ping(command.payload);
    else ws.close(command.code, command.reason);
  });
  ws.on('pong', (data) => ws.send(controlMessage({ op: 'pong', payload: data.toString() })));
  return new Promise((resolve) =>
    ws.addEventListener('close', (event) =>
      resolve({ code: event.code, reason: event.reason, wasClean: event.wasClean }),
    ),
  );
}

function reflectFaye(ws: FayeSocket): Promise<PeerClose> {
  ws.on('error', () => {});
  ws.on('message', (event) => {
    const command = parseControl<ControlCommand>(event.data);
    if (command === null) {
      ws.send(event.data);
    } else if (command.op === 'ping') {
      const reply: ControlReply = { op: 'pong', payload: command.payload };
      ws.ping(command.payload, () => ws.send(controlMessage(reply)));
    } else {
      ws.close(command.code, command.reason);
    }
  });
  return new Promise((resolve) =>
    ws.on('close', (event) => resolve({ code: event.code, reason: event.reason })),
  );
}

/** A `ws` client reflecting on `url`, offering subprotocol `echo`; `options` go to ws (`ca`…). */
export function wsClient(url: string, compress: boolean, options: object = {}): Promise<PeerClose> {
  return reflectWs(new WS(url, ['echo'], { perMessageDeflate: compress, ...options }));
}

/** A faye-websocket client reflecting on `url`, with the permessage-deflate plugin when `compress`. */
export function fayeClient(url: string, compress: boolean): Promise<PeerClose> {
  return reflectFaye(new Faye.Client(url, ['echo'], compress ? { extensions: [deflate] } : {}));
}

/** A peer server: its port, each connection's close as the peer saw it (by request path), and stop. */
export interface PeerServer {
  readonly port: number;
  closeOf(path: string, ms: number): Promise<PeerClose>;
  close(): Promise<void>;
}

async function hostUpgrades(
  onUpgrade: (request: IncomingMessage, socket: Socket, head: Buffer) => Promise<PeerClose>,
  tls?: { cert: string | Buffer; key: string | Buffer },
  stop: () => void = () => {},
): Promise<PeerServer> {
  const server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }) : createHttpServer();
  const sockets = new Set<Socket>();
  const closes = new Rendezvous<PeerClose>();
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('request', (_request, response) => response.writeHead(404).end());
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const path = request.url ?? '/';
    onUpgrade(request, socket, head).then((close) => closes.settle(path, close));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    closeOf: (path, ms) => closes.get(path, ms),
    close: async () => {
      stop();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A `ws` WebSocketServer (permessage-deflate on: the sockeye client decides by offering it or not)
 * selecting subprotocol `echo`, over TLS when given a certificate.
 */
export function wsServer(tls?: { cert: string | Buffer; key: string | Buffer }): Promise<PeerServer> {
  const wss = new WS.WebSocketServer({
    noServer: true,
    perMessageDeflate: true,
    handleProtocols: (protocols: Set<string>) => (protocols.has('echo') ? 'echo' : false),
  });
  return hostUpgrades(
    (request, socket, head) =>
      new Promise((resolve) => wss.handleUpgrade(request, socket, head, (ws) => resolve(reflectWs(ws)))),
    tls,
    () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  );
}

/** A faye-websocket server with the permessage-deflate plugin, subprotocol `echo`. */
export function fayeServer(): Promise<PeerServer> {
  return hostUpgrades(async (request, socket, head) =>
    reflectFaye(new Faye(request, socket, head, ['echo'], { extensions: [deflate] })),
  );
}
