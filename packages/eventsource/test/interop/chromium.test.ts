import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../../test-support/chromium.js';
import {
  EVENT_TYPES,
  EXPECTED_EVENTS,
  type ReceivedEvent,
  type ScenarioServer,
  startScenarioServer,
} from '../support/scenario.js';

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
});
