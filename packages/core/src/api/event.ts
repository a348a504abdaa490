import type { WebSocketError } from '../errors.js';

/**
 * Event objects handed to listeners, shaped like faye-websocket's (and so like the DOM's, minus
 * propagation): `type`, `target`, `currentTarget`, `eventPhase`, no-op `stopPropagation()` and
 * `preventDefault()`. `MessageEvent` adds `data`; `CloseEvent` adds `code`, `reason` and `wasClean`;
 * `ErrorEvent` adds `message` and the `error` behind it.
 * @see https://html.spec.whatwg.org/multipage/web-sockets.html#the-websocket-interface
 */
export class Event {
  static readonly CAPTURING_PHASE = 1;
  static readonly AT_TARGET = 2;
  static readonly BUBBLING_PHASE = 3;

  readonly type: string;
  readonly bubbles = false;
  readonly cancelable = false;
  readonly eventPhase = Event.AT_TARGET;
  readonly timeStamp = Date.now();
  target: unknown = null;
  currentTarget: unknown = null;

  constructor(type: string) {
    this.type = type;
  }

  stopPropagation(): void {}
  preventDefault(): void {}
}

/** A received message: `data` is a string for text, a `Buffer` for binary. */
export class MessageEvent<T = string | Buffer> extends Event {
  readonly data: T;
  /** The event id, for server-sent events; empty for WebSocket messages. */
  readonly lastEventId: string;

  constructor(type: string, data: T, lastEventId = '') {
    super(type);
    this.data = data;
    this.lastEventId = lastEventId;
  }
}

/**
 * The connection closed. `wasClean` is true when both close frames were exchanged before TCP
 * closed (RFC 6455 §7.1.4 "The WebSocket Connection is Closed" after a closing handshake).
 */
export class CloseEvent extends Event {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;

  constructor(type: string, code: number, reason: string, wasClean: boolean) {
    super(type);
    this.code = code;
    this.reason = reason;
    this.wasClean = wasClean;
  }
}

/**
 * Something went wrong; `error` is the {@link WebSocketError} behind it (a `ProtocolError`,
 * `HandshakeError`, `ProxyError` or `NetworkError`; its `code` is one of `ErrorCode`), and `message`
 * is its message.
 */
export class ErrorEvent extends Event {
  readonly message: string;
  readonly error: WebSocketError;

  constructor(type: string, message: string, error: WebSocketError) {
    super(type);
    this.message = message;
    this.error = error;
  }
}
