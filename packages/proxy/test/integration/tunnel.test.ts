import { once } from 'node:events';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { ErrorCode, NetworkError, ProxyError } from '@sockeye/core';
import { createProxy } from 'proxy';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, listenLoopback } from '../../../../test-support/loopback-port.js';
import { selfSignedCertificate, type TlsFixture } from '../../../../test-support/tls-fixture.js';
import { openTunnel } from '../../src/tunnel.js';

let certificate: TlsFixture;
const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();

async function listen<T extends net.Server>(server: T): Promise<T & { port: number }> {
  servers.push(server);
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return Object.assign(server, { port: await listenLoopback(server) });
}

let echo: net.Server & { port: number };
let tlsEcho: tls.Server & { port: number };
let plainProxy: http.Server & { port: number };
let authProxy: http.Server & { port: number };
let secureProxy: http.Server & { port: number };

beforeAll(async () => {
  certificate = selfSignedCertificate();
  echo = await listen(net.createServer((socket) => socket.pipe(socket)));
  tlsEcho = await listen(
    tls.createServer({ cert: certificate.cert, key: certificate.key }, (socket) => socket.pipe(socket)),
  );
  plainProxy = await listen(createProxy(http.createServer()));
  const withAuth = createProxy(http.createServer());
  withAuth.authenticate = (req) =>
    req.headers['proxy-authorization'] === `Basic ${Buffer.from('user:s3cret').toString('base64')}`;
  authProxy = await listen(withAuth);
  secureProxy = await listen(
    createProxy(
      https.createServer({ cert: certificate.cert, key: certificate.key }) as unknown as http.Server,
    ),
  );
});

afterEach(() => {
  for (const socket of sockets) socket.destroy();
});

afterAll(async () => {
  for (const server of servers) {
    server.close();
    (server as http.Server).closeAllConnections?.();
  }
  await Promise.all(servers.map((server) => (server.listening ? once(server, 'close') : undefined)));
});

/** A stand-in proxy whose answer each test writes itself. */
async function fakeProxy(answer: (socket: net.Socket, request: string) => void) {
  const requests: string[] = [];
  const closed: Promise<void>[] = [];
  const server = await listen(
    net.createServer((socket) => {
      closed.push(once(socket, 'close').then(() => undefined));
      let head = '';
      socket.on('data', (chunk) => {
        head += chunk.toString('latin1');
        if (head.includes('\r\n\r\n')) {
          requests.push(head);
          answer(socket, head);
        }
      });
      socket.on('error', () => {});
    }),
  );
  return { server, requests, closed };
}

async function roundTrip(socket: net.Socket, text: string): Promise<string> {
  socket.write(text);
  socket.resume();
  const [chunk] = (await once(socket, 'data')) as [Buffer];
  return chunk.toString();
}

