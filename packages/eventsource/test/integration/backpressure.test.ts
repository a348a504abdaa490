import type { IncomingMessage, ServerResponse } from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventSource, type EventSourceRequest, type EventSourceResponse } from '../../src/index.js';
import { startServer, type TestServer } from '../support/server.js';

// One event is bigger than the response's high-water mark, so every send() after the first past
// the kernel's buffers reports backpressure.
const PAYLOAD = 'x'.repeat(64 * 1024);
const EVENT_BYTES = Buffer.byteLength(EventSource.encode(PAYLOAD, { id: 1_000_000 }));
// HTTP/1.1 chunk framing around one write: size line and trailing CRLF.
const CHUNK_OVERHEAD = 16;
// How long a stall must last before the producer calls the subscriber stuck. Not a performance
// bound: a reading client drains in microseconds; this only ends the search for the stall.
const STALL_MS = 300;

let server: TestServer;
let nextStream: (es: EventSource, response: ServerResponse) => void = () => {};
let sockets: net.Socket[] = [];

beforeAll(async () => {
  server = await startServer((request: IncomingMessage, response: ServerResponse) => {
    nextStream(new EventSource(request, response, { retry: false, ping: 0 }), response);
  });
});
afterEach(() => {
  for (const socket of sockets) socket.destroy();
  sockets = [];
});
afterAll(() => server.close());

/** A raw TCP client that sends the GET and then reads nothing until told. */
async function stalledClient(): Promise<{ es: EventSource; response: ServerResponse; socket: net.Socket }> {
  const stream = new Promise<{ es: EventSource; response: ServerResponse }>((resolve) => {
    nextStream = (es, response) => resolve({ es, response });
  });
  const socket = net.connect(server.port, '127.0.0.1');
  sockets.push(socket);
  socket.write('GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
  socket.pause();
  return { ...(await stream), socket };
}

/** Resolves true on `drain`, false if none comes within `ms`. */
function drainOrStall(es: EventSource, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const onDrain = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      es.off('drain', onDrain);
      resolve(false);
    }, ms);
    es.once('drain', onDrain);
  });
}

/**
 * A well-behaved producer: sends until send() says false, then waits for drain, until a drain
 * does not come. Returns how many events it sent and the most the response ever buffered.
 */
async function produceUntilStalled(es: EventSource) {
  let sent = 0;
  let falses = 0;
  let maxBuffered = 0;
  for (;;) {
    const ok = es.send(PAYLOAD, { id: sent });
    sent += 1;
    maxBuffered = Math.max(maxBuffered, es.bufferedAmount);
    if (ok) continue;
    falses += 1;
    if (!(await drainOrStall(es, STALL_MS))) return { sent, falses, maxBuffered };
  }
}

describe('backpressure from a client that does not read', () => {
  it('send() reports it, drain waits for the reader, and what the server holds stays bounded', async () => {
    const { es, response, socket } = await stalledClient();
    const highWaterMark = response.writableHighWaterMark;
    const { sent, falses, maxBuffered } = await produceUntilStalled(es);

    expect(falses).toBeGreaterThan(0);
    // The kernel's socket buffers took most of it; the server itself never held more than one
    // event past its high-water mark.
    expect(sent * EVENT_BYTES).toBeGreaterThan(4 * (highWaterMark + EVENT_BYTES));
    expect(maxBuffered).toBeLessThanOrEqual(highWaterMark + EVENT_BYTES + CHUNK_OVERHEAD);
    expect(es.bufferedAmount).toBeGreaterThan(0);
    expect(es.readyState).toBe(EventSource.OPEN);

    // The reader resumes: drain fires, and every event arrives, in order.
    const drained = drainOrStall(es, 10_000);
    let received = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => {
      received += chunk;
    });
    socket.resume();
    expect(await drained).toBe(true);
    const lastId = `id: ${sent - 1}\n`;
    await new Promise<void>((resolve) => {
      const check = () => {
        if (received.includes(lastId) && received.endsWith('\n\n\r\n')) {
          socket.off('data', check);
          resolve();
        }
      };
      socket.on('data', check);
      check();
    });
    const ids = [...received.matchAll(/\nid: (\d+)\n/g)].map((match) => Number(match[1]));
    expect(ids).toEqual(Array.from({ length: sent }, (_, i) => i));
    es.close();
  });

  it('a stuck subscriber is detected and dropped: terminate() frees its buffer and fires close', async () => {
    const { es, response } = await stalledClient();
    await produceUntilStalled(es);
    // Still stuck: more sends keep returning false (and are queued, not dropped).
    const before = es.bufferedAmount;
    expect(es.send('one more')).toBe(false);
    expect(es.bufferedAmount).toBeGreaterThan(before);

    const closed = new Promise((resolve) => es.once('close', resolve));
    es.terminate();
    await closed;
    expect(es.readyState).toBe(EventSource.CLOSED);
    expect(response.socket?.destroyed ?? true).toBe(true);
    expect(es.send('late')).toBe(false);
  });
});

describe('backpressure on HTTP/2 (flow control)', () => {
  it('send() reports it when the client stops reading a stream; drain comes once it reads again', async () => {
    const h2 = http2.createServer();
    const created = new Promise<EventSource>((resolve) => {
      h2.on('request', (request: EventSourceRequest, response: EventSourceResponse) => {
        resolve(new EventSource(request, response, { retry: false, ping: 0 }));
      });
    });
    await new Promise<void>((resolve) => h2.listen(0, '127.0.0.1', resolve));
    const session = http2.connect(`http://127.0.0.1:${(h2.address() as net.AddressInfo).port}`);
    try {
      const stream = session.request({ ':path': '/', accept: 'text/event-stream' });
      stream.pause();
      const es = await created;
      const { sent, falses, maxBuffered } = await produceUntilStalled(es);
      expect(falses).toBeGreaterThan(0);
      // Only the peer's flow-control window (64 KiB) left; the stream never held more than one
      // event past its high-water mark.
      expect(maxBuffered).toBeLessThanOrEqual(16 * 1024 + EVENT_BYTES);

      const drained = drainOrStall(es, 10_000);
      let received = '';
      stream.setEncoding('latin1').on('data', (chunk: string) => {
        received += chunk;
      });
      stream.resume();
      expect(await drained).toBe(true);
      await new Promise<void>((resolve) => {
        const check = () => {
          if (received.includes(`id: ${sent - 1}\n`)) resolve();
        };
        stream.on('data', check);
        check();
      });
      const closed = new Promise((resolve) => es.once('close', resolve));
      es.terminate();
      await closed;
      expect(es.readyState).toBe(EventSource.CLOSED);
    } finally {
      session.destroy();
      await new Promise<void>((resolve) => h2.close(() => resolve()));
    }
  });
});
