import { type BareConnection, type BareConnectionEvents, openBareConnection } from './bare-connection.js';
import { FrameCounter } from './frame-counter.js';

/** What a {@link WsConnection} reports to the driver that owns it. */
export interface WsConnectionHandler {
  /** The 101 arrived. */
  onOpen(conn: WsConnection): void;
  /** `count` data messages completed. */
  onMessages(conn: WsConnection, count: number): void;
  /** The connection closed (after an error, a refusal, the server's FIN or the end of the run). */
  onClose(conn: WsConnection, error: boolean): void;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * One raw-TCP WebSocket client connection of the load generator, on a {@link BareConnection}:
 * writes a prebuilt upgrade request, waits for `HTTP/1.1 101`, then counts frames with a
 * {@link FrameCounter}. The server's FIN closes it.
 */
export class WsConnection implements BareConnectionEvents {
  readonly counter = new FrameCounter();
  open = false;
  closed = false;
  /** Messages this connection expects back; the driver's bookkeeping. */
  outstanding = 0;
  readonly #connection: BareConnection;
  readonly #request: Buffer;
  #head: Buffer | null = null;
  #failed = false;
  readonly #handler: WsConnectionHandler;

  constructor(port: number, request: Buffer, handler: WsConnectionHandler, preferHandle = true) {
    this.#handler = handler;
    this.#request = request;
    this.#connection = openBareConnection(port, this, preferHandle);
  }

  /** When the connection started, for the handshake driver's stall sweep. */
  get startedAt(): number {
    return this.#connection.startedAt;
  }

  write(data: Uint8Array): void {
    this.#connection.write(data);
  }

  /** Writes `data`, then sends FIN. */
  end(data: Uint8Array): void {
    this.#connection.write(data);
    this.#connection.end();
  }

  close(): void {
    this.#connection.close();
  }

  onConnect(): void {
    this.#connection.write(this.#request);
  }

  onData(_conn: BareConnection, chunk: Buffer): void {
    if (this.open) {
      const n = this.counter.feed(chunk);
      if (n > 0) this.#handler.onMessages(this, n);
      return;
    }
    const head = this.#head ? Buffer.concat([this.#head, chunk]) : chunk;
    const end = head.indexOf(HEAD_END);
    if (end < 0) {
      if (head.length > 16384) this.#fail();
      // A copy: the next read overwrites the shared buffer.
      else this.#head = head === chunk ? Buffer.from(chunk) : head;
      return;
    }
    if (head.toString('latin1', 0, 12) !== 'HTTP/1.1 101') {
      this.#fail();
      return;
    }
    this.#head = null;
    this.open = true;
    this.#handler.onOpen(this);
    if (end + 4 < head.length) {
      const n = this.counter.feed(head, end + 4);
      if (n > 0) this.#handler.onMessages(this, n);
    }
  }

  onEnd(): void {
    this.#connection.close();
  }

  onError(): void {
    this.#failed = true;
  }

  onClose(): void {
    this.closed = true;
    this.#handler.onClose(this, this.#failed || !this.open);
  }

  #fail(): void {
    this.#failed = true;
    this.#connection.close();
  }
}

/**
 * Opens `count` connections, `concurrency` at a time, resolving when all are open. Connections that
 * fail are retried up to `count` extra attempts in all, then the promise rejects.
 */
export function openConnections(
  port: number,
  request: Buffer,
  count: number,
  concurrency: number,
  handler: Omit<WsConnectionHandler, 'onOpen'> & { onOpen?(conn: WsConnection): void },
): Promise<WsConnection[]> {
  return new Promise((resolve, reject) => {
    const opened: WsConnection[] = [];
    let pending = 0;
    let started = 0;
    let failures = 0;
    let done = false;
    const startNext = () => {
      while (!done && pending < concurrency && started < count + failures) {
        pending++;
        started++;
        new WsConnection(port, request, wrapped);
      }
    };
    const wrapped: WsConnectionHandler = {
      onOpen(conn) {
        pending--;
        opened.push(conn);
        handler.onOpen?.(conn);
        if (opened.length === count) {
          done = true;
          resolve(opened);
        } else startNext();
      },
      onMessages: (conn, n) => handler.onMessages(conn, n),
      onClose(conn, error) {
        if (!conn.open) {
          pending--;
          failures++;
          if (failures > count && !done) {
            done = true;
            reject(new Error(`could not open ${count} connections (${failures} failed)`));
            return;
          }
          startNext();
        }
        handler.onClose(conn, error);
      },
    };
    startNext();
  });
}
