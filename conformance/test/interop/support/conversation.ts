import type { CloseEvent, ErrorEvent, MessageEvent, WebSocket } from '@sockeye/core';
import { type ControlCommand, type ControlReply, controlMessage, parseControl } from './control.js';
import { Inbox, within } from './inbox.js';

/** The close event of the sockeye end. */
export interface SockeyeClose {
  code: number;
  reason: string;
  wasClean: boolean;
}

/** How long a small exchange may take on a loaded 2-core box. */
export const STEP_MS = 15_000;
/** How long a 16 MiB echo may take (deflate both ways included). */
export const LARGE_STEP_MS = 90_000;

/**
 * The sockeye end of one connection (a server `WebSocket` or a `Client`: both are the core
 * `WebSocket`), watched from construction on so no event is missed: data messages, control replies,
 * pings received, errors, and the close event.
 */
export class Conversation {
  readonly end: WebSocket;
  /** Resolves on `open`; rejects if the connection closes first. */
  readonly opened: Promise<void>;
  /** Resolves with the close event. */
  readonly closed: Promise<SockeyeClose>;
  /** Every `error` event, in order (a clean pair has none). */
  readonly errors: string[] = [];
  /** Payloads of the pings the peer sent, as latin1 strings. */
  readonly pingsReceived: string[] = [];
  #data = new Inbox<string | Buffer>();
  #replies = new Inbox<ControlReply>();

  constructor(end: WebSocket) {
    this.end = end;
    this.opened = new Promise((resolve, reject) => {
      end.once('open', () => resolve());
      end.once('close', (event: CloseEvent) => reject(new Error(`closed ${event.code} before open`)));
    });
    // Rejections are read through `opened` by whoever awaits it; this keeps an unawaited one quiet.
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) => {
      end.once('close', (event: CloseEvent) =>
        resolve({ code: event.code, reason: event.reason, wasClean: event.wasClean }),
      );
    });
    end.on('error', (event: ErrorEvent) => this.errors.push(event.message));
    end.on('ping', (event: MessageEvent<Buffer>) => this.pingsReceived.push(event.data.toString('latin1')));
    end.on('message', (event: MessageEvent) => {
      const reply = parseControl<ControlReply>(event.data);
      if (reply === null) this.#data.put(event.data);
      else this.#replies.put(reply);
    });
  }

  /** Sends `data` and resolves with the next data message: the peer's echo. */
  echo(data: string | Buffer, ms = STEP_MS): Promise<string | Buffer> {
    this.end.send(data);
    return this.#unlessClosed(
      this.#data.take(`echo of a ${typeof data === 'string' ? 'text' : 'binary'} message`, ms),
    );
  }

  /** Sends a command to the peer. */
  command(command: ControlCommand): void {
    this.end.send(controlMessage(command));
  }

  /** The peer's next control reply. */
  reply(ms = STEP_MS): Promise<ControlReply> {
    return this.#unlessClosed(this.#replies.take('control reply from the peer', ms));
  }

  /** `waiting`, or a rejection as soon as the connection closes: a dead pair fails at once. */
  #unlessClosed<T>(waiting: Promise<T>): Promise<T> {
    const gone = this.closed.then((close): never => {
      throw new Error(
        `the connection closed (${close.code} ${close.reason}, wasClean ${close.wasClean})` +
          (this.errors.length > 0 ? ` after error: ${this.errors.join('; ')}` : ''),
      );
    });
    return Promise.race([waiting, gone]);
  }

  /** Pings the peer; resolves with the payload of the pong that answered it. */
  ping(payload: string, ms = STEP_MS): Promise<string> {
    const pong = within(
      new Promise<string>((resolve) => {
        const onPong = (event: MessageEvent<Buffer>) => {
          if (event.data.toString() !== payload) return;
          this.end.removeListener('pong', onPong);
          resolve(event.data.toString());
        };
        this.end.on('pong', onPong);
        if (!this.end.ping(payload)) throw new Error('ping() returned false');
      }),
      ms,
      `pong for ${JSON.stringify(payload)}`,
    );
    return this.#unlessClosed(pong);
  }

  /** The close event, within `ms`. */
  closedWithin(ms = STEP_MS): Promise<SockeyeClose> {
    return within(this.closed, ms, 'close event on the sockeye end');
  }
}
