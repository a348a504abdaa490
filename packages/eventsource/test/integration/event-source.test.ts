import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EventSource, type EventSourceOptions } from '../../src/index.js';
import { startServer, type TestServer } from '../support/server.js';
import { eventsIn, openStream, type StreamClient } from '../support/stream-client.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

let server: TestServer;
let handler: Handler = (_request, response) => response.writeHead(500).end();
let clients: StreamClient[] = [];

beforeAll(async () => {
  server = await startServer((request, response) => handler(request, response));
});
let sockets: net.Socket[] = [];

afterEach(() => {
  for (const client of clients) client.destroy();
  clients = [];
  for (const socket of sockets) socket.destroy();
  sockets = [];
});
afterAll(() => server.close());

/**
 * Makes the next request build an EventSource with `options`, handed to `built` in the request
 * handler (before any event fires); resolves with it.
 */
function nextEventSource(
  options?: EventSourceOptions,
  built?: (es: EventSource) => void,
): Promise<EventSource> {
  return new Promise((resolve) => {
    handler = (request, response) => {
      const es = new EventSource(request, response, options);
      built?.(es);
      resolve(es);
    };
  });
}

/**
 * Writes `request` on a raw socket. `created` resolves with the EventSource it makes; `closed` with
 * everything the socket read once the server closes it, or with `null` if that takes over 2 s.
 */
function rawRequest(
  request: string | Buffer,
  options?: EventSourceOptions,
  built?: (es: EventSource) => void,
): { created: Promise<EventSource>; closed: Promise<string | null> } {
  const created = nextEventSource(options, built);
  const socket = net.connect(server.port, '127.0.0.1');
  sockets.push(socket);
  let raw = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    raw += chunk;
  });
  socket.write(request);
  const closed = new Promise<string | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), 2000);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(raw);
    });
  });
  return { created, closed };
}

/** A response read off a socket, as its head and everything after the blank line. */
function splitHead(raw: string): [head: string, body: string] {
  const end = raw.indexOf('\r\n\r\n');
  return [raw.slice(0, end), raw.slice(end + 4)];
}

async function connect(
  options?: EventSourceOptions,
  path = '/events',
  headers: Record<string, string> = {},
): Promise<{ es: EventSource; client: StreamClient }> {
  const created = nextEventSource(options);
  const client = await openStream(`${server.origin}${path}`, headers);
  clients.push(client);
  return { es: await created, client };
}

