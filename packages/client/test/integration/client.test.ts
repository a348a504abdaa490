import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type * as http from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, HandshakeError, NetworkError } from '@sockeye/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test-support/loopback-port.js';
import { selfSignedCertificate, type TlsFixture } from '../../../../test-support/tls-fixture.js';
import { Client } from '../../src/client.js';
import { echo, nextMessage, opened, outcome } from '../support/events.js';
import { acceptFor, type RunningServer, startRawServer, startWsEchoServer } from '../support/servers.js';

let certificate: TlsFixture;
let plain: RunningServer & { requests: http.IncomingMessage[] };
let secure: RunningServer & { requests: http.IncomingMessage[] };

beforeAll(async () => {
  certificate = selfSignedCertificate();
  plain = await startWsEchoServer();
  secure = await startWsEchoServer(certificate);
});

afterAll(async () => {
  await plain.close();
  await secure.close();
});

/** Answers the upgrade with a correct 101 for `key`, plus `extra` header lines and trailing bytes. */
function switching(request: http.IncomingMessage, extra = '', after: Buffer = Buffer.alloc(0)): Buffer {
  const key = String(request.headers['sec-websocket-key']);
  return Buffer.concat([
    Buffer.from(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Accept: ${acceptFor(key)}\r\n${extra}\r\n`,
    ),
    after,
  ]);
}

describe('Client against a ws server', () => {
  it('opens, reports status and headers, negotiates the subprotocol and echoes text and binary', async () => {
    const ws = new Client(`ws://127.0.0.1:${plain.port}/chat?room=1`, ['foo', 'echo']);
    expect(ws.readyState).toBe(Client.CONNECTING);
    await opened(ws);
    expect(ws.readyState).toBe(Client.OPEN);
    expect(ws.statusCode).toBe(101);
    expect(ws.headers?.upgrade).toBe('websocket');
    expect(ws.protocol).toBe('echo');
    expect(ws.version).toBe('hybi-13');
    const request = plain.requests.at(-1)!;
    expect(request.url).toBe('/chat?room=1');
    expect(request.headers['sec-websocket-protocol']).toBe('foo, echo');
    ws.send('héllo');
    expect(await nextMessage(ws)).toBe('héllo');
    ws.send(new Uint8Array([1, 2, 3]));
    expect(await nextMessage(ws)).toEqual(Buffer.from([1, 2, 3]));
    const closed = outcome(ws);
    ws.close(1000, 'bye');
    const result = await closed;
    expect(result.close.code).toBe(1000);
    expect(result.close.wasClean).toBe(true);
    expect(ws.readyState).toBe(Client.CLOSED);
  });

  it('queues messages sent before open and flushes them in order', async () => {
    const ws = new Client(`ws://127.0.0.1:${plain.port}/`);
    expect(ws.send('one')).toBe(true);
    expect(ws.send('two')).toBe(true);
    const received: unknown[] = [];
    await new Promise<void>((resolve) => {
      ws.on('message', (event) => {
        received.push(event.data);
        if (received.length === 2) resolve();
      });
    });
    expect(received).toEqual(['one', 'two']);
    ws.close();
    await outcome(ws);
  });

  it('sends user headers and Basic authorization from the URL, and the default path /', async () => {
    const ws = new Client(`ws://alice:s%20cret@127.0.0.1:${plain.port}`, [], {
      headers: { Origin: 'http://app.test', 'X-Custom': 'yes', Host: 'evil.test' },
    });
    await opened(ws);
    const request = plain.requests.at(-1)!;
    expect(request.url).toBe('/');
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from('alice:s cret').toString('base64')}`);
    expect(request.headers.origin).toBe('http://app.test');
    expect(request.headers['x-custom']).toBe('yes');
    expect(request.headers.host).toBe(`127.0.0.1:${plain.port}`);
    ws.close();
    await outcome(ws);
  });

  it('leaves out a header whose value is undefined or null, as faye leaves undefined out', async () => {
    // faye's `headers: { Cookie: request.headers.cookie }` pattern: no cookie, no `Cookie` header.
    const ws = new Client(`ws://127.0.0.1:${plain.port}/`, [], {
      headers: { Cookie: undefined, 'X-Null': null, 'X-Empty': [], 'X-Ok': 'yes', 'X-List': ['a', 2] },
    });
    await opened(ws);
    const raw = plain.requests
      .at(-1)!
      .rawHeaders.filter((_, i, all) => /^(x-|cookie)/i.test(all[i - (i % 2)]!));
    expect(raw).toEqual(['X-Ok', 'yes', 'X-List', 'a, 2']);
    ws.close();
    await outcome(ws);
  });

  it('connects over wss: trusting the certificate through tls.ca', async () => {
    const ws = new Client(`wss://localhost:${secure.port}/`, ['echo'], { tls: { ca: certificate.cert } });
    expect(await echo(ws, ['over TLS'])).toEqual(['over TLS']);
  });

  it('connects over wss: trusting the certificate through the legacy ca option', async () => {
    const ws = new Client(`wss://127.0.0.1:${secure.port}/`, [], { ca: certificate.cert });
    expect(await echo(ws, ['legacy ca'])).toEqual(['legacy ca']);
  });

  it('refuses an untrusted certificate: error then close 1006', async () => {
    const ws = new Client(`wss://localhost:${secure.port}/`);
    const result = await outcome(ws);
    expect(result.events).toEqual(['error', 'close']);
    expect(result.error?.error).toBeInstanceOf(NetworkError);
    expect(result.error?.message).toMatch(
      new RegExp(`^Network error: wss://localhost:${secure.port}/: .*self[- ]signed`),
    );
    expect(result.close.code).toBe(1006);
    expect(result.close.wasClean).toBe(false);
  });

  it('passes the net option to net.connect (here: a Unix socket path)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockeye-client-unix-'));
    const path = join(dir, 'ws.sock');
    const server = await startWsEchoServer();
    // The same ws server, also listening on a Unix socket.
    const unix = net.createServer((socket) => {
      const tcp = net.connect(server.port, '127.0.0.1');
      socket.pipe(tcp).pipe(socket);
      socket.on('error', () => tcp.destroy());
      tcp.on('error', () => socket.destroy());
    });
    unix.listen(path);
    await once(unix, 'listening');
    try {
      const ws = new Client('ws://unix.invalid/', [], { net: { path } });
      expect(await echo(ws, ['via unix socket'])).toEqual(['via unix socket']);
    } finally {
      unix.close();
      await once(unix, 'close');
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Client failures', () => {
  it('throws for a URL that is not ws: or wss:', () => {
    expect(() => new Client('http://example.com/')).toThrow(
      'http://example.com/ is not a valid WebSocket URL',
    );
    expect(() => new Client('stream.wikimedia.org/rc')).toThrow('is not a valid WebSocket URL');
  });

  it('throws for unknown options', () => {
    expect(() => new Client('ws://127.0.0.1:1/', [], { bogus: 1 } as never)).toThrow(
      'Unrecognized option: bogus',
    );
    expect(() => new Client('ws://127.0.0.1:1/', [], { proxy: { orign: 'x' } } as never)).toThrow(
      'Unrecognized option: orign',
    );
  });

  it('reports a refused connection as a network error, then close 1006', async () => {
    const port = await freePort();
    const ws = new Client(`ws://127.0.0.1:${port}/`);
    const result = await outcome(ws);
    expect(result.events).toEqual(['error', 'close']);
    expect(result.error?.message).toMatch(
      new RegExp(`^Network error: ws://127.0.0.1:${port}/: connect ECONNREFUSED`),
    );
    expect((result.error!.error as NetworkError).code).toBe(ErrorCode.Network);
    expect(result.close.code).toBe(1006);
  });

  it('fails on a 200 answer instead of 101, with the status and headers', async () => {
    const server = await startRawServer((_request, socket) =>
      socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi'),
    );
    try {
      const ws = new Client(`ws://127.0.0.1:${server.port}/`);
      const result = await outcome(ws);
      expect(result.events).toEqual(['error', 'close']);
      expect(result.error?.message).toMatch(/^Error during WebSocket handshake: /);
      const error = result.error?.error as HandshakeError;
      expect(error).toBeInstanceOf(HandshakeError);
      expect(error.statusCode).toBe(200);
      expect(ws.statusCode).toBe(200);
      expect(ws.headers?.['content-type']).toBe('text/plain');
      expect(result.close.code).toBe(1006);
      expect(result.close.wasClean).toBe(false);
      await Promise.all(server.closed);
    } finally {
      await server.close();
    }
  });

  it('fails on a wrong Sec-WebSocket-Accept and frees the socket', async () => {
    const server = await startRawServer((_request, socket) =>
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      ),
    );
    try {
      const ws = new Client(`ws://127.0.0.1:${server.port}/`);
      const result = await outcome(ws);
      expect(result.events).toEqual(['error', 'close']);
      expect(result.error?.message).toMatch(/^Error during WebSocket handshake: .*Sec-WebSocket-Accept/i);
      expect((result.error!.error as HandshakeError).code).toBe(ErrorCode.HandshakeAcceptMismatch);
      expect(result.close.code).toBe(1006);
      await Promise.all(server.closed);
    } finally {
      await server.close();
    }
  });

  it('fails when the server selects a subprotocol that was not offered', async () => {
    const server = await startRawServer((request, socket) =>
      socket.write(switching(request, 'Sec-WebSocket-Protocol: irc\r\n')),
    );
    try {
      const ws = new Client(`ws://127.0.0.1:${server.port}/`, ['xmpp']);
      const result = await outcome(ws);
      expect(result.events).toEqual(['error', 'close']);
      expect((result.error!.error as HandshakeError).code).toBe(ErrorCode.HandshakeProtocolMismatch);
    } finally {
      await server.close();
    }
  });

  it('times out a handshake that never completes, and frees the socket', async () => {
    const server = await startRawServer(() => {});
    try {
      const ws = new Client(`ws://127.0.0.1:${server.port}/`, [], { handshakeTimeout: 300 });
      const result = await outcome(ws);
      expect(result.events).toEqual(['error', 'close']);
      expect((result.error!.error as HandshakeError).code).toBe(ErrorCode.HandshakeTimeout);
      expect(result.error?.message).toMatch(/^Error during WebSocket handshake: /);
      expect(result.close.code).toBe(1006);
      await Promise.all(server.closed);
      expect(server.open.size).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('fails when the server closes the connection before answering', async () => {
    const server = await startRawServer((_request, socket) => socket.destroy());
    try {
      const ws = new Client(`ws://127.0.0.1:${server.port}/`);
      const result = await outcome(ws);
      expect(result.events).toEqual(['error', 'close']);
      expect(result.close.code).toBe(1006);
    } finally {
      await server.close();
    }
  });

  it('reads frames that arrive in the same packet as the 101', async () => {
    // An unmasked text frame "Hi" right behind the head.
    const server = await startRawServer((request, socket) =>
      socket.write(switching(request, '', Buffer.from([0x81, 0x02, 0x48, 0x69]))),
    );
    try {
      const ws = new Client(`ws://127.0.0.1:${server.port}/`);
      const events: string[] = [];
      ws.on('open', () => events.push('open'));
      const message = await nextMessage(ws);
      expect(events).toEqual(['open']);
      expect(message).toBe('Hi');
      ws.terminate();
      await outcome(ws);
    } finally {
      await server.close();
    }
  });

  it('fails the connection with 1002 on a masked frame from the server', async () => {
    let reply: Buffer = Buffer.alloc(0);
    const server = await startRawServer((request, socket) => {
      socket.on('data', (chunk) => {
        reply = Buffer.concat([reply, chunk]);
      });
      // A masked text frame "Hi" (mask 00 00 00 00): RFC 6455 §5.1 "A client MUST close a
      // connection if it detects a masked frame."
      socket.write(switching(request, '', Buffer.from([0x81, 0x82, 0, 0, 0, 0, 0x48, 0x69])));
    });
    try {
      const ws = new Client(`ws://127.0.0.1:${server.port}/`);
      let messages = 0;
      ws.on('message', () => messages++);
      const result = await outcome(ws);
      expect(result.events).toEqual(['open', 'error', 'close']);
      expect((result.error!.error as { code: string }).code).toBe(ErrorCode.UnexpectedMask);
      expect(result.close.code).toBe(1002);
      expect(messages).toBe(0);
      // Our close frame went out masked, with code 1002.
      expect(reply[0]).toBe(0x88);
      expect((reply[1] as number) & 0x80).toBe(0x80);
      const mask = reply.subarray(2, 6);
      const code = ((reply[6]! ^ mask[0]!) << 8) | (reply[7]! ^ mask[1]!);
      expect(code).toBe(1002);
    } finally {
      await server.close();
    }
  });

  it('masks every frame it sends', async () => {
    const frames: Buffer[] = [];
    const server = await startRawServer((request, socket) => {
      socket.on('data', (chunk) => frames.push(chunk));
      socket.write(switching(request));
    });
    try {
      const ws = new Client(`ws://127.0.0.1:${server.port}/`);
      await opened(ws);
      ws.send('abc');
      while (frames.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const frame = frames[0]!;
      expect(frame[0]).toBe(0x81);
      expect(frame[1]).toBe(0x80 | 3);
      const mask = frame.subarray(2, 6);
      const payload = Buffer.from(frame.subarray(6, 9).map((byte, i) => byte ^ mask[i % 4]!));
      expect(payload.toString()).toBe('abc');
      ws.terminate();
      await outcome(ws);
    } finally {
      await server.close();
    }
  });

  it('close() before the handshake ends the attempt without sending a frame: close 1006', async () => {
    let received = 0;
    const server = await startRawServer((_request, socket) => {
      socket.on('data', (chunk) => {
        received += chunk.length;
      });
    });
    try {
      const ws = new Client(`ws://127.0.0.1:${server.port}/`);
      let opens = 0;
      ws.on('open', () => opens++);
      ws.close();
      const result = await outcome(ws);
      expect(result.events).toEqual(['close']);
      expect(result.close.code).toBe(1006);
      expect(result.close.wasClean).toBe(false);
      expect(opens).toBe(0);
      expect(ws.readable).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(received).toBe(0);
      expect(server.open.size).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('close() while the server is still answering frees the socket too', async () => {
    const server = await startRawServer(() => {});
    try {
      const ws = new Client(`ws://127.0.0.1:${server.port}/`);
      while (server.open.size === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      ws.close();
      const result = await outcome(ws);
      expect(result.events).toEqual(['close']);
      await Promise.all(server.closed);
    } finally {
      await server.close();
    }
  });
});
