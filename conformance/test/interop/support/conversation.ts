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
  /** Aborted on `close`: whatever still waits on the peer fails at once, saying how it closed. */
  #gone = new AbortController();

  constructor(end: WebSocket) {
    this.end = end;
    this.opened = new Promise((resolve, reject) => {
      end.once('open', () => resolve());
      end.once('close', (event: CloseEvent) => reject(new Error(`closed ${event.code} before open`)));
    });
    // Rejections are read through `opened` by whoever awaits it; this keeps an unawaited one quiet.
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) => {
      end.once('close', (event: CloseEvent) => {
        const errors = this.errors.length > 0 ? ` after error: ${this.errors.join('; ')}` : '';
        this.#gone.abort(
          new Error(
            `the connection closed (${event.code} ${event.reason}, wasClean ${event.wasClean})${errors}`,
          ),
        );
        resolve({ code: event.code, reason: event.reason, wasClean: event.wasClean });
      });
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
    const kind = typeof data === 'string' ? 'text' : 'binary';
    return this.#data.take(`echo of a ${kind} message`, ms, this.#gone.signal);
  }

  /** Sends a command to the peer. */
  command(command: ControlCommand): void {
    this.end.send(controlMessage(command));
  }

  /** The peer's next control reply. */
  reply(ms = STEP_MS): Promise<ControlReply> {
    return this.#replies.take('control reply from the peer', ms, this.#gone.signal);
  }

  /** Pings the peer; resolves with the payload of the pong that answered it. */
  ping(payload: string, ms = STEP_MS): Promise<string> {
    let onPong: (event: MessageEvent<Buffer>) => void = () => {};
    const pong = new Promise<string>((resolve) => {
      onPong = (event) => {
        if (event.data.toString() === payload) resolve(payload);
      };
      this.end.on('pong', onPong);
    });
    if (!this.end.ping(payload)) {
      this.end.removeListener('pong', onPong);
      return Promise.reject(new Error('ping() returned false'));
    }
    return within(pong, ms, `pong for ${JSON.stringify(payload)}`, this.#gone.signal).finally(() =>
      this.end.removeListener('pong', onPong),
    );
  }

  /** The close event, within `ms`. */
  closedWithin(ms = STEP_MS): Promise<SockeyeClose> {
    return within(this.closed, ms, 'close event on the sockeye end');
  }
}
