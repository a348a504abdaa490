/**
 * What an accepted connection leaves on its socket, and how a WebSocket closed before its
 * handshake tick lets go of it: the server WebSocket keeps no handshake input in fields (the
 * tick receives them as arguments), so the tick itself must drop the socket.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRaw, readUntil, upgradeRequest } from '../../../../test-support/hardening/raw-peer.js';
import { listenLoopback } from '../../../../test-support/loopback-port.js';
import { WebSocket } from '../../src/index.js';

const cleanup: Array<() => void> = [];

afterEach(() => {
  for (const step of cleanup.splice(0)) step();
});

/** An http server whose upgrades go to `onUpgrade`; closed after the test. */
async function upgradeServer(
  onUpgrade: (request: http.IncomingMessage, socket: Socket, head: Buffer) => void,
): Promise<number> {
  const server = http.createServer();
  const sockets = new Set<Socket>();
  server.on('upgrade', (request, socket: Socket, head: Buffer) => {
    sockets.add(socket);
    onUpgrade(request, socket, head);
  });
  const port = await listenLoopback(server);
  cleanup.push(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return port;
}

function track(socket: Socket): Socket {
  cleanup.push(() => socket.destroy());
  return socket;
}

describe('idle footprint of a server connection', () => {
  it('leaves one error listener on an open socket (the handshake-time guard becomes the driver’s)', async () => {
    let serverSocket: Socket | undefined;
    let ws: WebSocket | undefined;
    const port = await upgradeServer((request, socket, head) => {
      serverSocket = socket;
      ws = new WebSocket(request, socket, head);
    });
    const client = track(await connectRaw(port));
    client.write(upgradeRequest());
    await readUntil(client, '\r\n\r\n');
    expect(ws!.readyState).toBe(WebSocket.OPEN);
    expect(serverSocket!.listenerCount('error')).toBe(1);

    // That one listener is the driver's: a transport error still becomes error (naming the URL)
    // then close 1006.
    const errored = new Promise<{ message: string }>((resolve) => ws!.once('error', resolve));
    const closed = new Promise<{ code: number; wasClean: boolean }>((resolve) => ws!.once('close', resolve));
    serverSocket!.destroy(new Error('boom'));
    expect((await errored).message).toBe('Network error: ws://127.0.0.1/: boom');
    const event = await closed;
    expect(event.code).toBe(1006);
    expect(event.wasClean).toBe(false);
  });

  it('listens for drain only once a write has filled the socket, and then hears it', async () => {
    let serverSocket: Socket | undefined;
    let ws: WebSocket | undefined;
    const port = await upgradeServer((request, socket, head) => {
      serverSocket = socket;
      ws = new WebSocket(request, socket, head, null, { highWaterMark: 1024 });
    });
    const client = track(await connectRaw(port));
    client.write(upgradeRequest());
    await readUntil(client, '\r\n\r\n');
    expect(serverSocket!.listenerCount('drain')).toBe(0);

    // The client reads nothing: 32 MiB is more than the kernel takes at once on loopback, so the
    // socket holds the rest (past its 16 KiB mark).
    client.pause();
    expect(ws!.send(Buffer.alloc(32 << 20))).toBe(false);
    expect(serverSocket!.writableNeedDrain).toBe(true);
    expect(serverSocket!.listenerCount('drain')).toBe(1);
    // The WebSocket's drain comes from the socket's: the driver heard it.
    const drained = once(ws!, 'drain');
    client.resume();
    await drained;
    expect(ws!.bufferedAmount).toBe(0);
    // Added once: more backpressure reuses it.
    client.pause();
    expect(ws!.send(Buffer.alloc(32 << 20))).toBe(false);
    expect(serverSocket!.listenerCount('drain')).toBe(1);
    client.resume();
  });

  it('drops the socket without a response when closed before the handshake tick', async () => {
    const closes: Array<{ code: number; wasClean: boolean }> = [];
    const port = await upgradeServer((request, socket, head) => {
      const ws = new WebSocket(request, socket, head);
      ws.on('close', (event: { code: number; wasClean: boolean }) =>
        closes.push({ code: event.code, wasClean: event.wasClean }),
      );
      ws.close();
    });
    const client = track(await connectRaw(port));
    const received: Buffer[] = [];
    client.on('data', (chunk: Buffer) => received.push(chunk));
    const ended = once(client, 'close');
    client.write(upgradeRequest());
    await ended;
    // No 101 (nor anything else) was written, and the WebSocket closed with 1006.
    expect(Buffer.concat(received).length).toBe(0);
    expect(closes).toEqual([{ code: 1006, wasClean: false }]);
  });
});
