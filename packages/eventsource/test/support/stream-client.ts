import http from 'node:http';
import { parseEventStream } from '../hardening/sse-reference-parser.js';

/** A raw HTTP/1.1 client reading an event stream as text. */
export interface StreamClient {
  readonly response: http.IncomingMessage;
  /** Everything received so far. */
  text(): string;
  /** Resolves once `predicate(text)` holds (checked on every chunk), or rejects if the stream ends first. */
  waitFor(predicate: (text: string) => boolean): Promise<string>;
  /** Resolves once the response body has ended. */
  ended(): Promise<string>;
  /** Drops the connection. */
  destroy(): void;
}

/** GETs `url` with `Accept: text/event-stream` (plus `headers`) on a fresh connection. */
export function openStream(url: string, headers: http.OutgoingHttpHeaders = {}): Promise<StreamClient> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, headers: { accept: 'text/event-stream', ...headers } });
    request.on('error', reject);
    request.on('response', (response) => {
      let text = '';
      let done = false;
      const waiters = new Set<() => void>();
      const check = () => {
        for (const waiter of waiters) waiter();
      };
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
        check();
      });
      response.on('end', () => {
        done = true;
        check();
      });
      response.on('close', () => {
        done = true;
        check();
      });
      const waitFor = (predicate: (text: string) => boolean) =>
        new Promise<string>((resolveWait, rejectWait) => {
          const waiter = () => {
            if (predicate(text)) {
              waiters.delete(waiter);
              resolveWait(text);
            } else if (done) {
              waiters.delete(waiter);
              rejectWait(new Error(`stream ended before the condition held: ${JSON.stringify(text)}`));
            }
          };
          waiters.add(waiter);
          waiter();
        });
      resolve({
        response,
        text: () => text,
        waitFor,
        ended: () =>
          new Promise<string>((resolveEnd) => {
            if (done) resolveEnd(text);
            else response.once('end', () => resolveEnd(text)).once('close', () => resolveEnd(text));
          }),
        destroy: () => request.destroy(),
      });
    });
  });
}

/** The events a conforming client would dispatch from `text`. */
export function eventsIn(text: string) {
  return parseEventStream(text).events;
}
