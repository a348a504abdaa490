import { ErrorCode, NetworkError, ProxyError } from '@sockeye/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test-support/loopback-port.js';
import { selfSignedCertificate, type TlsFixture } from '../../../../test-support/tls-fixture.js';
import { Client } from '../../src/client.js';
import { echo, outcome } from '../support/events.js';
import { type RunningProxy, startNpmProxy, startSquid, startTinyproxy } from '../support/proxies.js';
import { type RunningServer, startRawServer, startTcpServer, startWsEchoServer } from '../support/servers.js';

let certificate: TlsFixture;
let plain: RunningServer;
let secure: RunningServer;
let npmProxy: RunningProxy & { connects: number };
let authProxy: RunningProxy & { connects: number };
let tlsProxy: RunningProxy & { connects: number };
let squid: RunningProxy;
let tinyproxy: RunningProxy;

beforeAll(async () => {
  certificate = selfSignedCertificate();
  [plain, secure, npmProxy, authProxy, tlsProxy, squid, tinyproxy] = await Promise.all([
    startWsEchoServer(),
    startWsEchoServer(certificate),
    startNpmProxy(),
    startNpmProxy({ auth: { user: 'user', password: 'p@ss' } }),
    startNpmProxy({ tls: certificate }),
    startSquid(),
    startTinyproxy(),
  ]);
}, 30_000);

afterAll(async () => {
  await Promise.all([plain, secure, npmProxy, authProxy, tlsProxy, squid, tinyproxy].map((s) => s?.close()));
});

const targets = () => ({
  ws: `ws://127.0.0.1:${plain.port}/`,
  wss: `wss://localhost:${secure.port}/`,
});

describe.each([
  ['the npm proxy package', () => npmProxy.url],
  ['the npm proxy package with Basic auth', () => `http://user:p%40ss@127.0.0.1:${authProxy.port}`],
  ['squid', () => squid.url],
  ['tinyproxy', () => tinyproxy.url],
])('through %s', (_name, proxyUrl) => {
  it('opens ws: through the tunnel and echoes', async () => {
    const ws = new Client(targets().ws, ['echo'], {
      proxy: { origin: proxyUrl(), headers: { 'User-Agent': 'node' } },
    });
    expect(await echo(ws, ['plain through proxy'])).toEqual(['plain through proxy']);
  });

  it('opens wss: with TLS inside the tunnel and echoes', async () => {
    const ws = new Client(targets().wss, ['echo'], {
      proxy: { origin: proxyUrl() },
      tls: { ca: certificate.cert },
    });
    expect(await echo(ws, ['TLS through proxy'])).toEqual(['TLS through proxy']);
  });

  it('goes through the proxy: a target nobody listens on is its refusal, not ECONNREFUSED', async () => {
    const port = await freePort();
    const ws = new Client(`ws://127.0.0.1:${port}/`, [], { proxy: { origin: proxyUrl() } });
    const result = await outcome(ws);
    expect(result.events).toEqual(['error', 'close']);
    const error = result.error?.error;
    expect(error).toBeInstanceOf(ProxyError);
    expect(error).toMatchObject({ code: ErrorCode.ProxyRefused, statusCode: expect.any(Number) });
    expect((error as ProxyError).statusCode).toBeGreaterThanOrEqual(400);
  });
});

describe('through an https: proxy', () => {
  it('opens ws: and wss: with TLS to the proxy (proxy.tls) and to the server (tls)', async () => {
    const before = tlsProxy.connects;
    const a = new Client(targets().ws, [], {
      proxy: { origin: `https://localhost:${tlsProxy.port}`, tls: { ca: certificate.cert } },
    });
    expect(await echo(a, ['ws via https proxy'])).toEqual(['ws via https proxy']);
    const b = new Client(targets().wss, [], {
      proxy: { origin: `https://localhost:${tlsProxy.port}`, tls: { ca: certificate.cert } },
      ca: certificate.cert,
    });
    expect(await echo(b, ['wss via https proxy'])).toEqual(['wss via https proxy']);
    expect(tlsProxy.connects - before).toBe(2);
  });

  it('refuses an https: proxy whose certificate is not trusted', async () => {
    const ws = new Client(targets().ws, [], { proxy: { origin: `https://localhost:${tlsProxy.port}` } });
    const result = await outcome(ws);
    expect(result.events).toEqual(['error', 'close']);
    expect(result.error?.error).toBeInstanceOf(NetworkError);
    expect(result.close.code).toBe(1006);
  });
});

