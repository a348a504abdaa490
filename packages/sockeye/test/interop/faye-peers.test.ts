// The examples' echo + EventSource server, driven by the peers a faye-websocket application already
// has: faye-websocket's own client and the npm `eventsource` client.
import { once } from 'node:events';
import type * as http from 'node:http';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenLoopback } from '../../../../test-support/loopback-port.js';

const require = createRequire(import.meta.url);
const { createServer } = require('../../../../examples/echo-server.cjs') as { createServer(): http.Server };
const Faye = require('faye-websocket');
const { EventSource: EventSourceClient } = require('eventsource') as typeof import('eventsource');

let server: http.Server;
let base: string;

beforeAll(async () => {
  server = createServer();
  base = `127.0.0.1:${await listenLoopback(server)}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe("faye-websocket's client against the sockeye echo example", () => {
  it('negotiates the echo protocol, echoes text and binary, and closes cleanly', async () => {
    const ws = new Faye.Client(`ws://${base}/`, ['foo', 'echo']);
    await once(ws, 'open');
    expect(ws.protocol).toBe('echo');
    expect(ws.statusCode).toBe(101);
    const received: unknown[] = [];
    ws.on('message', (event: { data: unknown }) => received.push(event.data));
    ws.send('Hello from faye');
    ws.send(13); // faye sends numbers as text
    ws.send(Buffer.from([0, 1, 2, 255]));
    await expect.poll(() => received.length).toBe(3);
    expect(received[0]).toBe('Hello from faye');
    expect(received[1]).toBe('13');
    expect([...(received[2] as Buffer)]).toEqual([0, 1, 2, 255]);
    ws.close();
    const [event] = await once(ws, 'close');
    expect(event.code).toBe(1000);
  });

  it('echoes a 1 MiB message', async () => {
    const ws = new Faye.Client(`ws://${base}/`);
    await once(ws, 'open');
    const big = Buffer.alloc(1024 * 1024, 7);
    ws.send(big);
    const [event] = await once(ws, 'message');
    expect(Buffer.compare(event.data, big)).toBe(0);
    ws.close();
    await once(ws, 'close');
  });
});

describe('the npm eventsource client against the sockeye EventSource example', () => {
  it('receives typed events with ids, and resumes from Last-Event-ID after a reconnect', async () => {
    const seen: Array<{ id: string; data: string }> = [];
    const source = new EventSourceClient(`http://${base}/events`);
    try {
      await new Promise<void>((resolve) => {
        source.addEventListener('tick', (event) => {
          seen.push({ id: event.lastEventId, data: event.data });
          if (seen.length === 2) {
            // Drop the connection from the server side: the client reconnects with Last-Event-ID: 2.
            server.closeAllConnections();
          }
          if (seen.length === 3) resolve();
        });
      });
    } finally {
      source.close();
    }
    expect(seen.map((event) => event.id)).toEqual(['1', '2', '3']);
    expect(seen[2]?.data).toMatch(/^tick 3 at /);
  });
});