describe('openTunnel through the npm proxy package', () => {
  it('opens a tunnel through a plain http: proxy', async () => {
    const socket = await openTunnel({
      proxy: `http://127.0.0.1:${plainProxy.port}`,
      target: { host: '127.0.0.1', port: echo.port },
    });
    expect(socket.isPaused()).toBe(true);
    expect(await roundTrip(socket, 'through the tunnel')).toBe('through the tunnel');
    socket.destroy();
  });

  it('sends Basic credentials from the proxy URL', async () => {
    const socket = await openTunnel({
      proxy: `http://user:s3cret@127.0.0.1:${authProxy.port}`,
      target: { host: '127.0.0.1', port: echo.port },
    });
    expect(await roundTrip(socket, 'authorised')).toBe('authorised');
    socket.destroy();
  });

  it('fails with the proxy’s 407 status and headers without credentials', async () => {
    const error = await openTunnel({
      proxy: `http://127.0.0.1:${authProxy.port}`,
      target: { host: '127.0.0.1', port: echo.port },
      targetUrl: `ws://127.0.0.1:${echo.port}/`,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProxyError);
    const proxyError = error as ProxyError;
    expect(proxyError.code).toBe(ErrorCode.ProxyRefused);
    expect(proxyError.statusCode).toBe(407);
    expect(proxyError.headers['proxy-authenticate']).toMatch(/^Basic/);
    expect(proxyError.message).toBe(
      `Can't establish a connection to the server at ws://127.0.0.1:${echo.port}/`,
    );
  });

  it('fails with 407 for wrong credentials', async () => {
    const error = await openTunnel({
      proxy: `http://user:wrong@127.0.0.1:${authProxy.port}`,
      target: { host: '127.0.0.1', port: echo.port },
    }).catch((e: unknown) => e);
    expect((error as ProxyError).statusCode).toBe(407);
  });

  it('speaks TLS to an https: proxy trusted through tls.ca', async () => {
    const socket = await openTunnel({
      proxy: `https://localhost:${secureProxy.port}`,
      target: { host: '127.0.0.1', port: echo.port },
      tls: { ca: certificate.cert },
      net: { family: 4 },
    });
    expect(socket).toBeInstanceOf(tls.TLSSocket);
    expect(await roundTrip(socket, 'over TLS to the proxy')).toBe('over TLS to the proxy');
    socket.destroy();
  });

  it('refuses an https: proxy whose certificate is not trusted', async () => {
    const error = await openTunnel({
      proxy: `https://127.0.0.1:${secureProxy.port}`,
      target: { host: '127.0.0.1', port: echo.port },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).code).toBe(ErrorCode.Network);
    expect(((error as NetworkError).cause as { code?: string }).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('carries TLS to the target inside the tunnel', async () => {
    const tunnel = await openTunnel({
      proxy: `http://127.0.0.1:${plainProxy.port}`,
      target: { host: '127.0.0.1', port: tlsEcho.port },
    });
    const secure = tls.connect({ socket: tunnel, servername: 'localhost', ca: certificate.cert });
    await once(secure, 'secureConnect');
    expect(await roundTrip(secure, 'end to end')).toBe('end to end');
    secure.destroy();
  });
});

describe('openTunnel failures', () => {
  it('sends exactly the CONNECT head, and hands over bytes that came with the 200', async () => {
    const fake = await fakeProxy((socket) =>
      socket.write('HTTP/1.1 200 Connection established\r\n\r\nearly'),
    );
    const socket = await openTunnel({
      proxy: `http://u:p@127.0.0.1:${fake.server.port}`,
      target: { host: 'example.test', port: 8443 },
      headers: { 'User-Agent': 'sockeye-test' },
    });
    expect(fake.requests[0]).toBe(
      'CONNECT example.test:8443 HTTP/1.1\r\nHost: example.test:8443\r\nConnection: keep-alive\r\n' +
        'Proxy-Connection: keep-alive\r\nProxy-Authorization: Basic dTpw\r\nUser-Agent: sockeye-test\r\n\r\n',
    );
    socket.resume();
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    expect(chunk.toString()).toBe('early');
    socket.destroy();
  });

  it('skips a 100 Continue before the 200, as Node’s CONNECT does', async () => {
    const fake = await fakeProxy((socket) => {
      socket.write('HTTP/1.1 100 Continue\r\n\r\n');
      setTimeout(() => socket.write('HTTP/1.1 200 Connection established\r\n\r\nearly'), 20);
    });
    const socket = await openTunnel({
      proxy: `http://127.0.0.1:${fake.server.port}`,
      target: { host: 'h', port: 1 },
    });
    socket.resume();
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    expect(chunk.toString()).toBe('early');
    socket.destroy();
  });

  it('reads an answer split into single bytes', async () => {
    const fake = await fakeProxy((socket) => {
      const answer = Buffer.from('HTTP/1.1 200 OK\r\nVia: test\r\n\r\n');
      for (let i = 0; i < answer.length; i++) setTimeout(() => socket.write(answer.subarray(i, i + 1)), i);
    });
    const socket = await openTunnel({
      proxy: `http://127.0.0.1:${fake.server.port}`,
      target: { host: 'h', port: 1 },
    });
    socket.destroy();
  });

  it('fails on 403 with status and headers, and closes the connection to the proxy', async () => {
    const fake = await fakeProxy((socket) =>
      socket.write('HTTP/1.1 403 Forbidden\r\nX-Reason: policy\r\nContent-Length: 0\r\n\r\n'),
    );
    const error = (await openTunnel({
      proxy: `http://127.0.0.1:${fake.server.port}`,
      target: { host: 'h', port: 1 },
    }).catch((e: unknown) => e)) as ProxyError;
    expect(error).toBeInstanceOf(ProxyError);
    expect(error.code).toBe(ErrorCode.ProxyRefused);
    expect(error.statusCode).toBe(403);
    expect(error.headers['x-reason']).toBe('policy');
    await Promise.all(fake.closed);
  });

  it('fails when the proxy closes the connection without answering', async () => {
    const fake = await fakeProxy((socket) => socket.end());
    const error = (await openTunnel({
      proxy: `http://127.0.0.1:${fake.server.port}`,
      target: { host: 'h', port: 1 },
    }).catch((e: unknown) => e)) as ProxyError;
    expect(error).toBeInstanceOf(ProxyError);
    expect(error.code).toBe(ErrorCode.ProxyClosed);
    expect(error.message).toMatch(/the proxy closed the connection/);
  });

  it('fails when the proxy answers something that is not HTTP', async () => {
    const fake = await fakeProxy((socket) => socket.write('SSH-2.0-OpenSSH_9.2\r\n\r\n'));
    const error = (await openTunnel({
      proxy: `http://127.0.0.1:${fake.server.port}`,
      target: { host: 'h', port: 1 },
    }).catch((e: unknown) => e)) as ProxyError;
    expect(error).toBeInstanceOf(ProxyError);
    expect(error.code).toBe(ErrorCode.ProxyInvalidResponse);
    await Promise.all(fake.closed);
  });

  it('fails when the proxy is not listening', async () => {
    const port = await freePort();
    const error = (await openTunnel({
      proxy: `http://127.0.0.1:${port}`,
      target: { host: 'h', port: 1 },
    }).catch((e: unknown) => e)) as NetworkError;
    expect(error).toBeInstanceOf(NetworkError);
    expect((error.cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('times out when the proxy never answers', async () => {
    const fake = await fakeProxy(() => {});
    const error = (await openTunnel({
      proxy: `http://127.0.0.1:${fake.server.port}`,
      target: { host: 'h', port: 1 },
      timeout: 200,
    }).catch((e: unknown) => e)) as ProxyError;
    expect(error).toBeInstanceOf(ProxyError);
    expect(error.code).toBe(ErrorCode.ProxyTimeout);
    await Promise.all(fake.closed);
  });

  it('refuses a misspelt option and a timeout a Node timer cannot hold, before it connects', async () => {
    // Accepted, `timout` would leave the tunnel without a limit, and 2^31 ms would time out at once.
    const fake = await fakeProxy(() => {});
    const proxy = `http://127.0.0.1:${fake.server.port}`;
    const target = { host: 'h', port: 1 };
    await expect(openTunnel({ proxy, target, timout: 200 } as never)).rejects.toThrow(
      'Unrecognized option: timout',
    );
    await expect(openTunnel({ proxy, target, timeout: 2 ** 31 })).rejects.toThrow(RangeError);
    await expect(openTunnel({ proxy, target, timeout: '200' as never })).rejects.toThrow(TypeError);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.requests).toEqual([]);
  });

  it('gives up when the signal aborts, with the signal’s reason', async () => {
    const fake = await fakeProxy(() => {});
    const controller = new AbortController();
    const pending = openTunnel({
      proxy: `http://127.0.0.1:${fake.server.port}`,
      target: { host: 'h', port: 1 },
      signal: controller.signal,
    });
    while (fake.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await Promise.all(fake.closed);
  });

  it('rejects proxies it cannot speak to', async () => {
    await expect(
      openTunnel({ proxy: 'socks5://127.0.0.1:1080', target: { host: 'h', port: 1 } }),
    ).rejects.toThrow(/Unsupported proxy protocol/);
  });
});