describe('response head', () => {
  it('sends 200, the SSE headers, the user headers, and Connection: keep-alive on HTTP/1.1', async () => {
    const { client } = await connect(
      { headers: { 'Access-Control-Allow-Origin': '*', 'x-extra': ['a', 'b'] } },
      '/events',
      // As browsers send it; Node's own client, without an agent that keeps connections, asks to close.
      { Connection: 'keep-alive' },
    );
    const { statusCode, headers } = client.response;
    expect(statusCode).toBe(200);
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(headers['cache-control']).toBe('no-cache, no-transform');
    expect(headers['x-accel-buffering']).toBe('no');
    expect(headers.connection).toBe('keep-alive');
    expect(headers['access-control-allow-origin']).toBe('*');
    expect(headers['x-extra']).toBe('a, b');
  });

  it('leaves out a user header whose value is undefined or null, as faye leaves undefined out', async () => {
    // Before, `undefined` threw from Node's setHeader and `null` went out as the text "null".
    const { client } = await connect({
      headers: { 'X-Undef': undefined, 'X-Null': null, 'Cache-Control': undefined, 'X-Ok': 'yes' },
    });
    const names = client.response.rawHeaders.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase());
    expect(names.filter((name) => name.startsWith('x-') && name !== 'x-accel-buffering')).toEqual(['x-ok']);
    // A header left out does not remove sockeye's own of the same name.
    expect(client.response.headers['cache-control']).toBe('no-cache, no-transform');
  });

  it('throws from the constructor for a bad header value before it sets any header on the response', async () => {
    const thrown = new Promise<{ error: unknown; headers: string[] }>((resolve) => {
      handler = (request, response) => {
        try {
          new EventSource(request, response, { headers: { 'X-Ok': 'yes', 'X-Bad': { a: 1 } as never } });
          resolve({ error: null, headers: response.getHeaderNames() });
        } catch (error) {
          resolve({ error, headers: response.getHeaderNames() });
        }
        response.writeHead(500).end();
      };
    });
    const client = await openStream(`${server.origin}/events`);
    clients.push(client);
    const { error, headers } = await thrown;
    expect(error).toBeInstanceOf(TypeError);
    expect(headers).toEqual([]);
    expect(client.response.statusCode).toBe(500);
  });

  it('lets a user header replace a default one, whatever its case, without sending both', async () => {
    const { client } = await connect({ headers: { 'cache-control': 'private, no-store' } });
    const raw = client.response.rawHeaders.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase());
    expect(raw.filter((name) => name === 'cache-control')).toHaveLength(1);
    expect(client.response.headers['cache-control']).toBe('private, no-store');
  });

  it('starts with the retry field in milliseconds (default 5 s)', async () => {
    const { client } = await connect();
    expect(await client.waitFor((text) => text.length >= 13)).toBe('retry: 5000\n\n');
  });

  it('with retry: false, sends no retry field but flushes the headers at once', async () => {
    const { es, client } = await connect({ retry: false });
    expect(client.response.statusCode).toBe(200); // openStream resolved on the head alone
    es.send('first');
    expect(await client.waitFor((text) => text.includes('\n\n'))).toBe('data: first\n\n');
  });

  it('does not send Connection: keep-alive to an HTTP/1.0 client, and ends the stream by closing', async () => {
    const { created, closed } = rawRequest('GET /events HTTP/1.0\r\nAccept: text/event-stream\r\n\r\n', {
      retry: 1.5,
    });
    const es = await created;
    es.send('one');
    es.close();
    const [head, body] = splitHead((await closed)!);
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head.toLowerCase()).not.toContain('connection: keep-alive');
    expect(head.toLowerCase()).not.toContain('transfer-encoding');
    expect(body).toBe('retry: 1500\n\ndata: one\n\n');
  });

  it('answers Connection: close in kind, and closes the connection once the stream ends', async () => {
    const { created, closed } = rawRequest(
      'GET /events HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAccept: text/event-stream\r\n\r\n',
      { retry: 1.5 },
    );
    const es = await created;
    es.send('one');
    es.close();
    // RFC 9112 §9.6: the server "MUST initiate closure of the connection after it sends the final
    // response" (here at once, not after the server's keep-alive timeout of 5 s).
    const raw = await closed;
    expect(raw).not.toBeNull();
    const [head, body] = splitHead(raw!);
    expect(head.toLowerCase()).toContain('connection: close');
    expect(head.toLowerCase()).not.toContain('keep-alive');
    expect(body).toBe('d\r\nretry: 1500\n\n\r\nb\r\ndata: one\n\n\r\n0\r\n\r\n');
  });

  it('answers a HEAD with the stream’s headers and no body, then closes without opening', async () => {
    const events: string[] = [];
    const { created, closed } = rawRequest(
      'HEAD /events HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAccept: text/event-stream\r\n\r\n',
      { ping: 0.01 },
      (es) => {
        events.push(`send:${es.send('x')}`);
        for (const type of ['open', 'close']) es.on(type, () => events.push(type));
      },
    );
    const es = await created;
    const raw = await closed;
    expect(raw).not.toBeNull();
    const [head, body] = splitHead(raw!);
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head.toLowerCase()).toContain('content-type: text/event-stream');
    expect(body).toBe('');
    expect(events).toEqual(['send:false', 'close']);
    expect(es.readyState).toBe(EventSource.CLOSED);
  });
});

