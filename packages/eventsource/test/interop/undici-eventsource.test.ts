import { spawn } from 'node:child_process';
import { EventSource as UndiciEventSource } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { EventSource } from '../../src/index.js';
import {
  EVENT_TYPES,
  EXPECTED_EVENTS,
  type ReceivedEvent,
  receiveScenario,
  type ScenarioServer,
  startScenarioServer,
} from '../support/scenario.js';
import { startServer, type TestServer } from '../support/server.js';

// Runs in a child process: Node 20's global EventSource exists only behind a flag. It prints each
// event as a JSON line and exits after the expected count (status 2 if they never come).
const CHILD = `
const [url, types, count] = [process.argv[1], JSON.parse(process.argv[2]), Number(process.argv[3])];
const source = new EventSource(url);
// undici's reconnection delay is an unref'd timer: without this the process would exit while waiting.
const keepAlive = setInterval(() => {}, 1000);
setTimeout(() => process.exit(2), 20000).unref();
let seen = 0;
for (const type of types) {
  source.addEventListener(type, (event) => {
    process.stdout.write(JSON.stringify({ type: event.type, data: event.data, lastEventId: event.lastEventId }) + '\\n');
    if (++seen === count) { source.close(); process.exit(0); }
  });
}
`;

describe("undici's EventSource", () => {
  let server: ScenarioServer | undefined;
  let client: UndiciEventSource | undefined;

  afterEach(async () => {
    client?.close();
    await server?.close();
    client = undefined;
    server = undefined;
  });

  it('in-process (undici 7): receives every event and sends Last-Event-ID on reconnect', async () => {
    server = await startScenarioServer();
    const source = new UndiciEventSource(server.url);
    client = source;
    const received = await receiveScenario(source);
    expect(received).toEqual(EXPECTED_EVENTS);
    expect(server.lastEventIds).toEqual(['', '2']);
  });

  it("Node's built-in EventSource (--experimental-eventsource): the same, from a child process", async () => {
    server = await startScenarioServer();
    const child = spawn(
      process.execPath,
      [
        '--experimental-eventsource',
        '--no-warnings',
        '-e',
        CHILD,
        server.url,
        JSON.stringify(EVENT_TYPES),
        String(EXPECTED_EVENTS.length),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    const received = output
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ReceivedEvent);
    expect(received).toEqual(EXPECTED_EVENTS);
    expect(server.lastEventIds).toEqual(['', '2']);
  });

  it("send() with a null event or id sends no such field: onmessage sees it, and lastEventId is not 'null'", async () => {
    // `es.send(row.body, { event: row.type, id: row.id })` with NULL columns: written as text, the
    // event was named "null" (no onmessage) and the id became the string "null".
    const events: TestServer = await startServer((request, response) => {
      const es = new EventSource(request, response, { ping: 0, retry: false });
      es.send('first', { event: null, id: null });
      es.send('second', { id: 7 });
      es.send('third', { event: undefined, id: null });
      es.send('fourth', { id: '' });
      es.send('fifth', { id: 0 });
    });
    try {
      const source = new UndiciEventSource(`${events.origin}/`);
      client = source;
      const received: Array<{ type: string; data: string; lastEventId: string }> = [];
      const done = new Promise<void>((resolve) => {
        const record = (event: Event) => {
          const { type, data, lastEventId } = event as Event & { data: string; lastEventId: string };
          received.push({ type, data, lastEventId });
          if (received.length === 5) resolve();
        };
        source.onmessage = record;
        source.addEventListener('null', record);
      });
      await done;
      expect(received).toEqual([
        { type: 'message', data: 'first', lastEventId: '' },
        { type: 'message', data: 'second', lastEventId: '7' },
        // A null id leaves the last one in place.
        { type: 'message', data: 'third', lastEventId: '7' },
        // `id: ''` is an empty id field: it resets the last event id (WHATWG).
        { type: 'message', data: 'fourth', lastEventId: '' },
        { type: 'message', data: 'fifth', lastEventId: '0' },
      ]);
    } finally {
      client?.close();
      client = undefined;
      await events.close();
    }
  });
});
