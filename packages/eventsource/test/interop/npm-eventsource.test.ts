import { EventSource as NpmEventSource } from 'eventsource';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENT_TYPES, EXPECTED_EVENTS, type ReceivedEvent, type ScenarioServer, startScenarioServer } from '../support/scenario.js';

describe('the npm eventsource client (v4)', () => {
  let server: ScenarioServer | undefined;
  let client: NpmEventSource | undefined;

  afterEach(async () => {
    client?.close();
    await server?.close();
    client = undefined;
    server = undefined;
  });

  it('receives type, id and data (multi-line, Unicode) and sends Last-Event-ID on reconnect', async () => {
    server = await startScenarioServer();
    const received: ReceivedEvent[] = [];
    const source = new NpmEventSource(server.url);
    client = source;
    await new Promise<void>((resolve, reject) => {
      for (const type of EVENT_TYPES) {
        source.addEventListener(type, (event) => {
          received.push({ type: event.type, data: event.data, lastEventId: event.lastEventId });
          if (received.length === EXPECTED_EVENTS.length) resolve();
        });
      }
      source.addEventListener('error', (event) => {
        // The end of the first stream is an error event too (then a reconnect); only a fatal one fails.
        if (source.readyState === NpmEventSource.CLOSED) reject(new Error(`closed: ${event.message}`));
      });
    });
    expect(received).toEqual(EXPECTED_EVENTS);
    expect(server.lastEventIds).toEqual(['', '2']);
  });
});
