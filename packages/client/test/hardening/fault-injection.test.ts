import { once } from 'node:events';
import { connect } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { startDyingProxy } from '../../../../test-support/hardening/dying-proxy.js';
import {
  frame,
  readUntil,
  reset,
  startRawServer,
  switchingProtocols,
} from '../../../../test-support/hardening/raw-peer.js';
import { guardEachTest } from '../../../../test-support/hardening/test-guard.js';
import { selfSignedCertificate } from '../../../../test-support/hardening/tls-fixture.js';
import { within } from '../../../../test-support/hardening/within.js';
import { listenLoopback } from '../../../../test-support/loopback-port.js';
import { observe } from './client-harness.js';

const guard = guardEachTest();

/** A raw server scripted by `script`, closed when the test ends. */
const raw = async (script: Parameters<typeof startRawServer>[0]) => guard.track(await startRawServer(script));

interface WsSocket {
  on(event: 'message', listener: (data: Buffer, binary: boolean) => void): unknown;
  send(data: Buffer, options: { binary: boolean }): void;
}

/** A ws server (an independent peer) on 127.0.0.1. */
async function wsServer(): Promise<{ port: number }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  server.on('connection', (socket: WsSocket) =>
    socket.on('message', (data: Buffer, binary: boolean) => socket.send(data, { binary })),
  );
  guard.defer(
    () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients as Set<{ terminate(): void }>) client.terminate();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as { port: number }).port };
}

describe('client: the server resets the TCP connection', () => {
  it('mid-handshake (half a 101 head): error, then close 1006; the handshake timer is released', async () => {
    guard.begin();
    const server = await raw(async (socket) => {
      await readUntil(socket, '\r\n\r\n');
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: webs', () => reset(socket));
    });
    const client = observe(server.url, { handshakeTimeout: 60_000 });
    await within(client.closed, 3000, 'close');
    expect(client.events).toEqual(['error', 'close']);
    expect(client.close).toMatchObject({ code: 1006, wasClean: false });
    await guard.finish();
  });

  it('mid-frame (half a message after open): close 1006, not clean', async () => {
    guard.begin();
    const server = await raw(async (socket) => {
      const request = await readUntil(socket, '\r\n\r\n');
      socket.write(switchingProtocols(request));
      const whole = frame(2, Buffer.alloc(200, 1));
      socket.write(whole.subarray(0, 100), () => setTimeout(() => reset(socket), 20));
    });
    const client = observe(server.url);
    await within(client.closed, 3000, 'close');
    expect(client.events[0]).toBe('open');
    expect(client.close).toMatchObject({ code: 1006, wasClean: false });
    await guard.finish();
  });

  it('mid-close (the server sends its close frame, then resets): close fires, the close timer is released', async () => {
    guard.begin();
    const server = await raw(async (socket) => {
      const request = await readUntil(socket, '\r\n\r\n');
      socket.write(switchingProtocols(request));
      socket.write(frame(8, Buffer.from([0x03, 0xe8])), () => reset(socket));
    });
    const client = observe(server.url, { closeTimeout: 60_000 });
    await within(client.closed, 3000, 'close');
    expect([1000, 1006]).toContain(client.close?.code);
    await guard.finish();
  });

  it('mid-close (the client closes, the server resets instead of answering): close 1006', async () => {
    guard.begin();
    const server = await raw(async (socket) => {
      const request = await readUntil(socket, '\r\n\r\n');
      socket.write(switchingProtocols(request));
      await readUntil(socket, Buffer.from([0x88]));
      reset(socket);
    });
    const client = observe(server.url, { closeTimeout: 60_000 });
    await within(client.opened, 3000, 'open');
    client.ws.close(1000, 'bye');
    await within(client.closed, 3000, 'close');
    expect(client.close).toMatchObject({ code: 1006, wasClean: false });
    await guard.finish();
  });
});

describe('client: the TLS handshake fails', () => {
  it('a server that answers the ClientHello with plain text: error, close 1006', async () => {
    guard.begin();
    const server = await raw(async (socket) => {
      await new Promise((resolve) => socket.once('data', resolve));
      socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n');
    });
    const client = observe(`wss://127.0.0.1:${server.port}/`);
    await within(client.closed, 3000, 'close');
    expect(client.events).toEqual(['error', 'close']);
    expect(client.errors[0]?.code).toBe('WS_ERR_NETWORK');
    expect(client.close?.code).toBe(1006);
    await guard.finish();
  });

  it('a server that resets in the middle of the TLS handshake: error, close 1006', async () => {
    guard.begin();
    const server = await raw(async (socket) => {
      await new Promise((resolve) => socket.once('data', resolve));
      reset(socket);
    });
    const client = observe(`wss://127.0.0.1:${server.port}/`);
    await within(client.closed, 3000, 'close');
    expect(client.events).toEqual(['error', 'close']);
    expect(client.close?.code).toBe(1006);
    await guard.finish();
  });

  it('an untrusted certificate: error naming the TLS failure, close 1006', async () => {
    guard.begin();
    const { key, cert } = selfSignedCertificate();
    const tlsServer: TlsServer = createTlsServer({ key, cert }, (socket) => socket.on('error', () => {}));
    tlsServer.on('tlsClientError', () => {});
    const port = await listenLoopback(tlsServer);
    guard.defer(() => new Promise<void>((resolve) => tlsServer.close(() => resolve())));
    const client = observe(`wss://127.0.0.1:${port}/`);
    await within(client.closed, 3000, 'close');
    expect(client.events).toEqual(['error', 'close']);
    expect(client.errors[0]?.code).toBe('WS_ERR_NETWORK');
    expect(client.errors[0]?.message).toMatch(/certificate/i);
    expect(client.close).toMatchObject({ code: 1006, wasClean: false });
    await guard.finish();
  });
});

