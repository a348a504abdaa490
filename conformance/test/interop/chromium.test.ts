import type { IncomingMessage, ServerResponse } from 'node:http';
import { EventSource, isEventSource } from '@sockeye/eventsource';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../test-support/chromium.js';
import type { PeerClose } from './support/control.js';
import { STEP_MS } from './support/conversation.js';
import { within } from './support/inbox.js';
import { acceptedEnd, describePair, quiet, reportWithin } from './support/matrix.js';
import { connectionPath, type SockeyeServer, startSockeyeServer } from './support/sockeye-server.js';
import { WHATWG_REFLECTOR } from './support/whatwg-peer.js';

// Headless Chromium against the sockeye server, from one page the server itself serves: its
// WebSocket (with and without permessage-deflate, which Chromium always offers) and its EventSource.

const UNICODE = 'héllo wörld — 日本語 🐟 \u{1F600}';

/** An event as the page reports it. */
interface ReceivedEvent {
  type: string;
  data: string;
  lastEventId: string;
}

const EXPECTED_EVENTS: ReceivedEvent[] = [
  { type: 'message', data: 'hello', lastEventId: '' },
  { type: 'multi', data: 'line1\nline2\nline3', lastEventId: '1' },
  { type: 'unicode', data: UNICODE, lastEventId: '2' },
  { type: 'message', data: 'after reconnect', lastEventId: '3' },
];

// `listen(n)` opens the stream, collects n events of the three types, closes it and resolves.
const PAGE = `<!doctype html><meta charset="utf-8"><title>sockeye interop</title><script>
${WHATWG_REFLECTOR}
function listen(count) {
  return new Promise((resolve) => {
    const received = [];
    const source = new EventSource('/events');
    for (const type of ['message', 'multi', 'unicode']) {
      source.addEventListener(type, (event) => {
        received.push({ type: event.type, data: event.data, lastEventId: event.lastEventId });
        if (received.length === count) { source.close(); resolve(received); }
      });
    }
  });
}
</script>`;

/** What the server saw of each EventSource request: its Last-Event-ID, and whether `close` fired. */
const streams: Array<{ lastEventId: string; url: string; closed: Promise<void> }> = [];

/**
 * `/` is the page. `/events`: the first stream gets three events (plain, multi-line with mixed line
 * endings, non-ASCII) and is ended by the server; Chromium reconnects after `retry` with
 * `Last-Event-ID: 2`, and that stream gets one more event and stays open until the page closes it.
 */
function serve(request: IncomingMessage, response: ServerResponse): void {
  if (request.url === '/') {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE);
    return;
  }
  if (request.url !== '/events' || !isEventSource(request) || streams.length >= 2) {
    response.writeHead(streams.length >= 2 ? 204 : 404).end();
    return;
  }
  const es = new EventSource(request, response, { retry: 0.05, ping: 0 });
  const closed = new Promise<void>((resolve) => es.on('close', () => resolve()));
  streams.push({ lastEventId: es.lastEventId, url: es.url, closed });
  if (streams.length === 1) {
    es.send('hello');
    es.send('line1\nline2\r\nline3', { event: 'multi', id: '1' });
    es.send(UNICODE, { event: 'unicode', id: 2 });
    es.close();
  } else {
    es.send('after reconnect', { id: '3' });
  }
}

let server: SockeyeServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [server, browser] = await Promise.all([startSockeyeServer(serve), launchChromium()]);
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.port}/`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe.each([false, true])('permessage-deflate %s', (compress) => {
  describePair({
    name: `Chromium WebSocket → sockeye server, ${compress ? 'with' : 'without'} permessage-deflate`,
    compress,
    // The WHATWG API has no ping(): Chromium's pongs to sockeye's pings are tested, not the reverse.
    peerPings: false,
    connect(id) {
      const path = connectionPath(compress, id);
      const url = `${server.origin}${path}`;
      const report = quiet(page.evaluate(`reflect(${JSON.stringify(url)}, ['echo'])`) as Promise<PeerClose>);
      return {
        conversation: acceptedEnd(server.accept(path, STEP_MS), report),
        peerClosed: reportWithin(report),
      };
    },
    url: (id) => `${server.origin}${connectionPath(compress, id)}`,
  });
});

describe('Chromium EventSource → sockeye EventSource', () => {
  it('receives type, id and data (multi-line, Unicode) and reconnects with Last-Event-ID', async () => {
    const received = await within(
      page.evaluate(`listen(${EXPECTED_EVENTS.length})`) as Promise<ReceivedEvent[]>,
      STEP_MS,
      'events in the page',
    );
    expect(received).toEqual(EXPECTED_EVENTS);
    expect(streams.map((s) => s.lastEventId)).toEqual(['', '2']);
    expect(streams[0]?.url).toBe(`http://127.0.0.1:${server.port}/events`);
    // The page closed the second stream: the server's EventSource must see it go.
    await within(streams[1]!.closed, STEP_MS, 'close of the second stream on the server');
  });
});
