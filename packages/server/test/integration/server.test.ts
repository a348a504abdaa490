import { once } from 'node:events';
import http, { type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { deflateRawSync, constants as zlibConstants } from 'node:zlib';
import type { Extension } from '@sockeye/core';
import { afterEach, describe, expect, it } from 'vitest';
import WS from 'ws';
import {
  connectRaw,
  frame,
  parseFrames,
  readUntil,
  upgradeRequest,
} from '../../../../test-support/hardening/raw-peer.js';
import { within } from '../../../../test-support/hardening/within.js';
import { listenLoopback } from '../../../../test-support/loopback-port.js';
import { permessageDeflate, WebSocket } from '../../src/index.js';
import {
  closeServers,
  nextEvent,
  seen,
  startServer,
  type TestServer,
  testCertificate,
} from '../support/servers.js';

afterEach(closeServers);

interface CloseInfo {
  code: number;
  reason: string;
  wasClean: boolean;
}

/** Writes `request` on a raw socket to `server`; resolves with the socket and the server's WebSocket for it. */
async function rawUpgrade(
  server: TestServer,
  request = upgradeRequest('/'),
): Promise<{ socket: Socket; ws: WebSocket }> {
  const socket = await connectRaw(server.port);
  const next = server.nextSocket();
  socket.write(request);
  return { socket, ws: await next };
}

function closeOf(ws: WebSocket): Promise<CloseInfo> {
  return seen(ws).closed;
}

/** A `ws` client; resolves once open. */
async function wsClient(url: string, protocols: string[] = [], options: object = {}) {
  const client = new WS(url, protocols, { ca: testCertificate().cert, ...options });
  client.on('error', () => {});
  await once(client, 'open');
  return client;
}

type WSClient = InstanceType<typeof WS>;

function clientMessages(client: WSClient, count: number): Promise<Array<{ data: Buffer; binary: boolean }>> {
  return new Promise((resolve) => {
    const out: Array<{ data: Buffer; binary: boolean }> = [];
    const onMessage = (data: Buffer, binary: boolean) => {
      out.push({ data, binary });
      if (out.length === count) {
        client.off('message', onMessage);
        resolve(out);
      }
    };
    client.on('message', onMessage);
  });
}

describe.each([
  ['http', false],
  ['https', true],
])('echo over %s', (_name, tls) => {
  it('echoes text and binary of 0, 125, 126, 65535, 65536 bytes and 16 MiB', async () => {
    const server = await startServer({ tls, onSocket: (ws) => ws.pipe(ws) });
    const client = await wsClient(`${server.origin}/echo`);
    const sizes = [0, 125, 126, 65535, 65536, 16 * 1024 * 1024];
    const received = clientMessages(client, sizes.length * 2);
    for (const size of sizes) {
      client.send('é'.repeat(size >> 1) + (size % 2 ? 'a' : ''));
      client.send(Buffer.alloc(size, size & 0xff), { binary: true });
    }
    const echoes = await received;
    for (const [i, size] of sizes.entries()) {
      const text = echoes[2 * i]!;
      const binary = echoes[2 * i + 1]!;
      expect([text.binary, text.data.length]).toEqual([false, size]);
      expect(text.data.toString()).toBe('é'.repeat(size >> 1) + (size % 2 ? 'a' : ''));
      expect([binary.binary, binary.data.length]).toEqual([true, size]);
      expect(binary.data.equals(Buffer.alloc(size, size & 0xff))).toBe(true);
    }
    expect(server.accepted[0]!.url).toBe(`${server.origin}/echo`);
    client.close();
  });
});

describe('handshake', () => {
  it('selects the first of the client protocols the server supports, and sets version', async () => {
    const server = await startServer({ protocols: ['xmpp', 'chat'] });
    const client = await wsClient(server.origin, ['irc', 'chat', 'xmpp']);
    const ws = server.accepted[0]!;
    if (ws.readyState !== WebSocket.OPEN) await seen(ws).opened;
    expect(client.protocol).toBe('chat');
    expect(ws.protocol).toBe('chat');
    expect(ws.version).toBe('hybi-13');
    client.close();
  });

  it('opens with protocol "" (no Sec-WebSocket-Protocol header) when no protocol is in common', async () => {
    const server = await startServer({ protocols: 'a, b' });
    const socket = await connectRaw(server.port);
    socket.write(upgradeRequest('/', ['Sec-WebSocket-Protocol: c, d']));
    const response = (await readUntil(socket, '\r\n\r\n')).toString();
    expect(response).toMatch(/^HTTP\/1\.1 101 /);
    expect(response).not.toMatch(/Sec-WebSocket-Protocol/i);
    const ws = server.accepted[0]!;
    await seen(ws).opened;
    expect(ws.protocol).toBe('');
    socket.destroy();
  });

  it('adds custom response headers to the 101', async () => {
    const server = await startServer({
      ws: { headers: { 'X-Custom': 'yes', 'Set-Cookie': ['a=1', 'b=2'] } },
    });
    const client = new WS(server.origin);
    const upgraded = once(client, 'upgrade');
    const opened = once(client, 'open');
    const [response] = (await upgraded) as [IncomingMessage];
    expect(response.headers['x-custom']).toBe('yes');
    expect(response.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    await opened;
    client.close();
  });

  it('leaves out of the 101 a header whose value is undefined or null, as faye leaves undefined out', async () => {
    const server = await startServer({
      ws: { headers: { 'X-Undef': undefined, 'X-Null': null, 'X-Empty': [], 'X-Ok': 'yes' } },
    });
    const socket = await connectRaw(server.port);
    socket.write(upgradeRequest('/'));
    const head = (await within(readUntil(socket, '\r\n\r\n'), 2000, 'the 101')).toString('latin1');
    expect(head).toMatch(/^HTTP\/1\.1 101 /);
    expect(head.match(/^x-[^:]*: .*$/gim)).toEqual(['X-Ok: yes']);
    await seen(server.accepted[0]!).opened;
    socket.destroy();
  });

  it('throws a TypeError at once for a header value it cannot send, never on the handshake tick', async () => {
    // Before the fix `null` and `{ a: 1 }` passed the constructor and crashed the process on the
    // handshake tick ("values is not iterable"), where no try/catch could reach it.
    const bad: unknown[] = [
      { a: 1 },
      Symbol('x'),
      () => 'x',
      ['ok', null],
      ['ok', { a: 1 }],
      'a\r\nX-Injected: 1',
    ];
    let constructed = 0;
    const server = http.createServer();
    server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
      for (const value of bad) {
        try {
          new WebSocket(request, socket, head, [], { headers: { 'X-Bad': value as string } });
          constructed++;
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
          expect((error as Error).message).toMatch(/X-Bad/);
        }
      }
      expect(() => new WebSocket(request, socket, head, [], { headers: 'X-A: b' as never })).toThrow(
        TypeError,
      );
      socket.destroy();
    });
    const port = await listenLoopback(server);
    try {
      const socket = await connectRaw(port);
      socket.write(upgradeRequest('/'));
      await within(once(socket, 'close'), 2000, 'the server to drop the socket');
      // A handshake tick would have run by now: nothing was constructed to run one.
      await new Promise((resolve) => setImmediate(resolve));
      expect(constructed).toBe(0);
    } finally {
      server.close();
    }
  });

  it('fires open after listeners attached right after construction, then flushes messages queued before it', async () => {
    const events: string[] = [];
    const server = await startServer({
      onSocket: (ws) => {
        expect(ws.readyState).toBe(WebSocket.CONNECTING);
        expect(ws.send('queued 1')).toBe(true);
        ws.send(Buffer.from('queued 2'));
        ws.on('open', () => events.push('open'));
      },
    });
    const client = new WS(server.origin);
    const received = clientMessages(client, 2);
    const data = await received;
    expect(data.map((m) => m.data.toString())).toEqual(['queued 1', 'queued 2']);
    expect(events).toEqual(['open']);
    client.close();
  });

  it('clears the idle timeout the HTTP server set (server.timeout): a quiet WebSocket never times out', async () => {
    const server = await startServer({ onSocket: (ws) => ws.pipe(ws) });
    server.server.setTimeout(150);
    const upgraded = new Promise<Socket>((resolve) =>
      server.server.once('upgrade', (_request: IncomingMessage, socket: Socket) => resolve(socket)),
    );
    const client = await wsClient(server.origin);
    const socket = await upgraded;
    expect(socket.timeout).toBe(0);
    let timeouts = 0;
    socket.on('timeout', () => timeouts++);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(timeouts).toBe(0);
    const echoed = clientMessages(client, 1);
    client.send('still here');
    expect((await echoed)[0]?.data.toString()).toBe('still here');
    client.close();
  });

  it('processes frames that arrive in the same packet as the request', async () => {
    const got: string[] = [];
    let done!: () => void;
    const two = new Promise<void>((resolve) => {
      done = resolve;
    });
    const server = await startServer({
      onSocket: (ws) =>
        ws.on('message', (e: { data: string }) => {
          got.push(e.data);
          if (got.length === 2) done();
        }),
    });
    const socket = await connectRaw(server.port);
    socket.write(
      Buffer.concat([
        Buffer.from(upgradeRequest('/')),
        frame(1, 'first', { mask: true }),
        frame(1, 'second', { mask: true }),
      ]),
    );
    await two;
    expect(got).toEqual(['first', 'second']);
    expect(seen(server.accepted[0]!).events).toEqual(['open']);
    socket.destroy();
  });

  it('answers 426 with Sec-WebSocket-Version: 13 for another version, then error and close 1002', async () => {
    const server = await startServer();
    const { socket, ws } = await rawUpgrade(
      server,
      upgradeRequest('/').replace('Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 8'),
    );
    const closed = closeOf(ws);
    const response = await readUntil(socket, '\r\n\r\n');
    const text = response.toString();
    expect(text).toMatch(/^HTTP\/1\.1 426 /);
    expect(text).toMatch(/\r\nSec-WebSocket-Version: 13\r\n/i);
    const close = await closed;
    expect(seen(ws).events).toEqual(['error', 'close']);
    expect(close.code).toBe(1002);
    expect(close.wasClean).toBe(false);
    expect(close.reason.length).toBeGreaterThan(0);
    await once(socket, 'close');
  });

  it('answers 400 with a plain-text reason for a missing key', async () => {
    const server = await startServer();
    const { socket, ws } = await rawUpgrade(
      server,
      upgradeRequest('/').replace(/Sec-WebSocket-Key: .*\r\n/, ''),
    );
    const error = seen(ws).error;
    const response = (await readUntil(socket, '\r\n\r\n')).toString();
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    expect(response).toMatch(/Content-Type: text\/plain/i);
    expect((await error).error.statusCode).toBe(400);
    expect((await closeOf(ws)).code).toBe(1002);
  });

  it('answers 400 to an HTTP/1.0 upgrade (RFC 6455 §4.2.1 asks for HTTP/1.1 or later)', async () => {
    const server = await startServer();
    const { socket, ws } = await rawUpgrade(server, upgradeRequest('/').replace('HTTP/1.1', 'HTTP/1.0'));
    const response = (await readUntil(socket, '\r\n\r\n')).toString();
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    expect((await closeOf(ws)).code).toBe(1002);
  });

  it('fails (426: the version was cut), never crashes, when Node dropped headers past maxHeadersCount', async () => {
    const server = await startServer();
    server.server.maxHeadersCount = 4;
    const socket = await connectRaw(server.port);
    const next = server.nextSocket();
    // Upgrade and Connection survive; the key and version come after the cut.
    socket.write(
      [
        'GET / HTTP/1.1',
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Host: 127.0.0.1',
        'X-Filler: 1',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version: 13',
        '',
        '',
      ].join('\r\n'),
    );
    const ws = await next;
    const response = (await readUntil(socket, '\r\n\r\n')).toString();
    expect(response).toMatch(/^HTTP\/1\.1 426 /);
    expect(response).toContain('Sec-WebSocket-Version: 13\r\n');
    expect((await closeOf(ws)).wasClean).toBe(false);
  });

  it('reports wss:// behind a TLS-terminating proxy (X-Forwarded-Proto: https)', async () => {
    const server = await startServer();
    const client = new WS(`${server.origin}/path?q=1`, { headers: { 'X-Forwarded-Proto': 'https' } });
    await once(client, 'open');
    expect(server.accepted[0]!.url).toBe(`wss://127.0.0.1:${server.port}/path?q=1`);
    client.close();
  });

  it('gives each connection the url of its own request when consecutive ones differ in scheme, path or host', async () => {
    // The server reuses the last url it built when host, path and scheme match: any of the three
    // differing must build a new one.
    const server = await startServer();
    const requests: Array<[string, Record<string, string>]> = [
      ['/a', {}],
      ['/a', { 'X-Forwarded-Proto': 'https' }],
      ['/b', {}],
      ['/a', { Host: 'other.example' }],
      ['/a', {}],
    ];
    for (const [path, headers] of requests) {
      const client = new WS(`${server.origin}${path}`, { headers });
      await once(client, 'open');
      client.close();
    }
    const hostPort = `127.0.0.1:${server.port}`;
    expect(server.accepted.map((ws) => ws.url)).toEqual([
      `ws://${hostPort}/a`,
      `wss://${hostPort}/a`,
      `ws://${hostPort}/b`,
      'ws://other.example/a',
      `ws://${hostPort}/a`,
    ]);
  });

  it('takes the url of an absolute-form target from the target, not from Host (RFC 9112 §3.2.2)', async () => {
    const server = await startServer();
    const { socket, ws } = await rawUpgrade(
      server,
      upgradeRequest('http://example.com:8080/chat?room=1', [], 'other.example'),
    );
    expect(ws.url).toBe('ws://example.com:8080/chat?room=1');
    socket.destroy();
  });

  it('close() converts its code as browsers and faye do: "3000" and 3000.4 send 3000', async () => {
    const server = await startServer();
    for (const code of ['3000', 3000.4]) {
      const client = await wsClient(server.origin);
      const ws = server.accepted.at(-1)!;
      const closed = once(client, 'close');
      ws.close(code as number, 'bye');
      expect((await closed)[0]).toBe(3000);
    }
  });

  it('throws on unknown options and accepts faye’s proxy/tls/ca silently', () => {
    const request = { url: '/', headers: { host: 'h' }, socket: {} } as unknown as IncomingMessage;
    const socket = { on() {}, destroy() {} } as never;
    expect(() => new WebSocket(request, socket, null, null, { maxLenght: 1 } as never)).toThrow(
      'Unrecognized option: maxLenght',
    );
  });

  it('throws for a maxLength or maxFragments the engine cannot take, before the handshake tick', () => {
    // The engine is built on the handshake tick: a throw there would crash the process.
    const request = { url: '/', headers: { host: 'h' }, socket: {} } as unknown as IncomingMessage;
    const socket = { on() {}, destroy() {} } as never;
    for (const options of [{ maxLength: -1 }, { maxLength: Number.POSITIVE_INFINITY }, { maxFragments: 0 }]) {
      expect(() => new WebSocket(request, socket, null, null, options)).toThrow(RangeError);
    }
  });
});

