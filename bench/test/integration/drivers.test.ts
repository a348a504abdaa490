import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import FayeWebSocket from 'faye-websocket';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { DriverConfig } from '../../src/driver-config.js';
import { openBareConnection, tcpHandleAvailable } from '../../src/loadgen/bare-connection.js';
import { startBroadcastDriver } from '../../src/loadgen/broadcast-driver.js';
import { type Driver, waitFor } from '../../src/loadgen/driver.js';
import { GROW_MESSAGES, startEchoDriver } from '../../src/loadgen/echo-driver.js';
import { startHandshakeDriver } from '../../src/loadgen/handshake-driver.js';
import { startSseDriver } from '../../src/loadgen/sse-driver.js';
import { Child } from '../../src/orchestrator/child.js';
import { eventPayload } from '../../src/servers/harness.js';

// The load generator's drivers against real peers (ws, faye's EventSource): they must complete
// handshakes, keep traffic flowing and count what comes back, with no errors.

let server: Server | undefined;
let driver: Driver | undefined;

afterEach(async () => {
  driver?.stop();
  driver = undefined;
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function listen(setup: (s: Server) => void): Promise<number> {
  server = createServer();
  setup(server);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function config(port: number, overrides: Partial<DriverConfig>): DriverConfig {
  return {
    kind: 'echo',
    port,
    connections: 4,
    inFlight: 4,
    payloadSize: 32,
    binary: false,
    deflate: false,
    connectConcurrency: 10,
    ...overrides,
  };
}

function wsEcho(options: { perMessageDeflate?: boolean; broadcast?: boolean } = {}) {
  return (s: Server) => {
    const wss = new WebSocketServer({ server: s, perMessageDeflate: options.perMessageDeflate ?? false });
    wss.on('connection', (ws) =>
      ws.on('message', (data, isBinary) => {
        if (!options.broadcast) ws.send(data, { binary: isBinary });
        else for (const c of wss.clients) c.send(data, { binary: isBinary });
      }),
    );
  };
}

async function reach(d: Driver, count: number): Promise<void> {
  await waitFor(() => d.count >= count, 10_000);
  expect(d.count).toBeGreaterThanOrEqual(count);
  expect(d.errors).toBe(0);
}

describe('load generator drivers', () => {
  it('echo: keeps connections × in-flight messages going against ws', async () => {
    const port = await listen(wsEcho());
    driver = await startEchoDriver(config(port, {}));
    expect(driver.connections).toBe(4);
    await reach(driver, 500);
    await driver.pause();
    const settled = driver.count;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(driver.count).toBe(settled);
  });

  it('echo: sends large binary messages', async () => {
    const port = await listen(wsEcho());
    driver = await startEchoDriver(config(port, { payloadSize: 300_000, binary: true, inFlight: 2 }));
    await reach(driver, 20);
  });

  it('deflate: its precompressed frames are accepted by ws with permessage-deflate', async () => {
    const port = await listen(wsEcho({ perMessageDeflate: true }));
    driver = await startEchoDriver(config(port, { payloadSize: 16384, deflate: true, inFlight: 1 }));
    await reach(driver, 40);
  });

  it('deflate: grow opens more connections that each send a few messages, then stay quiet', async () => {
    // The marginal memory measurement: connections added after the traffic, used, then idle.
    const perConnection: number[] = [];
    const port = await listen((s) => {
      const wss = new WebSocketServer({ server: s, perMessageDeflate: true });
      wss.on('connection', (ws) => {
        const index = perConnection.push(0) - 1;
        ws.on('message', (data, isBinary) => {
          perConnection[index]!++;
          ws.send(data, { binary: isBinary });
        });
      });
    });
    driver = await startEchoDriver(config(port, { payloadSize: 16384, deflate: true, inFlight: 1 }));
    await reach(driver, 20);
    await driver.pause();
    await driver.grow!(3);
    expect(driver.connections).toBe(7);
    expect(driver.errors).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(perConnection.slice(4)).toEqual([GROW_MESSAGES, GROW_MESSAGES, GROW_MESSAGES]);
  });

  it('latency: times every round trip', async () => {
    const port = await listen(wsEcho());
    driver = await startEchoDriver(config(port, { kind: 'latency', connections: 1, inFlight: 1 }));
    driver.mark();
    await reach(driver, 200);
    const latency = driver.latency();
    expect(latency.count).toBeGreaterThan(100);
    expect(latency.p99Us).toBeGreaterThanOrEqual(latency.p50Us);
  });

  describe.each([
    ['the TCP handle', true],
    ['net', false],
  ])('handshake, through %s', (_name, preferHandle) => {
    it('completes handshakes and closes each connection cleanly', async () => {
      // Node 20 (the toolchain's) has the handle; without it the driver would quietly use `net`.
      expect(tcpHandleAvailable()).toBe(true);
      const port = await listen(wsEcho());
      driver = startHandshakeDriver(config(port, { kind: 'handshake', connections: 5 }), preferHandle);
      await reach(driver, 100);
    });

    it('a 101 split over reads survives other connections reading in between', async () => {
      // Every generator socket reads into one shared buffer: a head kept across reads must be a copy,
      // or the close frames other connections read in the meantime overwrite it.
      const CLOSE = Buffer.from([0x88, 0x02, 0x03, 0xe8]);
      const port = await listen((s) =>
        s.on('upgrade', (_request, socket: Socket) => {
          socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n');
          const rest = setTimeout(
            () => socket.write('Connection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n'),
            5,
          );
          socket.on('data', () => socket.end(CLOSE));
          socket.on('end', () => socket.destroy());
          socket.on('close', () => clearTimeout(rest));
          socket.on('error', () => {});
        }),
      );
      driver = startHandshakeDriver(config(port, { kind: 'handshake', connections: 5 }), preferHandle);
      await reach(driver, 100);
    });
  });

  it('broadcast: counts deliveries to every client', async () => {
    const port = await listen(wsEcho({ broadcast: true }));
    driver = await startBroadcastDriver(
      config(port, { kind: 'broadcast', connections: 20, inFlight: 2, payloadSize: 1024 }),
    );
    await reach(driver, 2000);
  });

  it('sse: subscribes and counts events from faye-websocket EventSource', async () => {
    const sources = new Set<InstanceType<typeof FayeWebSocket.EventSource>>();
    const port = await listen((s) =>
      s.on('request', (request, response) => {
        if (FayeWebSocket.EventSource.isEventSource(request)) {
          const es = new FayeWebSocket.EventSource(request, response);
          sources.add(es);
          es.on('close', () => sources.delete(es));
          return;
        }
        for (const es of sources) es.send(eventPayload(256));
        response.writeHead(204).end();
      }),
    );
    driver = await startSseDriver(
      config(port, { kind: 'sse', connections: 10, inFlight: 2, payloadSize: 256 }),
    );
    expect(driver.connections).toBe(10);
    await reach(driver, 500);
    for (const es of sources) es.close();
  });
});

describe.each([
  ['the TCP handle', true],
  ['net', false],
])('bare connections, through %s', (_name, preferHandle) => {
  it('carry bytes both ways and close by themselves once both FINs are out', async () => {
    const log: string[] = [];
    const peer = createNetServer({ allowHalfOpen: true }, (socket) => {
      socket.on('data', (chunk: Buffer) => socket.write(chunk.toString().toUpperCase()));
      socket.on('end', () => socket.end('bye'));
      socket.on('close', () => log.push('server closed'));
    });
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    const { port } = peer.address() as AddressInfo;
    let received = '';
    await new Promise<void>((resolve) => {
      openBareConnection(
        port,
        {
          onConnect: (conn) => conn.write(Buffer.from('hello')),
          onData(conn, chunk) {
            received += chunk.toString();
            if (received === 'HELLO') conn.end();
          },
          onEnd: () => log.push('client got FIN'),
          onError: () => log.push('client error'),
          onClose: () => resolve(),
        },
        preferHandle,
      );
    });
    await waitFor(() => log.includes('server closed'), 2000);
    expect(received).toBe('HELLObye');
    expect(log.sort()).toEqual(['client got FIN', 'server closed']);
    peer.close();
  });
});

describe('reflector', () => {
  it('answers the upgrade and every message of a ws client with one frame, and counts them', async () => {
    const reflector = new Child(
      'reflector',
      'reflector/main.ts',
      { kind: 'echo', connections: 1, inFlight: 1, payloadSize: 32, binary: false, deflate: false },
      { source: true },
    );
    try {
      const { port } = await reflector.wait('ready', 20_000);
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
      const replies: string[] = [];
      await new Promise<void>((resolve, reject) => {
        ws.on('error', reject);
        ws.on('open', () => {
          for (let i = 0; i < 10; i++) ws.send(`message ${i}`);
        });
        ws.on('message', (data) => {
          replies.push(String(data));
          if (replies.length === 10) resolve();
        });
      });
      ws.terminate();
      expect(replies.every((reply) => reply.length === 32)).toBe(true);
      const sample = await reflector.wait('sample', 5000, { type: 'sample' });
      expect(sample.count).toBe(10);
      expect(sample.errors).toBe(0);
    } finally {
      reflector.process.kill();
    }
  }, 30_000);
});
