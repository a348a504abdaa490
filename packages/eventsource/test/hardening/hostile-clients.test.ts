import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connectRaw, readUntil, reset } from '../../../../test-support/hardening/raw-peer.js';
import { expectNoEscapes } from '../../../../test-support/hardening/resources.js';
import { guardEachTest } from '../../../../test-support/hardening/test-guard.js';
import { listenLoopback } from '../../../../test-support/loopback-port.js';
import { EventSource, isEventSource } from '../../src/index.js';

const guard = guardEachTest();
const trap = guard.trap;

interface Stream {
  es: EventSource;
  closes: number;
  closed: Promise<void>;
}

/**
 * An SSE endpoint on 127.0.0.1; `streams` gets each EventSource, `refused` each non-SSE request.
 * The resource baseline is taken first; `guard.finish()` (or the end of the test) closes it.
 */
async function start(options: { maxHeaderSize?: number; ping?: number; lastEventIdQuery?: boolean } = {}) {
  guard.begin();
  const streams: Stream[] = [];
  const waiting: Array<(s: Stream) => void> = [];
  const refused: IncomingMessage[] = [];
  const sockets = new Set<Socket>();
  const server = createServer(
    options.maxHeaderSize === undefined ? {} : { maxHeaderSize: options.maxHeaderSize },
    (request: IncomingMessage, response: ServerResponse) => {
      if (!isEventSource(request)) {
        refused.push(request);
        response.writeHead(404).end();
        return;
      }
      const es = new EventSource(request, response, {
        ping: options.ping ?? 10,
        ...(options.lastEventIdQuery ? { lastEventIdQuery: true } : {}),
      });
      let resolve!: () => void;
      const stream: Stream = { es, closes: 0, closed: new Promise<void>((r) => (resolve = r)) };
      es.on('close', () => {
        stream.closes++;
        resolve();
      });
      streams.push(stream);
      waiting.shift()?.(stream);
    },
  );
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  guard.defer(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const port = await listenLoopback(server);
  return { port, streams, refused, next: () => new Promise<Stream>((r) => waiting.push(r)) };
}

function sseRequest(path = '/events', extra: readonly string[] = []): string {
  return [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Accept: text/event-stream', ...extra, '', ''].join(
    '\r\n',
  );
}

describe('EventSource: hostile request headers', () => {
  it('a 1 MiB Last-Event-ID is read as given and the stream opens (linear time; timed in scripts/hostile-headers.ts)', async () => {
    const { port, next } = await start({ maxHeaderSize: 4 << 20 });
    const value = `${'9'.repeat(1 << 19)}${'\t '.repeat(1 << 18)}x`;
    const socket = await connectRaw(port);
    const stream = next();
    socket.write(sseRequest('/events', [`Last-Event-ID: ${value}`]));
    const head = await readUntil(socket, 'retry:');
    expect(head.toString('latin1')).toMatch(/^HTTP\/1\.1 200 /);
    const { es } = await stream;
    expect(es.lastEventId).toBe(value);
    socket.destroy();
    await expectNoEscapes(trap);
  });

  it('a 1 MiB query string with lastEventIdQuery is read in linear time', async () => {
    const { port, next } = await start({ maxHeaderSize: 4 << 20, lastEventIdQuery: true });
    const query = `${'a=&'.repeat(1 << 18)}lastEventId=${'%25'.repeat(1 << 16)}`;
    const socket = await connectRaw(port);
    const stream = next();
    socket.write(sseRequest(`/events?${query}`));
    await readUntil(socket, 'retry:');
    expect((await stream).es.lastEventId).toBe('%'.repeat(1 << 16));
    socket.destroy();
    await expectNoEscapes(trap);
  });

  it('more headers than Node keeps (Accept dropped) is refused as not-SSE, without a crash', async () => {
    // Over Node's default 16 KiB head limit the server would answer 431 itself: raise it, so the
    // request reaches the handler with Accept past maxHeadersCount (2000) and dropped.
    const { port, refused } = await start({ maxHeaderSize: 64 * 1024 });
    const socket = await connectRaw(port);
    const filler = Array.from({ length: 2100 }, (_, i) => `X-Filler-${i}: v`);
    socket.write(
      ['GET /events HTTP/1.1', 'Host: 127.0.0.1', ...filler, 'Accept: text/event-stream', '', ''].join(
        '\r\n',
      ),
    );
    const head = await readUntil(socket, '\r\n\r\n');
    expect(head.toString('latin1')).toMatch(/^HTTP\/1\.1 404 /);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.headers.accept).toBeUndefined();
    socket.destroy();
    await expectNoEscapes(trap);
  });

  it('duplicated and empty Accept headers do not crash isEventSource', async () => {
    const { port, streams } = await start();
    for (const extra of [
      ['Accept: '],
      ['Accept: text/event-stream', 'Accept: text/event-stream'],
      ['Accept:'],
    ]) {
      const socket = await connectRaw(port);
      socket.write(['GET /events HTTP/1.1', 'Host: 127.0.0.1', ...extra, '', ''].join('\r\n'));
      const head = await readUntil(socket, '\r\n\r\n');
      expect(head.toString('latin1')).toMatch(/^HTTP\/1\.1 (200|404) /);
      socket.destroy();
    }
    for (const s of streams) s.es.close();
    await expectNoEscapes(trap);
  });
});

describe('EventSource: the client resets the connection', () => {
  it('mid-stream: close fires once, the keep-alive timer and socket are released', async () => {
    const { port, next } = await start({ ping: 1 });
    const socket = await connectRaw(port);
    const streamPromise = next();
    socket.write(sseRequest());
    await readUntil(socket, 'retry:');
    const stream = await streamPromise;
    stream.es.send('one');
    reset(socket);
    await stream.closed;
    // Writing to the dead stream must be harmless and report false.
    expect(stream.es.send('after')).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stream.closes).toBe(1);
    expect(stream.es.readyState).toBe(EventSource.CLOSED);
    await guard.finish();
  });

  it('while the server is writing a large backlog: close fires, nothing is left behind', async () => {
    const { port, next } = await start({ ping: 1 });
    const socket = await connectRaw(port);
    const streamPromise = next();
    socket.write(sseRequest());
    await readUntil(socket, 'retry:');
    socket.pause();
    const stream = await streamPromise;
    const chunk = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 64 && stream.es.send(chunk); i++);
    reset(socket);
    await stream.closed;
    expect(stream.closes).toBe(1);
    await guard.finish();
  });
});