describe('ping', () => {
  it('ping(message, cb) runs the callback on the matching pong', async () => {
    const server = await startServer();
    const client = await wsClient(server.origin);
    const ws = server.accepted[0]!;
    if (ws.readyState !== WebSocket.OPEN) await seen(ws).opened;
    const pong = nextEvent<{ data: Buffer }>(ws, 'pong');
    await new Promise<void>((resolve) => ws.ping('Mic check, one, two', resolve));
    expect((await pong).data.toString()).toBe('Mic check, one, two');
    client.close();
  });

  it('ping(null, cb) sends an empty ping, as faye and ws (sockjs calls it so)', async () => {
    const server = await startServer();
    const client = await wsClient(server.origin);
    const ws = server.accepted[0]!;
    if (ws.readyState !== WebSocket.OPEN) await seen(ws).opened;
    const ping = new Promise<Buffer>((resolve) => client.once('ping', resolve));
    await new Promise<void>((resolve) => ws.ping(null as never, resolve));
    expect((await ping).length).toBe(0);
    client.close();
  });

  it('sends pings every `ping` seconds', async () => {
    const server = await startServer({ ws: { ping: 0.03 } });
    const client = await wsClient(server.origin);
    const pings: string[] = [];
    await new Promise<void>((resolve) =>
      client.on('ping', (data: Buffer) => {
        pings.push(data.toString());
        if (pings.length === 2) resolve();
      }),
    );
    expect(pings).toEqual(['1', '2']);
    client.close();
  });

  it('closes a peer that answers no ping (1006, WS_ERR_PING_TIMEOUT, socket destroyed)', async () => {
    const server = await startServer({ ws: { ping: 0.03, pingTimeout: 60 } });
    const client = await wsClient(server.origin, [], { autoPong: false });
    const clientClosed = once(client, 'close');
    const ws = server.accepted[0]!;
    const error = seen(ws).error;
    const close = await closeOf(ws);
    expect((await error).error.code).toBe('WS_ERR_PING_TIMEOUT');
    expect([close.code, close.wasClean]).toEqual([1006, false]);
    const [code] = (await clientClosed) as [number];
    expect(code).toBe(1006);
  });
});

