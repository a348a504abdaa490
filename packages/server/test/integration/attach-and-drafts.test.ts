import { once } from 'node:events';
import http from 'node:http';
import { permessageDeflate } from '@sockeye/core';
import { afterEach, describe, expect, it } from 'vitest';
import WS, { WebSocketServer } from 'ws';
import { connectRaw, readUntil, upgradeRequest } from '../../../../test-support/hardening/raw-peer.js';
import { within } from '../../../../test-support/hardening/within.js';
import { listenLoopback } from '../../../../test-support/loopback-port.js';
import { attach, WebSocket } from '../../src/index.js';
import { closeServers, seen, startServer } from '../support/servers.js';

const httpServers = new Set<http.Server>();

afterEach(async () => {
  await closeServers();
  for (const server of httpServers) {
    server.closeAllConnections();
    server.close();
  }
  httpServers.clear();
});

async function plainServer(): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer();
  httpServers.add(server);
  return { server, port: await listenLoopback(server) };
}

describe('attach', () => {
  it('takes upgrades on its path, leaves others alone, tracks clients and closes them with 1001', async () => {
    const { server, port } = await plainServer();
    const others: string[] = [];
    server.on('upgrade', (request: http.IncomingMessage, socket) => {
      if (!request.url?.startsWith('/chat')) {
        others.push(request.url ?? '');
        socket.destroy();
      }
    });
    const connections: string[] = [];
    const handle = attach(server, { path: '/chat', protocols: ['chat'] }, (ws, request) => {
      connections.push(request.url ?? '');
      ws.pipe(ws);
    });
    const client = new WS(`ws://127.0.0.1:${port}/chat?room=1`, ['chat']);
    client.on('error', () => {});
    await once(client, 'open');
    expect(client.protocol).toBe('chat');
    const echoed = once(client, 'message');
    client.send('hi');
    expect(String((await echoed)[0])).toBe('hi');
    const other = new WS(`ws://127.0.0.1:${port}/elsewhere`);
    other.on('error', () => {});
    await new Promise((resolve) => other.on('close', resolve));
    expect(connections).toEqual(['/chat?room=1']);
    expect(others).toEqual(['/elsewhere']);
    expect(handle.clients.size).toBe(1);
    const closed = once(client, 'close');
    handle.close();
    expect((await closed)[0]).toBe(1001);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(handle.clients.size).toBe(0);
  });

  it('routes an absolute-form target by its path (RFC 9112 §3.2.2)', async () => {
    const { server, port } = await plainServer();
    const urls: string[] = [];
    attach(server, { path: '/chat' }, (ws) => urls.push(ws.url));
    const socket = await connectRaw(port);
    socket.write(upgradeRequest('http://example.com/chat?room=1', [], 'other.example'));
    expect((await readUntil(socket, '\r\n\r\n')).toString()).toMatch(/^HTTP\/1\.1 101 /);
    expect(urls).toEqual(['ws://example.com/chat?room=1']);
    socket.destroy();
  });

  it('gives an upgrade to one handle when two routes overlap: the first one attached', async () => {
    const { server, port } = await plainServer();
    const took: string[] = [];
    const first = attach(server, {}, (ws) => {
      took.push('first');
      ws.pipe(ws);
    });
    const second = attach(server, { path: '/chat' }, () => took.push('second'));
    const client = new WS(`ws://127.0.0.1:${port}/chat`);
    client.on('error', () => {});
    await once(client, 'open');
    // A second 101 on the same socket would reach the client as a broken frame.
    const echoed = once(client, 'message');
    client.send('hi');
    expect(String((await echoed)[0])).toBe('hi');
    expect(took).toEqual(['first']);
    expect([first.clients.size, second.clients.size]).toEqual([1, 0]);
    client.close();
  });

  it('leaves alone an upgrade that a once listener before it took, though that listener is gone', async () => {
    const { server, port } = await plainServer();
    const wss = new WebSocketServer({ noServer: true });
    wss.on('connection', (ws: { on(e: string, f: (d: Buffer) => void): void; send(d: Buffer): void }) =>
      ws.on('message', (data) => ws.send(data)),
    );
    server.once('upgrade', (request: http.IncomingMessage, socket, head) =>
      wss.handleUpgrade(request, socket, head, (ws: unknown) => wss.emit('connection', ws, request)),
    );
    attach(server, { path: '/chat' }, () => {});
    const client = new WS(`ws://127.0.0.1:${port}/special`);
    const errors: string[] = [];
    client.on('error', (error: Error) => errors.push(error.message));
    await once(client, 'open');
    const echoed = once(client, 'message');
    client.send('hi');
    expect(String((await echoed)[0])).toBe('hi');
    expect(errors).toEqual([]);
    client.close();
    await once(client, 'close');
    wss.close();
  });

  it('answers 403 to an origin not in the allow-list and admits a listed one', async () => {
    const { server, port } = await plainServer();
    let count = 0;
    attach(server, { origins: ['https://good.example'], filter: (r) => r.url !== '/skip' }, () => count++);
    const bad = new WS(`ws://127.0.0.1:${port}/`, { origin: 'https://evil.example' });
    bad.on('error', () => {});
    const [, response] = (await once(bad, 'unexpected-response')) as [unknown, http.IncomingMessage];
    expect(response.statusCode).toBe(403);
    bad.terminate();
    const good = new WS(`ws://127.0.0.1:${port}/`, { origin: 'https://GOOD.example' });
    good.on('error', () => {});
    await once(good, 'open');
    expect(count).toBe(1);
    good.close();
  });

  it('answers 500 when filter throws, and lets the error go on up', async () => {
    const { server, port } = await plainServer();
    const bug = new Error('filter bug');
    attach(
      server,
      {
        filter: () => {
          throw bug;
        },
      },
      () => {},
    );
    // Stands in for a process 'uncaughtException' handler: the error leaves the server's upgrade event.
    const thrown: unknown[] = [];
    const emit = server.emit;
    server.emit = function (this: http.Server, ...args: Parameters<http.Server['emit']>) {
      try {
        return emit.apply(this, args);
      } catch (error) {
        thrown.push(error);
        return true;
      }
    } as http.Server['emit'];
    const socket = await connectRaw(port);
    socket.write(upgradeRequest('/'));
    const answer = await within(readUntil(socket, '\r\n'), 2000, 'an answer');
    expect(answer.toString()).toMatch(/^HTTP\/1\.1 500 /);
    await once(socket, 'close');
    expect(thrown).toEqual([bug]);
  });

  it('throws on unknown option keys, bad limits, timeouts and extension plugins at once', () => {
    const server = http.createServer();
    const bad = (options: object) => () => attach(server, options, () => {});
    expect(bad({ pth: '/' })).toThrow('Unrecognized option: pth');
    expect(bad({ maxLength: -1 })).toThrow(RangeError);
    // Read by each connection's WebSocket: unchecked here, they threw in the `upgrade` listener.
    expect(bad({ closeTimeout: -1 })).toThrow(TypeError);
    expect(bad({ pingTimeout: Number.NaN })).toThrow(TypeError);
    expect(bad({ handshakeTimeout: '5s' })).toThrow(TypeError);
    // Node runs a timer longer than 2^31 - 1 ms after 1 ms.
    expect(bad({ closeTimeout: 2 ** 31 })).toThrow(RangeError);
    expect(bad({ ping: 2 ** 31 / 1000 })).toThrow(RangeError);
    expect(bad({ handshakeTimeout: 2 ** 31 })).toThrow(RangeError);
    // Checked by websocket-extensions when a handshake registers the plugins.
    expect(bad({ extensions: [{ name: 5, type: 'permessage' }] })).toThrow(TypeError);
    expect(bad({ extensions: [permessageDeflate(), permessageDeflate()] })).toThrow(TypeError);
    expect(server.listenerCount('upgrade')).toBe(0);
    expect(bad({ closeTimeout: 2 ** 31 - 1, ping: 2147, extensions: permessageDeflate() })).not.toThrow();
  });

  it('throws a TypeError at once for a header value it cannot send, not on the first connection', () => {
    const server = http.createServer();
    for (const value of [{ a: 1 }, ['ok', null], 'a\nb']) {
      expect(() => attach(server, { headers: { 'X-Bad': value as string } }, () => {})).toThrow(TypeError);
    }
    expect(server.listenerCount('upgrade')).toBe(0);
  });
});

