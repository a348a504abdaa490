import { connect, type Socket } from 'node:net';
import { FrameCounter } from './frame-counter.js';
import { sharedRead } from './shared-read.js';

/** What a {@link WsConnection} reports to the driver that owns it. */
export interface WsConnectionHandler {
  /** The 101 arrived. */
  onOpen(conn: WsConnection): void;
  /** `count` data messages completed. */
  onMessages(conn: WsConnection, count: number): void;
  /** The socket closed (after an error, a refusal or the end of the run). */
  onClose(conn: WsConnection, error: boolean): void;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * One raw-TCP WebSocket client connection of the load generator: writes a prebuilt upgrade request,
 * waits for `HTTP/1.1 101`, then counts frames with a {@link FrameCounter}.
 */
export class WsConnection {
  readonly socket: Socket;
  readonly counter = new FrameCounter();
  open = false;
  /** Messages this connection expects back; the driver's bookkeeping. */
  outstanding = 0;
  /** When the connection started, for the handshake driver's stall sweep. */
  readonly startedAt = Date.now();
  #head: Buffer | null = null;
  #failed = false;
  readonly #handler: WsConnectionHandler;

  constructor(port: number, request: Buffer, handler: WsConnectionHandler) {
    this.#handler = handler;
    this.socket = connect({
      port,
      host: '127.0.0.1',
      noDelay: true,
      onread: sharedRead((chunk) => this.#onData(chunk)),
    });
    this.socket.on('connect', () => this.socket.write(request));
    this.socket.on('error', () => {
      this.#failed = true;
    });
    this.socket.on('close', () => this.#handler.onClose(this, this.#failed || !this.open));
  }

  #onData(chunk: Buffer): void {
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

  #fail(): void {
    this.#failed = true;
    this.socket.destroy();
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
