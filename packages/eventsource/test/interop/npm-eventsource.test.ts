import { afterEach, describe, expect, it } from 'vitest';
import {
  EXPECTED_EVENTS,
  receiveScenario,
  type ScenarioClient,
  type ScenarioServer,
  startScenarioServer,
} from '../support/scenario.js';

/** The part of the npm client's API the test uses. */
interface NpmEventSource extends ScenarioClient {
  close(): void;
}
type NpmEventSourceClass = new (url: string) => NpmEventSource;

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
    const source = new NpmEventSource(server.url);
    client = source;
    const received = await receiveScenario(source);
    expect(received).toEqual(EXPECTED_EVENTS);
    expect(server.lastEventIds).toEqual(['', '2']);
  });
});