describe('proxy failures', () => {
  it('407 from a proxy that wants credentials: error with status and headers, then close 1006', async () => {
    const ws = new Client(targets().ws, [], { proxy: { origin: `http://127.0.0.1:${authProxy.port}` } });
    const result = await outcome(ws);
    expect(result.events).toEqual(['error', 'close']);
    const error = result.error?.error as ProxyError;
    expect(error).toBeInstanceOf(ProxyError);
    expect(error.code).toBe(ErrorCode.ProxyRefused);
    expect(error.statusCode).toBe(407);
    expect(error.headers['proxy-authenticate']).toMatch(/^Basic/);
    expect(result.error?.message).toBe(`Can't establish a connection to the server at ${targets().ws}`);
    expect(result.close.code).toBe(1006);
    expect(result.close.wasClean).toBe(false);
  });

  it('403 from the proxy', async () => {
    // A raw TCP stand-in: answer any CONNECT with 403.
    const fake = await startTcpServer((socket) => {
      socket.once('data', () =>
        socket.end('HTTP/1.1 403 Forbidden\r\nX-Policy: no\r\nContent-Length: 0\r\n\r\n'),
      );
      socket.on('error', () => {});
    });
    try {
      const ws = new Client(targets().ws, [], { proxy: { origin: `http://127.0.0.1:${fake.port}` } });
      const result = await outcome(ws);
      expect(result.events).toEqual(['error', 'close']);
      expect((result.error!.error as ProxyError).statusCode).toBe(403);
      expect((result.error!.error as ProxyError).headers['x-policy']).toBe('no');
    } finally {
      await fake.close();
    }
  });

  it('a proxy that closes the connection', async () => {
    const sockets: Promise<unknown>[] = [];
    const fake = await startTcpServer((socket) => {
      sockets.push(new Promise((resolve) => socket.on('close', resolve)));
      socket.once('data', () => socket.destroy());
    });
    try {
      const ws = new Client(targets().ws, [], { proxy: { origin: `http://127.0.0.1:${fake.port}` } });
      const result = await outcome(ws);
      expect(result.events).toEqual(['error', 'close']);
      expect(result.error?.error).toBeInstanceOf(ProxyError);
      expect((result.error!.error as ProxyError).code).toBe(ErrorCode.ProxyClosed);
      expect(result.close.code).toBe(1006);
      await Promise.all(sockets);
    } finally {
      await fake.close();
    }
  });

  it('a proxy that is not listening', async () => {
    const port = await freePort();
    const ws = new Client(targets().ws, [], { proxy: { origin: `http://127.0.0.1:${port}` } });
    const result = await outcome(ws);
    expect(result.events).toEqual(['error', 'close']);
    expect(result.error?.error).toBeInstanceOf(NetworkError);
    expect(result.error?.message).toMatch(/^Network error: .*ECONNREFUSED/);
    expect(result.close.code).toBe(1006);
  });

  it('a proxy that never answers hits the handshake timeout, and its connection is closed', async () => {
    const sockets: Promise<unknown>[] = [];
    const fake = await startTcpServer((socket) => {
      sockets.push(new Promise((resolve) => socket.on('close', resolve)));
      socket.on('error', () => {});
      // Read (and ignore) the CONNECT request, so that the client's FIN is seen.
      socket.resume();
    });
    try {
      const ws = new Client(targets().ws, [], {
        proxy: { origin: `http://127.0.0.1:${fake.port}` },
        handshakeTimeout: 300,
      });
      const result = await outcome(ws);
      expect(result.events).toEqual(['error', 'close']);
      expect((result.error!.error as { code: string }).code).toBe(ErrorCode.HandshakeTimeout);
      await Promise.all(sockets);
    } finally {
      await fake.close();
    }
  });

  it('a target that answers 200 instead of 101 through the proxy', async () => {
    const server = await startRawServer((_request, socket) =>
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
    );
    try {
      const ws = new Client(`ws://127.0.0.1:${server.port}/`, [], { proxy: { origin: npmProxy.url } });
      const result = await outcome(ws);
      expect(result.events).toEqual(['error', 'close']);
      expect(result.error?.message).toMatch(/^Error during WebSocket handshake: /);
      expect(ws.statusCode).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('proxy from the environment', () => {
  const saved = { ...process.env };
  const restore = () => {
    for (const name of [
      'HTTP_PROXY',
      'http_proxy',
      'HTTPS_PROXY',
      'https_proxy',
      'NO_PROXY',
      'no_proxy',
      'ws_proxy',
      'wss_proxy',
    ]) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  };

  it('uses HTTP_PROXY for ws: and HTTPS_PROXY for wss: when fromEnvironment is set', async () => {
    try {
      restore();
      process.env.HTTP_PROXY = npmProxy.url;
      process.env.HTTPS_PROXY = npmProxy.url;
      delete process.env.NO_PROXY;
      delete process.env.no_proxy;
      const before = npmProxy.connects;
      const a = new Client(targets().ws, [], { proxy: { fromEnvironment: true } });
      expect(await echo(a, ['env ws'])).toEqual(['env ws']);
      const b = new Client(targets().wss, [], {
        proxy: { fromEnvironment: true },
        tls: { ca: certificate.cert },
      });
      expect(await echo(b, ['env wss'])).toEqual(['env wss']);
      expect(npmProxy.connects - before).toBe(2);
    } finally {
      restore();
    }
  });

  it('connects directly for a NO_PROXY host, and ignores the environment unless asked', async () => {
    try {
      restore();
      process.env.HTTP_PROXY = npmProxy.url;
      process.env.NO_PROXY = 'example.com, 127.0.0.1';
      const before = npmProxy.connects;
      const a = new Client(targets().ws, [], { proxy: { fromEnvironment: true } });
      expect(await echo(a, ['bypassed'])).toEqual(['bypassed']);
      delete process.env.NO_PROXY;
      const b = new Client(targets().ws);
      expect(await echo(b, ['not asked'])).toEqual(['not asked']);
      expect(npmProxy.connects - before).toBe(0);
    } finally {
      restore();
    }
  });

  it('refuses origin together with fromEnvironment', () => {
    expect(
      () => new Client(targets().ws, [], { proxy: { origin: npmProxy.url, fromEnvironment: true } }),
    ).toThrow(TypeError);
  });
});

describe('resources', () => {
  const count = (): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
    return counts;
  };

  it('leaves no socket and no timer behind after failed and successful connections', async () => {
    const settle = () => new Promise((resolve) => setTimeout(resolve, 100));
    await settle();
    const before = count();
    const port = await freePort();
    const attempts: Client[] = [
      new Client(targets().ws, [], { proxy: { origin: `http://127.0.0.1:${authProxy.port}` } }), // 407
      new Client(targets().ws, [], { proxy: { origin: `http://127.0.0.1:${port}` } }), // not listening
      new Client(targets().wss, [], { proxy: { origin: npmProxy.url } }), // untrusted certificate
      new Client(targets().ws, [], { proxy: { origin: squid.url } }), // closed before the handshake
    ];
    attempts[3]!.close();
    await Promise.all(attempts.map((ws) => outcome(ws)));
    const ok = new Client(targets().wss, [], { proxy: { origin: tinyproxy.url }, ca: certificate.cert });
    await echo(ok, ['fine']);
    await settle();
    const after = count();
    expect(after.TCPSocketWrap ?? 0).toBe(before.TCPSocketWrap ?? 0);
    expect(after.TLSWrap ?? 0).toBe(before.TLSWrap ?? 0);
    expect(after.Timeout ?? 0).toBe(before.Timeout ?? 0);
  });
});
