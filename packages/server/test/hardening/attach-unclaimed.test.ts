import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRaw, readUntil, upgradeRequest } from '../../../../test-support/hardening/raw-peer.js';
import { expectNoEscapes, trapEscapedErrors } from '../../../../test-support/hardening/resources.js';
import { listenLoopback } from '../../../../test-support/loopback-port.js';
import { attach } from '../../src/index.js';

const trap = trapEscapedErrors();
let server: Server | null = null;
const sockets = new Set<Socket>();

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

async function listen(s: Server): Promise<number> {
  server = s;
  // Upgraded sockets are no longer the HTTP server's: track the server ends to destroy them.
  s.on('connection', (socket: Socket) => sockets.add(socket));
  return listenLoopback(s);
}

/** Resolves with what happened to `socket` within `ms`: the first bytes it got, or that it closed. */
function fate(socket: Socket, ms: number): Promise<string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('still open'), ms);
    socket.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      resolve(chunk.toString('latin1').split('\r\n')[0]!);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
  });
}

describe('attach(): upgrades nobody takes', () => {
  it('an upgrade for another path, with no other upgrade listener, is answered or closed, not held forever', async () => {
    // Node hands every upgraded socket to the `upgrade` listeners and forgets it: one that no
    // listener takes holds a descriptor until the peer goes away (an easy way to exhaust them).
    const s = createServer();
    attach(s, { path: '/chat' }, () => {});
    const port = await listen(s);
    const socket = await connectRaw(port);
    sockets.add(socket);
    socket.write(upgradeRequest('/elsewhere'));
    expect(await fate(socket, 2000)).not.toBe('still open');
    await expectNoEscapes(trap);
  });

  it('an upgrade another listener takes is left to it', async () => {
    const s = createServer();
    attach(s, { path: '/chat' }, () => {});
    s.on('upgrade', (request: IncomingMessage, socket: Socket) => {
      if (request.url === '/mine') setTimeout(() => socket.end('HTTP/1.1 418 Teapot\r\n\r\n'), 50);
    });
    const port = await listen(s);
    const socket = await connectRaw(port);
    sockets.add(socket);
    socket.write(upgradeRequest('/mine'));
    const head = await readUntil(socket, '\r\n\r\n');
    expect(head.toString('latin1')).toMatch(/^HTTP\/1\.1 418 /);
    await expectNoEscapes(trap);
  });
});
