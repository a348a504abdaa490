// The listener types of EventSource, and its constructor's response type. The checks are mostly
// type-level (`expectTypeOf`, `@ts-expect-error`): `pnpm typecheck` covers test/, so a regression
// fails there. The runtime test shows that the typed events arrive over a real HTTP/2 stream.
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Event } from '@sockeye/core';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { EventSource, type EventSourceEvents, isEventSource } from '../../src/index.js';

let server: http2.Http2Server | undefined;
let session: http2.ClientHttp2Session | undefined;
afterEach(async () => {
  session?.destroy();
  session = undefined;
  const closing = server;
  server = undefined;
  if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
});

interface FeedEvents extends EventSourceEvents {
  subscribed: [topic: string];
}

/** An EventSource subclass with an event of its own. */
class FeedSource extends EventSource<FeedEvents> {}

/** Type-level only: never called. */
function listenerTypes(es: EventSource, feed: FeedSource): void {
  es.on('open', (event) => expectTypeOf(event).toEqualTypeOf<Event>());
  es.once('close', (event) => expectTypeOf(event).toEqualTypeOf<Event>());
  es.addEventListener('drain', (event) => expectTypeOf(event.type).toEqualTypeOf<string>());
  expectTypeOf(es.on('close', () => {}).off('close', () => {})).toEqualTypeOf<EventSource>();
  // @ts-expect-error an EventSource's close is a plain Event, not a CloseEvent
  es.on('close', (event) => event.code);
  // @ts-expect-error nothing arrives on this stream from the client: no data
  es.addEventListener('message', (event) => event.data);
  es.on('my-event', (anything: { id: number }) => anything.id);

  feed.on('subscribed', (topic) => expectTypeOf(topic).toEqualTypeOf<string>());
  expectTypeOf(feed.on('open', () => {})).toEqualTypeOf<FeedSource>();
  // @ts-expect-error subscribed carries a topic string
  feed.on('subscribed', (topic) => topic.type);
}

/** Type-level only: the request handlers of http, https and http2 (both kinds) type-check as written. */
function serverTypes(): void {
  http.createServer((req, res) => isEventSource(req) && new EventSource(req, res));
  https.createServer((req, res) => isEventSource(req) && new EventSource(req, res, { retry: false }));
  http2.createServer((req, res) => isEventSource(req) && new EventSource(req, res));
  http2.createSecureServer(
    { allowHTTP1: true },
    (req, res) => isEventSource(req) && new EventSource(req, res),
  );
}

describe('EventSource event types', () => {
  it('are declared as the checks above say', () => {
    expectTypeOf(listenerTypes).toBeFunction();
    expectTypeOf(serverTypes).toBeFunction();
  });

  it('fires typed open and close over HTTP/2, and flushes the headers of a stream without retry', async () => {
    const seen: Event[] = [];
    let opened!: (es: EventSource) => void;
    const source = new Promise<EventSource>((resolve) => (opened = resolve));
    server = http2.createServer((request, response) => {
      if (!isEventSource(request)) return;
      // No retry field, no ping, no event: the 200 must leave with writeHead() / flushHeaders().
      const es = new EventSource(request, response, { retry: false, ping: 0 });
      es.on('open', (event) => {
        seen.push(event);
        opened(es);
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    session = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const stream = session.request({ ':path': '/', accept: 'text/event-stream' });
    const headers = await new Promise<http2.IncomingHttpHeaders>((resolve) =>
      stream.once('response', resolve),
    );
    expect(headers[':status']).toBe(200);
    const es = await source;
    expect(seen.map((event) => [event.type, event.target])).toEqual([['open', es]]);
    const closed = new Promise<Event>((resolve) => es.addEventListener('close', resolve));
    es.close();
    expect((await closed).type).toBe('close');
    stream.resume();
  });
});
