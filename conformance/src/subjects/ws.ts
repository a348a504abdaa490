import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import type { Subject } from '../subject.js';
import { hostUpgrades } from './http-host.js';

const require = createRequire(import.meta.url);

/** The slice of ws's API the suite drives (no @types/ws installed). */
interface WsSocket {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'close' | 'error', listener: () => void): void;
  send(data: Buffer, options: { binary: boolean }): void;
  terminate(): void;
}
interface WsModule {
  new (url: string, options: object): WsSocket;
  WebSocketServer: new (
    options: object,
  ) => {
    clients: Set<WsSocket>;
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, done: (ws: WsSocket) => void): void;
    close(): void;
  };
}

const WebSocket = require('ws') as WsModule;

function echo(ws: WsSocket): void {
  ws.on('error', () => {});
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
}

/** `ws` 8: WebSocketServer with permessage-deflate on, and its client. */
export const wsSubject: Subject = {
  name: 'ws',
  startServer: async () => {
    const wss = new WebSocket.WebSocketServer({
      noServer: true,
      perMessageDeflate: true,
      handleProtocols: (protocols: Set<string>) => (protocols.has('echo') ? 'echo' : false),
    });
    const running = await hostUpgrades((request, socket, head) =>
      wss.handleUpgrade(request, socket, head, echo),
    );
    return {
      port: running.port,
      close: async () => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        await running.close();
      },
    };
  },
  connectClient: (url) =>
    new Promise((resolve) => {
      const ws = new WebSocket(url, { perMessageDeflate: true });
      echo(ws);
      ws.on('close', () => resolve());
    }),
};