describe('drafts (allowDrafts)', () => {
  const draft76 = [
    'GET /demo HTTP/1.1',
    'Host: example.com',
    'Connection: Upgrade',
    'Sec-WebSocket-Key2: 12998 5 Y3 1  .P00',
    'Upgrade: WebSocket',
    'Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5',
    'Origin: http://example.com',
    '',
    '',
  ].join('\r\n');

  it('completes a hixie-76 handshake whose 8 key bytes arrive in a later packet, then flushes queued messages', async () => {
    const server = await startServer({ ws: { allowDrafts: true }, onSocket: (ws) => ws.send('queued') });
    const socket = await connectRaw(server.port);
    socket.write(draft76);
    const head = await readUntil(socket, '\r\n\r\n');
    expect(head.toString()).toMatch(/^HTTP\/1\.1 101 WebSocket Protocol Handshake\r\n/);
    const ws = server.accepted[0]!;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(ws.readyState).toBe(WebSocket.CONNECTING);
    const rest = readUntil(socket, Buffer.from([0xff]));
    socket.write('^n:ds[4U');
    await seen(ws).opened;
    expect(ws.version).toBe('hixie-76');
    const bytes = await rest;
    const body = bytes.includes('\r\n\r\n') ? bytes.subarray(bytes.indexOf('\r\n\r\n') + 4) : bytes;
    expect(body.subarray(0, 16).toString('latin1')).toBe("8jKS'y:G*Co,Wxa-");
    expect(body.subarray(16)).toEqual(Buffer.from([0x00, ...Buffer.from('queued'), 0xff]));
    const message = once(ws, 'message');
    socket.write(Buffer.from([0x00, ...Buffer.from('hi'), 0xff]));
    expect((await message)[0].data).toBe('hi');
    socket.destroy();
  });

  it('fails a hixie-76 client that never sends its key bytes after handshakeTimeout', async () => {
    const server = await startServer({ ws: { allowDrafts: true, handshakeTimeout: 50 } });
    const socket = await connectRaw(server.port);
    socket.write(draft76);
    const ws = await server.nextSocket();
    const error = await seen(ws).error;
    expect(error.error.code).toBe('WS_ERR_HANDSHAKE_TIMEOUT');
    expect((await seen(ws).closed).code).toBe(1006);
    expect(seen(ws).events).toEqual(['error', 'close']);
  });

  it('keeps a draft connection open when ping is set: drafts have no ping, so no pong deadline', async () => {
    const server = await startServer({ ws: { allowDrafts: true, ping: 0.02 } });
    const socket = await connectRaw(server.port);
    socket.write(
      ['GET /demo HTTP/1.1', 'Host: example.com', 'Connection: Upgrade', 'Upgrade: WebSocket', '', ''].join(
        '\r\n',
      ),
    );
    expect((await readUntil(socket, '\r\n\r\n')).toString()).toMatch(/^HTTP\/1\.1 101 /);
    const ws = server.accepted[0]!;
    await seen(ws).opened;
    expect(ws.version).toBe('hixie-75');
    // Ten ping intervals, and as many pong deadlines, with no pong possible.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen(ws).events).toEqual(['open']);
    const message = once(ws, 'message');
    socket.write(Buffer.from([0x00, ...Buffer.from('still here'), 0xff]));
    expect((await message)[0].data).toBe('still here');
    socket.destroy();
  });

  it('treats a draft client as RFC 6455 without allowDrafts (426)', async () => {
    const server = await startServer();
    const socket = await connectRaw(server.port);
    socket.write(draft76);
    expect((await readUntil(socket, '\r\n\r\n')).toString()).toMatch(/^HTTP\/1\.1 (426|400) /);
  });
});

describe('constructor', () => {
  it('rejects response headers with CR/LF synchronously', async () => {
    const server = await startServer();
    const socket = await connectRaw(server.port);
    const request = { url: '/', headers: { host: 'h' }, socket } as unknown as http.IncomingMessage;
    expect(() => new WebSocket(request, socket, null, null, { headers: { 'X-A': 'b\r\nEvil: 1' } })).toThrow(
      TypeError,
    );
    expect(upgradeRequest()).toContain('Upgrade');
    socket.destroy();
  });

  it('rejects a bad extension plugin or timeout synchronously, not in the handshake tick', async () => {
    const server = await startServer();
    const socket = await connectRaw(server.port);
    const request = { url: '/', headers: { host: 'h' }, socket } as unknown as http.IncomingMessage;
    const construct = (options: object) => () => new WebSocket(request, socket, null, null, options);
    expect(construct({ extensions: [{ name: 'x', type: 'per-frame' }] })).toThrow(TypeError);
    expect(construct({ extensions: [null] })).toThrow(TypeError);
    expect(construct({ handshakeTimeout: -5 })).toThrow(TypeError);
    expect(construct({ closeTimeout: 2 ** 32 })).toThrow(RangeError);
    socket.destroy();
  });
});
