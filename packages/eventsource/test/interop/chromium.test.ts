import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../../test-support/chromium.js';
import { EventSource, isEventSource } from '../../src/index.js';
import {
  EVENT_TYPES,
  EXPECTED_EVENTS,
  type ReceivedEvent,
  type ScenarioServer,
  startScenarioServer,
} from '../support/scenario.js';
import { startServer } from '../support/server.js';

// The page opens the stream from its own origin and resolves `window.done` once every expected
// event has arrived; the test reads the list through page.evaluate.
const PAGE = `<!doctype html><meta charset="utf-8"><script>
window.done = new Promise((resolve) => {
  const received = [];
  const source = new EventSource('/events');
  for (const type of ${JSON.stringify(EVENT_TYPES)}) {
    source.addEventListener(type, (event) => {
      received.push({ type: event.type, data: event.data, lastEventId: event.lastEventId });
      if (received.length === ${EXPECTED_EVENTS.length}) { source.close(); resolve(received); }
    });
  }
});
</script>`;

// Two events, the first with a non-ASCII id; the stream ends between them, so the second comes
// after Chromium's reconnection with `Last-Event-ID`.
const ID_PAGE = `<!doctype html><meta charset="utf-8"><script>
window.done = new Promise((resolve) => {
  const received = [];
  const source = new EventSource('/events');
  source.onmessage = (event) => {
    received.push({ data: event.data, lastEventId: event.lastEventId });
    if (received.length === 2) { source.close(); resolve(received); }
  };
});
</script>`;

describe('headless Chromium', () => {
  let browser: Browser;
  let server: ScenarioServer;

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startScenarioServer(PAGE);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('receives type, id and data (multi-line, Unicode) and sends Last-Event-ID on reconnect', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${server.origin}/`);
      const received = (await page.evaluate('window.done')) as ReceivedEvent[];
      expect(received).toEqual(EXPECTED_EVENTS);
      expect(server.lastEventIds).toEqual(['', '2']);
    } finally {
      await page.close();
    }
  });

  it('sends a non-ASCII id back as UTF-8 (WHATWG HTML §9.2.3), and lastEventId reads it so', async () => {
    const ID = 'café-🐟';
    const ids: string[] = [];
    const idServer = await startServer((request, response) => {
      if (request.url === '/') {
        response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        response.end(ID_PAGE);
        return;
      }
      if (!isEventSource(request) || ids.length >= 2) {
        response.writeHead(204).end();
        return;
      }
      const es = new EventSource(request, response, { retry: 0.05, ping: 0 });
      ids.push(es.lastEventId);
      if (ids.length === 1) {
        es.send('first', { id: ID });
        es.close();
      } else {
        es.send('second');
      }
    });
    const page = await browser.newPage();
    try {
      await page.goto(`${idServer.origin}/`);
      expect(await page.evaluate('window.done')).toEqual([
        { data: 'first', lastEventId: ID },
        { data: 'second', lastEventId: ID },
      ]);
      expect(ids).toEqual(['', ID]);
    } finally {
      await page.close();
      await idServer.close();
    }
  });
});
