import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { EventSource, type EventSourceOptions, isEventSource } from '../../src/index.js';
import { parseEventStream } from '../hardening/sse-reference-parser.js';
import { UNICODE } from '../support/scenario.js';
import { startServer, type TestServer } from '../support/server.js';

interface Seen {
  lastEventId: string;
  closed: Promise<void>;
}

/** A server whose streams send three events and stay open; it records each stream it made. */
async function startStreamingServer(
  options: EventSourceOptions,
): Promise<{ server: TestServer; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = await startServer((request, response) => {
    if (!isEventSource(request)) {
      response.writeHead(406).end();
      return;
    }
    const es = new EventSource(request, response, options);
    seen.push({ lastEventId: es.lastEventId, closed: new Promise((resolve) => es.once('close', resolve)) });
    es.send('hello');
    es.send('line1\nline2\r\nline3', { event: 'multi', id: 'a' });
    es.send(UNICODE, { event: 'unicode', id: 0 });
  });
  return { server, seen };
}

/** Runs `curl -N` until its output holds `count` events, then kills it; resolves with the output. */
function curlEvents(child: ChildProcessWithoutNullStreams, count: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (parseEventStream(output).events.length >= count) {
        child.kill();
        resolve(output);
      }
    });
    child.on('exit', (code) => reject(new Error(`curl exited early (${code}): ${output}`)));
  });
}

describe('curl -N', () => {
  let server: TestServer | undefined;
  let child: ChildProcessWithoutNullStreams | undefined;

  afterEach(async () => {
    child?.kill();
    await server?.close();
    child = undefined;
    server = undefined;
  });

  it('receives each event as written, unbuffered; the server sees Last-Event-ID and the client leave', async () => {
    const started = await startStreamingServer({ retry: 3 });
    server = started.server;
    child = spawn('curl', [
      '-sN',
      '-H',
      'Accept: text/event-stream',
      '-H',
      'Last-Event-ID: 41',
      `${server.origin}/events`,
    ]);
    const output = await curlEvents(child, 3);
    expect(output.startsWith('retry: 3000\n\n')).toBe(true);
    const parsed = parseEventStream(output);
    expect(parsed.retry).toBe(3000);
    expect(parsed.events).toEqual([
      { type: 'message', data: 'hello', lastEventId: '' },
      { type: 'multi', data: 'line1\nline2\nline3', lastEventId: 'a' },
      { type: 'unicode', data: UNICODE, lastEventId: '0' },
    ]);
    expect(started.seen.map((s) => s.lastEventId)).toEqual(['41']);
    // curl was killed: the server's EventSource closes on its own.
    await started.seen[0]!.closed;
  });

  it('with lastEventIdQuery, reads the id a polyfill put in the query string', async () => {
    const started = await startStreamingServer({ lastEventIdQuery: true });
    server = started.server;
    child = spawn('curl', [
      '-sN',
      '-H',
      'Accept: text/event-stream',
      `${server.origin}/events?lastEventId=%F0%9F%90%9F9`,
    ]);
    await curlEvents(child, 1);
    expect(started.seen.map((s) => s.lastEventId)).toEqual(['🐟9']);
  });
});
