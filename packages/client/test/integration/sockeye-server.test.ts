import type * as net from 'node:net';
import { ErrorCode, type NetworkError } from '@sockeye/core';
import deflate from 'permessage-deflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate, type TlsFixture } from '../../../../test-support/tls-fixture.js';
import { Client } from '../../src/client.js';
import { echo, nextMessage, opened, outcome } from '../support/events.js';
import { type RunningProxy, startSquid, startTinyproxy } from '../support/proxies.js';
import {
  acceptFor,
  type RunningServer,
  startEchoServer,
  startHttpServer,
  startRawServer,
} from '../support/servers.js';

let certificate: TlsFixture;
let plain: RunningServer;
let secure: RunningServer;
let compressed: RunningServer;
let squid: RunningProxy;
let tinyproxy: RunningProxy;

beforeAll(async () => {
  certificate = selfSignedCertificate();
  [plain, secure, compressed, squid, tinyproxy] = await Promise.all([
    startEchoServer(),
    startEchoServer(certificate),
    startEchoServer(undefined, { extensions: [deflate] }),
    startSquid(),
    startTinyproxy(),
  ]);
}, 30_000);

afterAll(async () => {
  await Promise.all([plain, secure, compressed, squid, tinyproxy].map((s) => s?.close()));
});

describe('Client against the sockeye server', () => {
  it('echoes over ws:', async () => {
    const ws = new Client(`ws://127.0.0.1:${plain.port}/`, ['echo']);
    expect(await echo(ws, ['sockeye', Buffer.from('binary')])).toEqual(['sockeye', Buffer.from('binary')]);
  });

  it('echoes over wss: with tls.ca, with ca, and refuses without', async () => {
    const a = new Client(`wss://localhost:${secure.port}/`, [], { tls: { ca: certificate.cert } });
    expect(await echo(a, ['tls.ca'])).toEqual(['tls.ca']);
    const b = new Client(`wss://localhost:${secure.port}/`, [], { ca: certificate.cert });
    expect(await echo(b, ['ca'])).toEqual(['ca']);
    const c = new Client(`wss://localhost:${secure.port}/`);
    const result = await outcome(c);
    expect(result.events).toEqual(['error', 'close']);
    expect(result.close.code).toBe(1006);
  });

  it('prefers tls.ca over the legacy ca option', async () => {
    const ws = new Client(`wss://localhost:${secure.port}/`, [], {
      tls: { ca: certificate.cert },
      ca: Buffer.from('not a certificate'),
    });
    expect(await echo(ws, ['tls.ca wins'])).toEqual(['tls.ca wins']);
  });

  it.each([
    ['squid', () => squid.url],
    ['tinyproxy', () => tinyproxy.url],
  ])('echoes over ws: and wss: through %s', async (_name, proxy) => {
    const a = new Client(`ws://127.0.0.1:${plain.port}/`, [], { proxy: { origin: proxy() } });
    expect(await echo(a, ['ws via proxy'])).toEqual(['ws via proxy']);
    const b = new Client(`wss://localhost:${secure.port}/`, [], {
      proxy: { origin: proxy() },
      ca: certificate.cert,
    });
    expect(await echo(b, ['wss via proxy'])).toEqual(['wss via proxy']);
  });

  it('negotiates permessage-deflate and round-trips large compressible messages', async () => {
    const ws = new Client(`ws://127.0.0.1:${compressed.port}/`, [], { extensions: [deflate] });
    await opened(ws);
    expect(ws.extensions).toMatch(/^permessage-deflate/);
    expect(ws.headers?.['sec-websocket-extensions']).toMatch(/^permessage-deflate/);
    const text = 'compress me '.repeat(10_000);
    ws.send(text);
    expect(await nextMessage(ws)).toBe(text);
    const closed = outcome(ws);
    ws.close();
    expect((await closed).close.wasClean).toBe(true);
  });

  it('fails with 1009 when a message exceeds maxLength', async () => {
    const ws = new Client(`ws://127.0.0.1:${plain.port}/`, [], { maxLength: 1000 });
    await opened(ws);
    const result = outcome(ws);
    ws.send('x'.repeat(2000));
    const { events, close } = await result;
    expect(events).toEqual(['error', 'close']);
    expect(close.code).toBe(1009);
  });

  it('queues a ping before open and runs its callback on the pong', async () => {
    const ws = new Client(`ws://127.0.0.1:${plain.port}/`);
    const order: string[] = [];
    ws.on('open', () => order.push('open'));
    ws.on('pong', (event: { data: Buffer }) => order.push(`pong ${event.data.toString()}`));
    const ponged = new Promise<void>((resolve) => {
      expect(
        ws.ping('hello?', () => {
          order.push(`callback, readyState ${ws.readyState}`);
          resolve();
        }),
      ).toBe(true);
    });
    expect(ws.readyState).toBe(Client.CONNECTING);
    await ponged;
    expect(order).toEqual(['open', 'callback, readyState 1', 'pong hello?']);
    ws.close();
    await outcome(ws);
  });
});

describe('liveness options', () => {
  it('sends automatic pings with the ping option', async () => {
    const pings: Buffer[] = [];
    const server = await startRawServer((request, socket) => {
      socket.on('data', (chunk) => pings.push(chunk));
      const key = String(request.headers['sec-websocket-key']);
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`,
      );
    });
    try {
      const ws = new Client(`ws://127.0.0.1:${server.port}/`, [], { ping: 0.05, pingTimeout: 0 });
      await opened(ws);
      while (pings.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
      // Masked ping frames (opcode 9) with payloads "1", "2", … as faye sends them.
      expect(pings[0]![0]).toBe(0x89);
      expect(pings[0]![1]).toBe(0x80 | 1);
      const mask = pings[0]!.subarray(2, 6);
      expect(String.fromCharCode(pings[0]![6]! ^ mask[0]!)).toBe('1');
      ws.terminate();
      await outcome(ws);
    } finally {
      await server.close();
    }
  });

  it('drops a peer that answers no ping within pingTimeout: error then close 1006', async () => {
    const server = await startRawServer((request, socket: net.Socket) => {
      const key = String(request.headers['sec-websocket-key']);
      socket.resume();
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`,
      );
    });
    try {
      const ws = new Client(`ws://127.0.0.1:${server.port}/`, [], { ping: 0.05, pingTimeout: 100 });
      const result = await outcome(ws);
      expect(result.events).toEqual(['open', 'error', 'close']);
      expect((result.error!.error as NetworkError).code).toBe(ErrorCode.PingTimeout);
      expect(result.close.code).toBe(1006);
      await Promise.all(server.closed);
    } finally {
      await server.close();
    }
  });

  it('gives up on a server that never answers the close frame after closeTimeout', async () => {
    const server = await startHttpServer((request, socket) => {
      socket.on('error', () => {});
      socket.resume();
      const key = String(request.headers['sec-websocket-key']);
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`,
      );
    });
    try {
      const ws = new Client(`ws://127.0.0.1:${server.port}/`, [], { closeTimeout: 100 });
      await opened(ws);
      const closed = outcome(ws);
      ws.close();
      const result = await closed;
      expect(result.close.code).toBe(1006);
      expect(result.close.wasClean).toBe(false);
    } finally {
      await server.close();
    }
  });
});
