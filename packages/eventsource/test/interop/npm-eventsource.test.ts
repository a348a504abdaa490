import { afterEach, describe, expect, it } from 'vitest';
import {
  EVENT_TYPES,
  EXPECTED_EVENTS,
  type ReceivedEvent,
  type ScenarioServer,
  startScenarioServer,
} from '../support/scenario.js';

/** The part of the npm client's API the test uses. */
interface NpmEventSource {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: NpmMessageEvent) => void): void;
  close(): void;
}
interface NpmMessageEvent {
  type: string;
  data: string;
  lastEventId: string;
  message?: string;
}
interface NpmEventSourceClass {
  new (url: string): NpmEventSource;
  readonly CLOSED: number;
}

// Imported by a non-literal name: the package's type declarations pull in eventsource-parser's
// TypeScript sources through the workspace's `source` export condition, which tsc here refuses
// (TS5097). At run time the real client loads as usual.
const NPM_CLIENT: string = 'eventsource';
const { EventSource: NpmEventSource } = (await import(NPM_CLIENT)) as { EventSource: NpmEventSourceClass };

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
