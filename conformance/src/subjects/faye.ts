import { createRequire } from 'node:module';
import type { Subject } from '../subject.js';
import { hostUpgrades } from './http-host.js';

const require = createRequire(import.meta.url);

/** The slice of faye-websocket's API the suite drives (it ships no types). */
interface FayeSocket {
  on(event: 'message', listener: (event: { data: string | Buffer }) => void): void;
  on(event: 'close' | 'error', listener: () => void): void;
  send(data: string | Buffer): boolean;
}
interface FayeModule {
  new (request: unknown, socket: unknown, head: Buffer, protocols: string[], options: object): FayeSocket;
  Client: new (url: string, protocols: string[] | null, options: object) => FayeSocket;
}

const Faye = require('faye-websocket') as FayeModule;
const deflate = require('permessage-deflate') as unknown;

function echo(ws: FayeSocket): void {
  ws.on('error', () => {});
  ws.on('message', (event) => ws.send(event.data));
}

/** faye-websocket 0.11 with the permessage-deflate plugin. */
export const fayeSubject: Subject = {
  name: 'faye',
  startServer: () =>
    hostUpgrades((request, socket, head) =>
      echo(new Faye(request, socket, head, ['echo'], { extensions: [deflate] })),
    ),
  connectClient: (url) =>
    new Promise((resolve) => {
      const ws = new Faye.Client(url, [], { extensions: [deflate] });
      echo(ws);
      ws.on('close', () => resolve());
    }),
};