describe('properties', () => {
  it('url is http:// + Host + path; lastEventId comes from the Last-Event-ID header', async () => {
    const { es } = await connect(undefined, '/events/x?y=1', { 'Last-Event-ID': 'abc 42' });
    expect(es.url).toBe(`http://127.0.0.1:${server.port}/events/x?y=1`);
    expect(es.lastEventId).toBe('abc 42');
  });

  it('lastEventId reads the header as UTF-8, as clients send it, else as Latin-1', async () => {
    const utf8 = rawRequest(
      'GET /events HTTP/1.1\r\nHost: h\r\nAccept: text/event-stream\r\nLast-Event-ID: café-🐟\r\n\r\n',
    );
    expect((await utf8.created).lastEventId).toBe('café-🐟');
    // undici sends an id that fits in Latin-1 as Latin-1: 0xE9 alone is not UTF-8.
    const latin1 = rawRequest(
      Buffer.from(
        'GET /events HTTP/1.1\r\nHost: h\r\nAccept: text/event-stream\r\nLast-Event-ID: caf\xe9\r\n\r\n',
        'latin1',
      ),
    );
    expect((await latin1.created).lastEventId).toBe('café');
  });

  it('lastEventId is empty without the header, and ignores the query string unless asked', async () => {
    const { es } = await connect(undefined, '/events?lastEventId=7');
    expect(es.lastEventId).toBe('');
  });

  it('lastEventIdQuery reads a named query parameter; the header wins when both are sent', async () => {
    const a = await connect({ lastEventIdQuery: 'since' }, '/events?since=12&x=1');
    expect(a.es.lastEventId).toBe('12');
    const b = await connect({ lastEventIdQuery: true }, '/events?lastEventId=12', { 'last-event-id': '13' });
    expect(b.es.lastEventId).toBe('13');
  });

  it('url takes the authority of an absolute-form target, not the Host header (RFC 9112 §3.2.2)', async () => {
    const { created } = rawRequest(
      'GET http://example.com:8080/events?x=1 HTTP/1.1\r\nHost: other\r\nAccept: text/event-stream\r\n\r\n',
    );
    expect((await created).url).toBe('http://example.com:8080/events?x=1');
  });

  it('url is https:// behind a TLS-terminating proxy that says so', async () => {
    const { es } = await connect(undefined, '/e', { 'X-Forwarded-Proto': 'https' });
    expect(es.url).toBe(`https://127.0.0.1:${server.port}/e`);
  });

  it('readyState goes CONNECTING → OPEN (with an open event on the next tick) → CLOSED', async () => {
    const order: string[] = [];
    const created = new Promise<EventSource>((resolve) => {
      handler = (request, response) => {
        const es = new EventSource(request, response);
        order.push(`built:${es.readyState}`);
        es.onopen = (event) => order.push(`onopen:${event.type}:${es.readyState}`);
        es.addEventListener('open', () => order.push('listener'));
        es.on('close', () => order.push(`close:${es.readyState}`));
        order.push(`handler returned:${es.readyState}`);
        resolve(es);
      };
    });
    clients.push(await openStream(`${server.origin}/`));
    const es = await created;
    expect(order).toEqual(['built:0', 'handler returned:0', 'onopen:open:1', 'listener']);
    expect(es.readyState).toBe(es.OPEN);
    expect(es.close()).toBe(true);
    expect(es.close()).toBe(false);
    expect(order.at(-1)).toBe('close:3');
    expect(order.filter((entry) => entry.startsWith('close'))).toHaveLength(1);
    expect(es.readyState).toBe(EventSource.CLOSED);
    expect(es.writable).toBe(false);
  });

  it('exposes faye’s defaults on the class and the instance', async () => {
    const { es } = await connect();
    expect([EventSource.DEFAULT_PING, EventSource.DEFAULT_RETRY]).toEqual([10, 5]);
    expect([es.DEFAULT_PING, es.DEFAULT_RETRY]).toEqual([10, 5]);
    expect([es.CONNECTING, es.OPEN, es.CLOSED]).toEqual([0, 1, 3]);
  });
});

