import type http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../../../../test-support/tls-fixture.js';
import {
  EventSource,
  type EventSourceRequest,
  type EventSourceResponse,
  isEventSource,
} from '../../src/index.js';
import { eventsIn } from '../support/stream-client.js';

type AnyServer = http.Server | https.Server | http2.Http2Server | http2.Http2SecureServer;

let servers: AnyServer[] = [];
let sessions: http2.ClientHttp2Session[] = [];

afterEach(async () => {
  for (const session of sessions) session.destroy();
  sessions = [];
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          (server as http.Server).closeAllConnections?.();
          server.close(() => resolve());
        }),
    ),
  );
  servers = [];
});

/** Starts `server` on loopback; each EventSource request builds an EventSource that sends two events. */
async function listen(server: AnyServer, streams: EventSource[]): Promise<number> {
  server.on('request', (request: EventSourceRequest, response: EventSourceResponse) => {
    if (!isEventSource(request)) return;
    const es = new EventSource(request, response, {
      retry: 1,
      headers: { 'Access-Control-Allow-Origin': '*' },
    });
    streams.push(es);
    es.send('über\nzwei', { event: 'greeting', id: 1 });
    es.send('done', { id: 2 });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const EXPECTED = [
  { type: 'greeting', data: 'über\nzwei', lastEventId: '1' },
  { type: 'message', data: 'done', lastEventId: '2' },
];

/** Opens an HTTP/2 stream to `path` and reads until two events arrived; returns the head and body. */
async function h2Stream(session: http2.ClientHttp2Session, path: string) {
  const stream = session.request({ ':path': path, accept: 'text/event-stream', 'last-event-id': '0' });
  const headers = await new Promise<http2.IncomingHttpHeaders>((resolve) => stream.once('response', resolve));
  return { stream, headers, body: await readEvents(stream, 2) };
}

/** Reads `stream` as text until it holds `count` events; resolves with all of it. */
function readEvents(stream: http2.ClientHttp2Stream | http.IncomingMessage, count: number): Promise<string> {
  let body = '';
  stream.setEncoding('utf8');
  return new Promise((resolve) => {
    stream.on('data', (chunk: string) => {
      body += chunk;
      if (eventsIn(body).length === count) resolve(body);
    });
  });
}

async function expectHttp2Stream(session: http2.ClientHttp2Session, streams: EventSource[], origin: string) {
  const { stream, headers, body } = await h2Stream(session, '/events?x=1');
  expect(headers[':status']).toBe(200);
  expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
  expect(headers['cache-control']).toBe('no-cache, no-transform');
  expect(headers['x-accel-buffering']).toBe('no');
  expect(headers['access-control-allow-origin']).toBe('*');
  // Connection-specific headers are forbidden in HTTP/2 (RFC 9113 §8.2.2).
  expect(headers.connection).toBeUndefined();
  expect(body.startsWith('retry: 1000\n\n')).toBe(true);
  expect(eventsIn(body)).toEqual(EXPECTED);
  const [es] = streams;
  expect(es!.url).toBe(`${origin}/events?x=1`);
  expect(es!.lastEventId).toBe('0');
  // The client cancels its stream: the server's EventSource closes, the session stays up.
  const closed = new Promise((resolve) => es!.once('close', resolve));
  stream.close(http2.constants.NGHTTP2_CANCEL);
  await closed;
  expect(es!.readyState).toBe(EventSource.CLOSED);
  expect(session.closed).toBe(false);
}

describe('HTTP/2 compatibility API', () => {
  it('h2c: sends the SSE head without Connection, streams events, closes when the client cancels', async () => {
    const streams: EventSource[] = [];
    const port = await listen(http2.createServer(), streams);
    const session = http2.connect(`http://127.0.0.1:${port}`);
    sessions.push(session);
    await expectHttp2Stream(session, streams, `http://127.0.0.1:${port}`);
  });

  it('h2 over TLS: url is https://', async () => {
    const { key, cert } = selfSignedCertificate();
    const streams: EventSource[] = [];
    const port = await listen(http2.createSecureServer({ key, cert, allowHTTP1: true }), streams);
    const session = http2.connect(`https://127.0.0.1:${port}`, { ca: cert });
    sessions.push(session);
    await expectHttp2Stream(session, streams, `https://127.0.0.1:${port}`);
  });

  it('h2c: refuses a connection-specific header option before it touches the response', async () => {
    const h2 = http2.createServer();
    servers.push(h2);
    const outcome = new Promise<{ error: unknown; contentType: unknown }>((resolve) =>
      h2.on('request', (request: EventSourceRequest, response: http2.Http2ServerResponse) => {
        let error: unknown = null;
        try {
          new EventSource(request, response, { headers: { Connection: 'keep-alive' } });
        } catch (caught) {
          error = caught;
        }
        // The application can still answer: nothing of the stream's head was set.
        resolve({ error, contentType: response.getHeader('content-type') ?? null });
        response.writeHead(500).end();
      }),
    );
    await new Promise<void>((resolve) => h2.listen(0, '127.0.0.1', resolve));
    const session = http2.connect(`http://127.0.0.1:${(h2.address() as AddressInfo).port}`);
    sessions.push(session);
    const stream = session.request({ ':path': '/', accept: 'text/event-stream' });
    const status = new Promise((resolve) =>
      stream.once('response', (headers) => resolve(headers[':status'])),
    );
    const { error, contentType } = await outcome;
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/connection-specific/);
    expect(contentType).toBeNull();
    expect(await status).toBe(500);
  });
});

describe('HEAD', () => {
  it('h2c: gets the head and the end of the stream; the EventSource closes without opening', async () => {
    const server = http2.createServer();
    servers.push(server);
    const events: string[] = [];
    const closed = new Promise<EventSource>((resolve) => {
      server.on('request', (request: EventSourceRequest, response: EventSourceResponse) => {
        const es = new EventSource(request, response, { ping: 0.01 });
        // Nothing can be sent on a HEAD: no write after the response's end.
        events.push(`send:${es.send('x')}`);
        es.on('open', () => events.push('open'));
        es.on('close', () => resolve(es));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const session = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    sessions.push(session);
    const stream = session.request({ ':method': 'HEAD', ':path': '/e', accept: 'text/event-stream' });
    const headers = await new Promise<http2.IncomingHttpHeaders>((resolve) =>
      stream.once('response', resolve),
    );
    expect(headers[':status']).toBe(200);
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
    let body = '';
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      body += chunk;
    });
    await new Promise((resolve) => stream.on('end', resolve));
    expect(body).toBe('');
    const es = await closed;
    expect(events).toEqual(['send:false']);
    expect(es.readyState).toBe(EventSource.CLOSED);
  });
});

describe('TLS with HTTP/1.1', () => {
  for (const [name, create] of [
    ['https.createServer', (key: string, cert: string) => https.createServer({ key, cert })],
    [
      'http2.createSecureServer with allowHTTP1',
      (key: string, cert: string) => http2.createSecureServer({ key, cert, allowHTTP1: true }),
    ],
  ] as const) {
    it(`${name}: url is https://, Connection: keep-alive, events arrive`, async () => {
      const { key, cert } = selfSignedCertificate();
      const streams: EventSource[] = [];
      const port = await listen(create(key, cert), streams);
      const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
        https
          .get(
            `https://127.0.0.1:${port}/e`,
            // Connection: keep-alive as browsers send it; with `agent: false` Node asks to close.
            { ca: cert, agent: false, headers: { accept: 'text/event-stream', connection: 'keep-alive' } },
            resolve,
          )
          .on('error', reject);
      });
      expect(response.httpVersion).toBe('1.1');
      expect(response.headers.connection).toBe('keep-alive');
      expect(eventsIn(await readEvents(response, 2))).toEqual(EXPECTED);
      expect(streams[0]!.url).toBe(`https://127.0.0.1:${port}/e`);
      const closed = new Promise((resolve) => streams[0]!.once('close', resolve));
      response.destroy();
      await closed;
    });
  }
});