describe('closing', () => {
  /** A server and a ws client connected to it, both ends' close events awaited from the start. */
  async function openPair() {
    const server = await startServer();
    const client = await wsClient(server.origin);
    const ws = server.accepted[0]!;
    return { client, ws, serverClose: closeOf(ws), clientClose: once(client, 'close') };
  }

  it('client closes: code and reason reach the server, clean on both sides', async () => {
    const { client, serverClose, clientClose } = await openPair();
    client.close(4001, 'done');
    expect(await serverClose).toEqual({ code: 4001, reason: 'done', wasClean: true });
    const [code, reason] = (await clientClose) as [number, Buffer];
    expect([code, reason.toString()]).toEqual([4001, 'done']);
  });

  it('server closes: the client sees the code and the server’s TCP close; the server event is clean', async () => {
    const { ws, serverClose, clientClose } = await openPair();
    ws.close(1001, 'going away');
    expect(ws.readyState).toBe(WebSocket.CLOSING);
    const [code] = (await clientClose) as [number];
    expect(code).toBe(1001);
    expect(await serverClose).toEqual({ code: 1001, reason: 'going away', wasClean: true });
  });

  it('close timeout: a peer that never answers the close frame is dropped with 1006', async () => {
    const server = await startServer({ ws: { closeTimeout: 100 } });
    const { socket, ws } = await rawUpgrade(server);
    await seen(ws).opened;
    socket.on('data', () => {});
    const closed = closeOf(ws);
    const socketClosed = once(socket, 'close');
    ws.close();
    expect(await closed).toEqual({ code: 1006, reason: '', wasClean: false });
    await socketClosed;
  });

  /** A raw client that keeps its side open after the server's FIN (allowHalfOpen), upgraded. */
  async function halfOpenClient(server: TestServer, headers: readonly string[] = []) {
    const socket = connect({ host: '127.0.0.1', port: server.port, allowHalfOpen: true });
    socket.on('error', () => {});
    await once(socket, 'connect');
    const next = server.nextSocket();
    socket.write(upgradeRequest('/', headers));
    const ws = await next;
    await seen(ws).opened;
    return { socket, ws };
  }

  it('closing handshake done: the server closes TCP at once, not waiting for the client’s FIN', async () => {
    // A long close timeout: the close event comes in time only if the server does not wait.
    const server = await startServer({ ws: { closeTimeout: 60_000 } });
    const { socket, ws } = await halfOpenClient(server);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const ended = once(socket, 'end');
    socket.write(frame(8, Buffer.from([0x03, 0xe8, 0x62, 0x79, 0x65]), { mask: true }));
    expect(await within(closeOf(ws), 2000, 'the server close event')).toEqual({
      code: 1000,
      reason: 'bye',
      wasClean: true,
    });
    await within(ended, 2000, 'the server FIN');
    const received = Buffer.concat(chunks);
    const frames = parseFrames(received.subarray(received.indexOf('\r\n\r\n') + 4));
    expect(frames.map((f) => f.opcode)).toEqual([8]);
    expect(frames[0]!.payload.readUInt16BE(0)).toBe(1000);
    socket.destroy();
  });

  it('closing handshake done with bytes still queued: all of them, then FIN, reach the client', async () => {
    const server = await startServer({ ws: { closeTimeout: 60_000 } });
    const { socket, ws } = await halfOpenClient(server);
    socket.pause(); // the kernel buffers fill; the rest of the message waits in Node
    const message = Buffer.alloc(32 * 1024 * 1024);
    for (let i = 0; i < message.length; i += 4096) message.writeUInt32BE(i, i);
    ws.send(message);
    expect(ws.bufferedAmount).toBeGreaterThan(0);
    socket.write(frame(8, Buffer.from([0x03, 0xe8]), { mask: true }));
    const closed = closeOf(ws);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.resume();
    await within(once(socket, 'end'), 10_000, 'the server FIN');
    socket.end(); // the server ended gracefully and waits for this FIN
    expect(await within(closed, 2000, 'the server close event')).toMatchObject({
      code: 1000,
      wasClean: true,
    });
    const received = Buffer.concat(chunks);
    const frames = parseFrames(received.subarray(received.indexOf('\r\n\r\n') + 4));
    expect(frames.map((f) => f.opcode)).toEqual([2, 8]);
    expect(frames[0]!.payload.equals(message)).toBe(true);
  });

  it('a message still in zlib when the client’s Close arrives reaches the client before the close frame', async () => {
    const big = 'sockeye '.repeat(256 * 1024); // 2 MiB of text: compressed on zlib's thread pool
    const server = await startServer({
      ws: { extensions: [permessageDeflate()], closeTimeout: 60_000 },
      onSocket: (ws) => ws.on('message', () => ws.send(big)),
    });
    const client = await wsClient(server.origin, [], { perMessageDeflate: true });
    const ws = server.accepted[0]!;
    const messages: string[] = [];
    client.on('message', (data: Buffer) => messages.push(data.toString()));
    const clientClosed = once(client, 'close');
    // The Close follows the message in the same write: the server reads both in one chunk, while
    // the answer to the message is still being compressed.
    client.send('go');
    client.close(1000, 'bye');
    const [code] = (await within(clientClosed, 10_000, 'the client close')) as [number];
    expect(code).toBe(1000);
    expect(messages.length).toBe(1);
    expect(messages[0] === big).toBe(true);
    expect(await closeOf(ws)).toMatchObject({ code: 1000, wasClean: true });
  });

  /** A masked text frame compressed as RFC 7692 §7.2.1 says: deflate, sync flush, tail removed. */
  function compressedTextFrame(text: string): Buffer {
    const deflated = deflateRawSync(text, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    return frame(1, deflated.subarray(0, deflated.length - 4), { mask: true, rsv: 4 });
  }

  /** A permessage-deflate server that records its messages and its close, in order. */
  async function recordingDeflateServer() {
    const order: string[] = [];
    const server = await startServer({
      ws: { extensions: [permessageDeflate()] },
      onSocket: (ws) => {
        ws.on('message', (event: { data: string }) => order.push(`message ${event.data.length}`));
        ws.on('close', (event: { code: number }) => order.push(`close ${event.code}`));
      },
    });
    const { socket, ws } = await halfOpenClient(server, ['Sec-WebSocket-Extensions: permessage-deflate']);
    return { order, socket, ws };
  }

  // The client's FIN arrives while its last message is still inflating on zlib's thread pool.
  const text = 'sockeye '.repeat(64 * 1024);

  it('a compressed message, a Close and FIN in one go: the message, then the client’s close code', async () => {
    const { order, socket, ws } = await recordingDeflateServer();
    socket.end(
      Buffer.concat([compressedTextFrame(text), frame(8, Buffer.from([0x03, 0xe8]), { mask: true })]),
    );
    expect(await within(closeOf(ws), 5000, 'the server close event')).toMatchObject({ code: 1000 });
    expect(order).toEqual([`message ${text.length}`, 'close 1000']);
  });

  it('a compressed message then FIN without a Close: the message, then 1006', async () => {
    const { order, socket, ws } = await recordingDeflateServer();
    socket.end(compressedTextFrame(text));
    expect(await within(closeOf(ws), 5000, 'the server close event')).toEqual({
      code: 1006,
      reason: '',
      wasClean: false,
    });
    expect(order).toEqual([`message ${text.length}`, 'close 1006']);
  });

  it('a reset while a compressed message is inflating: close 1006 is the last event', async () => {
    const { order, socket, ws } = await recordingDeflateServer();
    socket.write(compressedTextFrame(text), () => setTimeout(() => socket.resetAndDestroy(), 1));
    expect(await within(closeOf(ws), 5000, 'the server close event')).toMatchObject({ code: 1006 });
    // Give the inflate time to finish: nothing may be delivered after the close.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(order.at(-1)).toBe('close 1006');
  });

  it('the close timeout after a FIN gives up on a message still decoding: close comes once, on time', async () => {
    // An extension that takes 5 s to decode: the FIN is followed by the close timeout, and the
    // close event must come then, not after waiting for the extension or a second timeout.
    const slow: Extension = {
      name: 'x-slow',
      type: 'permessage',
      rsv1: true,
      rsv2: false,
      rsv3: false,
      createClientSession: () => null,
      createServerSession: () => ({
        generateResponse: () => ({}),
        processIncomingMessage: (message, callback) =>
          void setTimeout(() => callback(null, message), 5000).unref(),
        processOutgoingMessage: (message, callback) => callback(null, message),
      }),
    };
    const order: string[] = [];
    const server = await startServer({
      ws: { extensions: [slow], closeTimeout: 500 },
      onSocket: (ws) => {
        ws.on('message', () => order.push('message'));
        ws.on('close', (event: { code: number }) => order.push(`close ${event.code}`));
      },
    });
    const { socket, ws } = await halfOpenClient(server, ['Sec-WebSocket-Extensions: x-slow']);
    const started = Date.now();
    socket.end(frame(1, 'held', { mask: true, rsv: 4 }));
    expect(await within(closeOf(ws), 3000, 'the server close event')).toMatchObject({ code: 1006 });
    expect(Date.now() - started).toBeLessThan(900);
    expect(order).toEqual(['close 1006']);
  });

  it('TCP reset in the middle of a frame: close 1006, not clean', async () => {
    const server = await startServer();
    const { socket, ws } = await rawUpgrade(server);
    await seen(ws).opened;
    const closed = closeOf(ws);
    socket.write(frame(2, Buffer.alloc(1000), { mask: true }).subarray(0, 300));
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.resetAndDestroy();
    expect(await closed).toEqual({ code: 1006, reason: '', wasClean: false });
  });

  it('a protocol error by the client: error then close 1002, and the close frame on the wire', async () => {
    const server = await startServer();
    const { socket, ws } = await rawUpgrade(server);
    await seen(ws).opened;
    const bytes = readUntil(socket, Buffer.from([0x88]));
    const error = seen(ws).error;
    socket.write(frame(1, 'unmasked'));
    expect((await error).error.closeCode).toBe(1002);
    const received = await bytes;
    const frames = parseFrames(received.subarray(received.indexOf('\r\n\r\n') + 4));
    expect(frames.at(-1)?.opcode).toBe(8);
    expect(frames.at(-1)?.payload.readUInt16BE(0)).toBe(1002);
    socket.end();
    expect((await closeOf(ws)).code).toBe(1002);
  });
});

describe('streams and backpressure', () => {
  it('ws.pipe(ws) echoes', async () => {
    const server = await startServer({ onSocket: (ws) => ws.pipe(ws) });
    const client = await wsClient(server.origin);
    const received = clientMessages(client, 50);
    for (let i = 0; i < 50; i++) client.send(`m${i}`);
    expect((await received).map((m) => m.data.toString())).toEqual(
      Array.from({ length: 50 }, (_, i) => `m${i}`),
    );
    client.close();
  });

  it('a client that stops reading never makes the server buffer without bound', async () => {
    const highWaterMark = 256 * 1024;
    const server = await startServer({ ws: { highWaterMark } });
    const { socket, ws } = await rawUpgrade(server);
    await seen(ws).opened;
    socket.pause(); // stops reading: the kernel buffers fill, then the server's socket buffer
    const chunk = Buffer.alloc(64 * 1024);
    let sent = 0;
    let peak = 0;
    // A producer that honours send()'s result, as pipe() does, for 64 MiB worth of attempts.
    for (let round = 0; round < 1024; round++) {
      if (!ws.send(chunk)) {
        const drained = await Promise.race([
          nextEvent(ws, 'drain').then(() => true),
          new Promise((resolve) => setTimeout(resolve, 30, false)),
        ]);
        if (!drained) break; // the reader is stalled: stop producing
      }
      sent++;
      peak = Math.max(peak, ws.bufferedAmount);
    }
    expect(sent).toBeLessThan(1024);
    expect(peak).toBeLessThan(highWaterMark + chunk.length + 1);
    // Reading again drains the server and the producer may continue.
    const drained = nextEvent(ws, 'drain');
    socket.resume();
    socket.on('data', () => {});
    await drained;
    expect(ws.bufferedAmount).toBeLessThan(highWaterMark);
    socket.destroy();
  });

  it('pause() stops reading from a fast client; memory stays bounded by the kernel window', async () => {
    const server = await startServer();
    const client = await wsClient(server.origin);
    const ws = server.accepted[0]!;
    if (ws.readyState !== WebSocket.OPEN) await seen(ws).opened;
    ws.pause();
    let count = 0;
    ws.on('message', () => count++);
    const chunk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < 256; i++) client.send(chunk); // 16 MiB
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(count).toBe(0);
    expect(client.bufferedAmount).toBeGreaterThan(0); // the client could not get rid of it all
    const all = new Promise<void>((resolve) => ws.on('message', () => count === 256 && resolve()));
    ws.resume();
    await all;
    client.close();
  });
});