describe('sending', () => {
  it('send() writes each event as the client will read it', async () => {
    const { es, client } = await connect({ retry: false });
    expect(es.send('a\r\nb\rc\nd', { event: 'multi', id: 0 })).toBe(true);
    es.send(42);
    es.send('', { id: '' });
    const text = await client.waitFor((t) => eventsIn(t).length === 3);
    expect(text).toBe(
      'event: multi\nid: 0\ndata: a\ndata: b\ndata: c\ndata: d\n\ndata: 42\n\nid:\ndata: \n\n',
    );
    expect(eventsIn(text)).toEqual([
      { type: 'multi', data: 'a\nb\nc\nd', lastEventId: '0' },
      { type: 'message', data: '42', lastEventId: '0' },
      { type: 'message', data: '', lastEventId: '' },
    ]);
  });

  it('refuses event types and ids that would inject fields, sending nothing', async () => {
    const { es, client } = await connect({ retry: false });
    expect(() => es.send('x', { event: 'a\ndata: evil' })).toThrow(TypeError);
    expect(() => es.send('x', { id: '1\r' })).toThrow(TypeError);
    expect(() => es.send('x', { id: '1\0' })).toThrow(TypeError);
    es.send('ok');
    expect(await client.waitFor((t) => t.includes('\n\n'))).toBe('data: ok\n\n');
  });

  it('ping() sends a comment, and the ping option sends one on a timer', async () => {
    const { es, client } = await connect({ retry: false, ping: 0.02 });
    expect(es.ping()).toBe(true);
    // The explicit one and at least one from the timer.
    await client.waitFor((t) => t.startsWith(':\n\n:\n\n'));
    expect(eventsIn(client.text())).toEqual([]);
  });

  it('stops the ping timer on close', async () => {
    const { es, client } = await connect({ retry: false, ping: 0.01 });
    await client.waitFor((t) => t.includes(':\n\n'));
    const ping = vi.spyOn(es, 'ping');
    es.close();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(ping).not.toHaveBeenCalled();
  });

  it('after close, send(), ping() and sendEncoded() return false and write nothing', async () => {
    const { es, client } = await connect({ retry: false });
    es.send('last');
    es.close();
    expect(es.send('late')).toBe(false);
    expect(es.ping()).toBe(false);
    expect(es.sendEncoded(EventSource.encode('late'))).toBe(false);
    expect(await client.ended()).toBe('data: last\n\n');
  });

  it('encode() once and sendEncoded() to many streams writes the same bytes as send()', async () => {
    const a = await connect({ retry: false });
    const b = await connect({ retry: false });
    const encoded = EventSource.encode('fan\nout ✓', { event: 'news', id: 9 });
    expect(a.es.sendEncoded(encoded)).toBe(true);
    expect(b.es.sendEncoded(encoded)).toBe(true);
    b.es.send('fan\nout ✓', { event: 'news', id: 9 });
    const expected = 'event: news\nid: 9\ndata: fan\ndata: out ✓\n\n';
    expect(await a.client.waitFor((t) => t.length >= expected.length)).toBe(expected);
    expect(await b.client.waitFor((t) => t.length >= 2 * expected.length)).toBe(expected + expected);
  });

  it('is a writable stream: pipe() turns each chunk into an event, UTF-8 split across chunks intact', async () => {
    const { es, client } = await connect({ retry: false });
    const fish = Buffer.from('🐟', 'utf8');
    const closed = new Promise((resolve) => es.once('close', resolve));
    Readable.from([
      Buffer.from('one'),
      fish.subarray(0, 2),
      Buffer.concat([fish.subarray(2), Buffer.from('!')]),
      'two',
    ]).pipe(es as unknown as NodeJS.WritableStream);
    await closed;
    expect(eventsIn(await client.ended()).map((e) => e.data)).toEqual(['one', '🐟!', 'two']);
  });

  it('a stream ending mid-character sends that character as U+FFFD, as buffer.toString() would', async () => {
    const { es, client } = await connect({ retry: false });
    const closed = new Promise((resolve) => es.once('close', resolve));
    Readable.from([Buffer.from('fin '), Buffer.from('🐟').subarray(0, 3)]).pipe(
      es as unknown as NodeJS.WritableStream,
    );
    await closed;
    expect(eventsIn(await client.ended()).map((e) => e.data)).toEqual(['fin ', '\uFFFD']);
  });

  it('end(chunk) sends a last event and closes', async () => {
    const { es, client } = await connect({ retry: false });
    es.end('bye');
    expect(es.readyState).toBe(EventSource.CLOSED);
    expect(await client.ended()).toBe('data: bye\n\n');
  });
});