describe('client: a TLS record fails after open', () => {
  it('a forged record in the stream: error, close 1006, the socket closed', async () => {
    guard.begin();
    const { key, cert } = selfSignedCertificate();
    const tlsServer: TlsServer = createTlsServer({ key, cert }, async (socket) => {
      socket.on('error', () => {});
      socket.write(switchingProtocols(await readUntil(socket, '\r\n\r\n')));
    });
    const tlsPort = await listenLoopback(tlsServer);
    guard.defer(() => new Promise<void>((resolve) => tlsServer.close(() => resolve())));
    // A relay in front of the TLS server that, once the connection is open, writes one application
    // data record of garbage to the client: its MAC check fails.
    let opened: () => void = () => {};
    const open = new Promise<void>((resolve) => {
      opened = resolve;
    });
    const relayClosed: Promise<unknown>[] = [];
    const relay = await raw(async (socket) => {
      const upstream = connect(tlsPort, '127.0.0.1');
      upstream.on('error', () => socket.destroy());
      socket.on('close', () => upstream.destroy());
      relayClosed.push(once(socket, 'close'));
      upstream.pipe(socket);
      socket.pipe(upstream);
      await open;
      socket.write(Buffer.concat([Buffer.from([0x17, 0x03, 0x03, 0x00, 0xff]), Buffer.alloc(255)]));
    });
    const client = observe(`wss://127.0.0.1:${relay.port}/`, { tls: { ca: cert } });
    void client.opened.then(opened);
    await within(client.closed, 3000, 'close');
    expect(client.events).toEqual(['open', 'error', 'close']);
    expect(client.errors[0]?.code).toBe('WS_ERR_NETWORK');
    expect(client.close).toMatchObject({ code: 1006, wasClean: false });
    await within(relayClosed[0]!, 3000, 'the client closing TCP');
    await guard.finish();
  });
});

describe('client: the proxy dies mid-tunnel', () => {
  for (const [name, death] of [
    ['on CONNECT, before answering', { when: 'connect' }],
    ['right after its 200', { when: 'established' }],
    ['in the middle of the 101 head', { when: 'downstream-bytes', bytes: 20 }],
  ] as const) {
    it(`${name}: error, close 1006, nothing left behind`, async () => {
      guard.begin();
      const target = await wsServer();
      const proxy = guard.track(await startDyingProxy(death));
      const client = observe(`ws://127.0.0.1:${target.port}/`, { proxy: { origin: proxy.url } });
      await within(client.closed, 3000, 'close');
      expect(client.events).toEqual(['error', 'close']);
      expect(client.close).toMatchObject({ code: 1006, wasClean: false });
      await guard.finish();
    });
  }

  it('after open: close 1006, not clean, nothing left behind', async () => {
    guard.begin();
    const target = await wsServer();
    const proxy = guard.track(await startDyingProxy({ when: 'manual' }));
    const client = observe(`ws://127.0.0.1:${target.port}/`, { proxy: { origin: proxy.url } });
    await within(client.opened, 3000, 'open');
    const echoed = new Promise((resolve) => client.ws.once('message', resolve));
    client.ws.send('through the tunnel');
    await within(echoed, 3000, 'the echo');
    proxy.kill();
    await within(client.closed, 3000, 'close');
    expect(client.close).toMatchObject({ code: 1006, wasClean: false });
    await guard.finish();
  });
});

describe('client: an error listener that throws', () => {
  it('still ends with close; the only escaped error is the listener’s own', async () => {
    guard.begin();
    // A port that refuses connections: listen, note the port, close.
    const server = await startRawServer();
    const port = server.port;
    await server.close();
    const boom = new Error('listener bug');
    const client = observe(`ws://127.0.0.1:${port}/`);
    client.ws.on('error', () => {
      throw boom;
    });
    await within(client.closed, 3000, 'close');
    expect(client.events).toEqual(['error', 'close']);
    expect(client.close?.code).toBe(1006);
    await guard.expectNoLeaks();
    await new Promise((resolve) => setImmediate(resolve));
    expect(guard.trap.uncaught).toEqual([boom]);
    expect(guard.trap.unhandled).toEqual([]);
  });
});
