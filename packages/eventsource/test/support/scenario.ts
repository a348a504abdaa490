import type { IncomingMessage, ServerResponse } from 'node:http';
import { EventSource, isEventSource } from '../../src/index.js';
import { startServer, type TestServer } from './server.js';

/** An event as a client reports it. */
export interface ReceivedEvent {
  type: string;
  data: string;
  lastEventId: string;
}

/** The event types the scenario sends; a client listens for each. */
export const EVENT_TYPES = ['message', 'multi', 'unicode'] as const;

export const UNICODE = 'héllo wörld — 日本語 🐟 \u{1F600}';

/**
 * What every client must receive: the first stream's three events (one plain, one multi-line with
 * every line ending, one non-ASCII), then, after the server ends that stream and the client
 * reconnects, one more.
 */
export const EXPECTED_EVENTS: readonly ReceivedEvent[] = [
  { type: 'message', data: 'hello', lastEventId: '' },
  { type: 'multi', data: 'line1\nline2\nline3\nline4', lastEventId: '1' },
  { type: 'unicode', data: UNICODE, lastEventId: '2' },
  { type: 'message', data: 'after reconnect', lastEventId: '3' },
];

/** A server playing the scenario, with what it saw of each EventSource request. */
export interface ScenarioServer extends TestServer {
  /** `es.lastEventId` of each EventSource connection, in order. */
  readonly lastEventIds: string[];
  /** The `/events` URL. */
  readonly url: string;
}

/**
 * Serves `page` (if given) at `/`, and the scenario at `/events`: the first connection gets three
 * events and is then closed by the server; the second (the client's reconnection, which must carry
 * `Last-Event-ID: 2`) gets one more and stays open; any later one gets `204 No Content`, the
 * standard "stop reconnecting".
 */
export async function startScenarioServer(page?: string): Promise<ScenarioServer> {
  const lastEventIds: string[] = [];
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    if (request.url === '/' && page !== undefined) {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end(page);
      return;
    }
    if (!request.url?.startsWith('/events') || !isEventSource(request)) {
      response.writeHead(404).end();
      return;
    }
    if (lastEventIds.length >= 2) {
      response.writeHead(204).end();
      return;
    }
    const es = new EventSource(request, response, { retry: 0.05, ping: 0 });
    lastEventIds.push(es.lastEventId);
    if (lastEventIds.length === 1) {
      es.send('hello');
      es.send('line1\nline2\r\nline3\rline4', { event: 'multi', id: '1' });
      es.send(UNICODE, { event: 'unicode', id: 2 });
      // Ends the response after the three events: the client reconnects after `retry`.
      es.close();
    } else {
      es.send('after reconnect', { id: '3' });
    }
  };
  const server = await startServer(handler);
  return Object.assign(server, { lastEventIds, url: `${server.origin}/events` });
}

/** The part of a WHATWG-shaped EventSource client (npm `eventsource`, undici's) the scenario uses. */
export interface ScenarioClient {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: ReceivedEvent & { message?: string }) => void): void;
}

/** `EventSource.CLOSED` in the WHATWG HTML standard: the client has given up for good. */
const CLOSED = 2;

/**
 * Listens on `source` for every scenario event type and resolves with what it received once
 * {@link EXPECTED_EVENTS} has its count. The end of the first stream is an `error` event too, followed
 * by a reconnect; only an `error` that leaves the client CLOSED (it will not reconnect) rejects.
 */
export function receiveScenario(source: ScenarioClient): Promise<ReceivedEvent[]> {
  const received: ReceivedEvent[] = [];
  return new Promise((resolve, reject) => {
    for (const type of EVENT_TYPES) {
      source.addEventListener(type, (event) => {
        received.push({ type: event.type, data: event.data, lastEventId: event.lastEventId });
        if (received.length === EXPECTED_EVENTS.length) resolve(received);
      });
    }
    source.addEventListener('error', (event) => {
      if (source.readyState === CLOSED) reject(new Error(`closed: ${event.message ?? 'error'}`));
    });
  });
}