describe('closing', () => {
  it('fires close once when the client goes away, with readyState CLOSED', async () => {
    const { es, client } = await connect();
    expect(es.readyState).toBe(EventSource.OPEN);
    const onclose = vi.fn();
    es.onclose = onclose;
    const closed = new Promise((resolve) => es.once('close', resolve));
    client.destroy();
    await closed;
    expect(onclose).toHaveBeenCalledTimes(1);
    expect(es.readyState).toBe(EventSource.CLOSED);
    expect(es.send('x')).toBe(false);
    expect(es.close()).toBe(false);
  });

  it('a client gone before the EventSource is built gets close and no open', async () => {
    let resolveResponse!: (pair: [IncomingMessage, ServerResponse]) => void;
    const arrived = new Promise<[IncomingMessage, ServerResponse]>((resolve) => {
      resolveResponse = resolve;
    });
    handler = (request, response) => resolveResponse([request, response]);
    const client = await new Promise<net.Socket>((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1', () => resolve(socket));
    });
    client.write('GET / HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n');
    const [request, response] = await arrived;
    const responseClosed = new Promise((resolve) => response.once('close', resolve));
    client.destroy();
    await responseClosed;
    const es = new EventSource(request, response);
    const events: string[] = [];
    es.on('open', () => events.push('open'));
    es.on('close', () => events.push('close'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['close']);
    expect(es.readyState).toBe(EventSource.CLOSED);
  });

  it('terminate() drops the connection at once and fires close', async () => {
    const { es, client } = await connect();
    const closed = vi.fn();
    es.on('close', closed);
    es.terminate();
    expect(closed).toHaveBeenCalledTimes(1);
    await client.ended();
    expect(client.response.complete).toBe(false); // no chunked terminator: cut, not ended
  });
});

describe('construction errors', () => {
  it('throws on an unknown option (faye does not check; sockeye does) and on bad values', async () => {
    const errors: unknown[] = [];
    handler = (request, response) => {
      for (const options of [{ pnig: 5 }, { ping: -1 }, { retry: Number.NaN }] as EventSourceOptions[]) {
        try {
          new EventSource(request, response, options);
        } catch (error) {
          errors.push(error);
        }
      }
      response.end();
    };
    await (await openStream(`${server.origin}/`)).ended();
    expect(errors.map((e) => (e as Error).message)).toEqual([
      'Unrecognized option: pnig',
      expect.stringContaining('ping'),
      expect.stringContaining('retry'),
    ]);
  });

  it('throws if the response head is already sent', async () => {
    let error: unknown;
    handler = (request, response) => {
      response.writeHead(200).flushHeaders();
      try {
        new EventSource(request, response);
      } catch (caught) {
        error = caught;
      }
      response.end();
    };
    await (await openStream(`${server.origin}/`)).ended();
    expect((error as Error).message).toMatch(/already sent/);
  });
});
