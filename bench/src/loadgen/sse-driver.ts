import type { DriverConfig } from '../driver-config.js';
import { type BareConnection, type BareConnectionEvents, openBareConnection } from './bare-connection.js';
import { type Driver, NO_LATENCY, waitFor } from './driver.js';

/** Every event payload starts with this byte and no other byte of the stream is one: counting it
 * counts events whatever the framing (LF or CRLF, chunked or not). */
export const EVENT_MARK = 0x23; // '#'

/** Events in a chunk: occurrences of {@link EVENT_MARK}. */
export function countMarks(chunk: Buffer): number {
  let n = 0;
  let i = chunk.indexOf(EVENT_MARK);
  while (i >= 0) {
    n++;
    i = chunk.indexOf(EVENT_MARK, i + 1);
  }
  return n;
}

/**
 * SSE fan-out: `connections` subscribers (`GET /events`); a control connection posts `/emit`
 * (keep-alive) and the server sends one event to every subscriber per post. At most `inFlight`
 * emits are outstanding.
 */
export async function startSseDriver(config: DriverConfig): Promise<Driver> {
  const { port } = config;
  const n = config.connections;
  const subscribe = Buffer.from(
    `GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n`,
  );
  const emit = Buffer.from(`POST /emit HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 0\r\n\r\n`);
  let events = 0;
  let sent = 0;
  let errors = 0;
  let subscribed = 0;
  let sending = false;
  const connections: BareConnection[] = [];
  const control = openBareConnection(port, {
    onConnect() {},
    onData() {},
    onEnd: (conn) => conn.close(),
    onError: () => errors++,
    onClose() {},
  });
  const pump = () => {
    while (sending && sent - Math.floor(events / n) < config.inFlight) {
      control.write(emit);
      sent++;
    }
  };
  await new Promise<void>((resolve, reject) => {
    let started = 0;
    let pending = 0;
    const next = () => {
      while (pending < config.connectConcurrency && started < n) {
        started++;
        pending++;
        let head = true;
        const subscriber: BareConnectionEvents = {
          onConnect: (conn) => conn.write(subscribe),
          onData(_conn, chunk) {
            if (head) {
              head = false;
              if (chunk.toString('latin1', 0, 12) !== 'HTTP/1.1 200') {
                reject(new Error(`subscriber got ${JSON.stringify(chunk.toString('latin1', 0, 40))}`));
                return;
              }
              subscribed++;
              pending--;
              if (subscribed === n) resolve();
              else next();
            }
            const k = countMarks(chunk);
            if (k > 0) {
              events += k;
              pump();
            }
          },
          onEnd: (conn) => conn.close(),
          onError: () => errors++,
          onClose() {
            if (head) reject(new Error('a subscriber closed before its response head'));
            else subscribed--;
          },
        };
        connections.push(openBareConnection(port, subscriber));
      }
    };
    next();
  });
  sending = true;
  pump();
  return {
    get count() {
      return events;
    },
    get errors() {
      return errors;
    },
    get connections() {
      return subscribed;
    },
    async pause() {
      sending = false;
      await waitFor(() => events >= sent * n, 3000);
    },
    mark() {},
    latency: () => NO_LATENCY,
    stop() {
      sending = false;
      control.close();
      for (const conn of connections) conn.close();
    },
  };
}
