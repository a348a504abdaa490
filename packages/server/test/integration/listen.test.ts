import { once } from 'node:events';
import type { Socket } from 'node:net';
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
import {
  type ListenHandle,
  type ListenOptions,
  listen,
  MAX_HEAD_BYTES,
  type UpgradeRequest,
  type WebSocket,
} from '../../src/index.js';

const handles = new Set<ListenHandle>();

afterEach(async () => {
  await Promise.all([...handles].map((handle) => handle.close()));
  handles.clear();
});

async function start(
  options: ListenOptions = {},
  onConnection: (ws: WebSocket, request: UpgradeRequest) => void = (ws) => ws.pipe(ws),
): Promise<ListenHandle> {
  const handle = await listen({ host: '127.0.0.1', ...options }, onConnection);
  handles.add(handle);
  return handle;
}

/** Sends `bytes` on a fresh connection and resolves with everything the server sent until it closed. */
async function exchange(port: number, ...chunks: Array<string | Buffer>): Promise<string> {
  const socket = await connectRaw(port);
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  for (const chunk of chunks) socket.write(chunk);
  await once(socket, 'close');
  return Buffer.concat(received).toString('latin1');
}

function statusLine(response: string): string {
  return response.slice(0, response.indexOf('\r\n'));
}

describe('listen', () => {
  it('serves WebSocket clients on its own port, with the request as Node would give it', async () => {
    const requests: UpgradeRequest[] = [];
    const handle = await start({ path: '/chat', protocols: ['chat'] }, (ws, request) => {
      requests.push(request);
      ws.pipe(ws);
    });
    expect(handle.port).toBeGreaterThan(0);
    const client = new WS(`ws://127.0.0.1:${handle.port}/chat?room=1`, ['chat'], {
      headers: { 'X-Token': 'abc' },
    });
    client.on('error', () => {});
    await once(client, 'open');
    expect(client.protocol).toBe('chat');
    const echoed = once(client, 'message');
    client.send('hello');
    expect(String((await echoed)[0])).toBe('hello');

    const [request] = requests;
    expect(request?.method).toBe('GET');
    expect(request?.url).toBe('/chat?room=1');
    expect(request?.httpVersion).toBe('1.1');
    expect(request?.headers['x-token']).toBe('abc');
    expect(request?.headers.host).toBe(`127.0.0.1:${handle.port}`);
    const raw = request?.rawHeaders ?? [];
    expect(raw[raw.indexOf('X-Token') + 1]).toBe('abc');
    expect(request?.socket.remoteAddress).toBe('127.0.0.1');

    expect(handle.clients.size).toBe(1);
    const closed = once(client, 'close');
    await handle.close();
    expect((await closed)[0]).toBe(1001);
    expect(handle.clients.size).toBe(0);
    handles.delete(handle);
  });

  it('reads a head that arrives a byte at a time, and frames sent in the same packet as the head', async () => {
    const handle = await start();
    const socket = await connectRaw(handle.port);
    const head = upgradeRequest('/');
    for (const byte of Buffer.from(head.slice(0, -10), 'latin1')) {
      socket.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const response = readUntil(socket, Buffer.from([0x81, 0x02]));
    socket.write(Buffer.concat([Buffer.from(head.slice(-10), 'latin1'), frame(0x1, 'hi', { mask: true })]));
    const bytes = await response;
    const text = bytes.toString('latin1');
    expect(statusLine(text)).toBe('HTTP/1.1 101 Switching Protocols');
    const frames = parseFrames(bytes.subarray(text.indexOf('\r\n\r\n') + 4));
    expect(frames[0]?.payload.toString()).toBe('hi');
    socket.destroy();
  });

  it('guards a socket from errors while reading its head, and the guard becomes the driver’s error listener', async () => {
    let accepted: (value: { ws: WebSocket; socket: Socket }) => void = () => {};
    const accepting = new Promise<{ ws: WebSocket; socket: Socket }>((resolve) => {
      accepted = resolve;
    });
    const handle = await start({}, (ws, request) => {
      ws.once('open', () => accepted({ ws, socket: request.socket }));
    });
    // A reset in the middle of a head: ECONNRESET on a socket nobody has answered yet.
    const resetting = await connectRaw(handle.port);
    resetting.write('GET / HTTP/1.1\r\nHost: x\r\n');
    await new Promise((resolve) => setTimeout(resolve, 20));
    resetting.resetAndDestroy();
    await new Promise((resolve) => setTimeout(resolve, 50));

    const client = await connectRaw(handle.port);
    client.write(upgradeRequest('/'));
    const { ws, socket } = await accepting;
    expect(socket.listenerCount('error')).toBe(1);
    const errored = new Promise<{ message: string }>((resolve) => ws.once('error', resolve));
    const closed = new Promise<{ code: number; wasClean: boolean }>((resolve) => ws.once('close', resolve));
    socket.destroy(new Error('boom'));
    expect((await errored).message).toMatch(/boom$/);
    expect(await closed).toMatchObject({ code: 1006, wasClean: false });
    client.destroy();
  });

  it('answers what is not a WebSocket upgrade for it: 426, 400 for another path, 403 for an origin', async () => {
    const handle = await start({ path: '/ws', origins: ['https://good.example'] });
    const plain = await exchange(handle.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(statusLine(plain)).toBe('HTTP/1.1 426 Upgrade Required');
    expect(plain).toContain('\r\nUpgrade: websocket\r\n');
    expect(plain).toMatch(/\r\nConnection: Upgrade\r\n/);

    const elsewhere = await exchange(handle.port, upgradeRequest('/other', ['Origin: https://good.example']));
    expect(statusLine(elsewhere)).toBe('HTTP/1.1 400 Bad Request');
    expect(elsewhere).toContain('No WebSocket endpoint here');

    const evil = await exchange(handle.port, upgradeRequest('/ws', ['Origin: https://evil.example']));
    expect(statusLine(evil)).toBe('HTTP/1.1 403 Forbidden');
    expect(handle.clients.size).toBe(0);
  });

  it('refuses malformed heads: 400 for a bad request line, a folded header or HTTP/1.0', async () => {
    const handle = await start();
    expect(statusLine(await exchange(handle.port, 'GET /\r\n\r\n'))).toBe('HTTP/1.1 400 Bad Request');
    const folded = upgradeRequest('/', [' folded'], '127.0.0.1');
    expect(statusLine(await exchange(handle.port, folded))).toBe('HTTP/1.1 400 Bad Request');
    const old = upgradeRequest('/').replace('HTTP/1.1', 'HTTP/1.0');
    const response = await exchange(handle.port, old);
    expect(statusLine(response)).toBe('HTTP/1.1 400 Bad Request');
    expect(response).toContain('needs HTTP/1.1');
  });

  it('answers the handshake errors of the WebSocket itself (a bad key) as with attach()', async () => {
    const errors: string[] = [];
    const handle = await start({}, (ws) =>
      ws.on('error', (event: { error: { code: string } }) => errors.push(event.error.code)),
    );
    const request = upgradeRequest('/').replace('dGhlIHNhbXBsZSBub25jZQ==', 'short');
    expect(statusLine(await exchange(handle.port, request))).toBe('HTTP/1.1 400 Bad Request');
    expect(errors).toEqual(['WS_ERR_HANDSHAKE_INVALID_KEY']);
  });

  it('answers 400 to an upgrade without Host or with two (RFC 6455 §4.2.1, RFC 9112 §3.2)', async () => {
    const errors: string[] = [];
    const handle = await start({}, (ws) =>
      ws.on('error', (event: { message: string }) => errors.push(event.message)),
    );
    const noHost = upgradeRequest('/').replace('Host: 127.0.0.1\r\n', '');
    expect(noHost).not.toMatch(/host:/i);
    expect(statusLine(await exchange(handle.port, noHost))).toBe('HTTP/1.1 400 Bad Request');
    const twoHosts = upgradeRequest('/', ['host: evil.example']);
    expect(statusLine(await exchange(handle.port, twoHosts))).toBe('HTTP/1.1 400 Bad Request');
    expect(errors).toEqual([
      'Missing handshake request header: Host',
      'Duplicate handshake request header: Host',
    ]);
    expect(handle.clients.size).toBe(0);
  });

  it(`answers 431 to a head over ${MAX_HEAD_BYTES} bytes, in one packet or many`, async () => {
    const handle = await start();
    const filler = Array.from({ length: 40 }, (_, i) => `X-Filler-${i}: ${'v'.repeat(500)}`);
    const big = upgradeRequest('/', filler);
    expect(big.length).toBeGreaterThan(MAX_HEAD_BYTES);
    expect(statusLine(await exchange(handle.port, big))).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    const pieces = Array.from({ length: Math.ceil(big.length / 1000) }, (_, i) =>
      big.slice(i * 1000, i * 1000 + 1000),
    );
    expect(statusLine(await exchange(handle.port, ...pieces))).toBe(
      'HTTP/1.1 431 Request Header Fields Too Large',
    );
    // One line over the parser's 8 KiB is refused at once, before the blank line.
    const longLine = `GET /${'a'.repeat(9000)} HTTP/1.1\r\n`;
    expect(statusLine(await exchange(handle.port, longLine))).toBe(
      'HTTP/1.1 431 Request Header Fields Too Large',
    );
  });

  it('answers 408 to a client that sends no head within handshakeTimeout, and forgets one that leaves', async () => {
    const handle = await start({ handshakeTimeout: 100 });
    const started = Date.now();
    const response = await exchange(handle.port, 'GET / HTTP/1.1\r\nHost: x\r\n');
    expect(statusLine(response)).toBe('HTTP/1.1 408 Request Timeout');
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(95);
    expect(waited).toBeLessThan(2000);

    const leaving: Socket = await connectRaw(handle.port);
    leaving.write('GET / HTTP/1.1\r\n');
    leaving.destroy();
    // A client that left costs nothing more: close() resolves as soon as the server is idle.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await handle.close();
    handles.delete(handle);
  });

  it('closes a connection whose client ends before its head: 400 for a head begun, even with no timeout', async () => {
    const handle = await start({ handshakeTimeout: 0 });
    for (const [sent, answer] of [
      ['GET / HTTP/1.1\r\nHost: x\r\n', 'HTTP/1.1 400 Bad Request'],
      ['', ''],
    ] as const) {
      const socket = await connectRaw(handle.port);
      const received: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      if (sent !== '') socket.write(sent);
      // FIN without the rest: the server is half-open, so only its own handling closes this.
      socket.end();
      await within(once(socket, 'close'), 2000, 'the server closing the connection');
      expect(statusLine(Buffer.concat(received).toString('latin1'))).toBe(answer);
    }
    // Nothing is left waiting: close() resolves at once.
    await within(handle.close(), 2000, 'close()');
    handles.delete(handle);
  });

  it('drops connections still sending their head when closed, and rejects a port in use', async () => {
    const handle = await start({ handshakeTimeout: 0 });
    const waiting = await connectRaw(handle.port);
    waiting.write('GET / HTTP/1.1\r\n');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const gone = once(waiting, 'close');
    await handle.close();
    await gone;
    handles.delete(handle);

    const first = await start();
    await expect(listen({ host: '127.0.0.1', port: first.port }, () => {})).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });

  it('answers 500 when filter throws, and lets the error go on up', async () => {
    const bug = new Error('filter bug');
    const handle = await start({
      filter: () => {
        throw bug;
      },
    });
    // Stands in for a process 'uncaughtException' handler: the error leaves the socket's data event.
    const thrown: unknown[] = [];
    handle.server.prependListener('connection', (socket: Socket) => {
      const emit = socket.emit;
      socket.emit = function (this: Socket, ...args: Parameters<Socket['emit']>) {
        try {
          return emit.apply(this, args);
        } catch (error) {
          thrown.push(error);
          return true;
        }
      } as Socket['emit'];
    });
    const response = await within(exchange(handle.port, upgradeRequest('/')), 2000, 'an answer');
    expect(statusLine(response)).toBe('HTTP/1.1 500 Internal Server Error');
    expect(thrown).toEqual([bug]);
  });

  it('throws on unknown option keys and bad limits at once', () => {
    expect(() => listen({ prot: 1 } as never, () => {})).toThrow('Unrecognized option: prot');
    expect(() => listen({ maxFragments: 0 }, () => {})).toThrow(RangeError);
    expect(() => listen({ handshakeTimeout: 2 ** 31 }, () => {})).toThrow(RangeError);
    expect(() => listen({ closeTimeout: -1 }, () => {})).toThrow(TypeError);
    expect(() =>
      listen({ extensions: [{ name: 'x', type: 'permessage', rsv1: 'yes' } as never] }, () => {}),
    ).toThrow(TypeError);
  });

  it('throws a TypeError at once for a header value it cannot send, before it listens', () => {
    for (const value of [{ a: 1 }, ['ok', null], 'a\nb']) {
      expect(() => listen({ headers: { 'X-Bad': value as string } }, () => {})).toThrow(TypeError);
    }
  });

  it('leaves out of the 101 a header whose value is undefined or null', async () => {
    const handle = await start({ headers: { 'X-Undef': undefined, 'X-Null': null, 'X-Ok': 'yes' } });
    const socket = await connectRaw(handle.port);
    socket.write(upgradeRequest('/'));
    const response = (await within(readUntil(socket, '\r\n\r\n'), 2000, 'the 101')).toString('latin1');
    socket.destroy();
    expect(statusLine(response)).toBe('HTTP/1.1 101 Switching Protocols');
    expect(response.match(/^x-[^:]*: .*$/gim)).toEqual(['X-Ok: yes']);
  });
});

describe('handle.clients', () => {
  it('tracks open connections as a read-only set, and iterates a copy while they close', async () => {
    const handle = await start();
    const clients = await Promise.all(
      [0, 1, 2].map(async () => {
        const client = new WS(`ws://127.0.0.1:${handle.port}/`);
        client.on('error', () => {});
        await once(client, 'open');
        return client;
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(handle.clients.size).toBe(3);
    const servers = [...handle.clients];
    expect(servers.every((ws) => handle.clients.has(ws))).toBe(true);

    // Terminating while iterating: every one is visited once.
    const visited: WebSocket[] = [];
    for (const ws of handle.clients) {
      visited.push(ws);
      ws.terminate();
    }
    expect(new Set(visited).size).toBe(3);
    await Promise.all(clients.map((client) => once(client, 'close')));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(handle.clients.size).toBe(0);
    expect(servers.some((ws) => handle.clients.has(ws))).toBe(false);
  });
});
