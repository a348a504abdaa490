import type { Socket } from 'node:net';
import type { HttpHead } from '@sockeye/core';

/**
 * An upgrade request that {@link listen} read from the socket itself, in place of Node's
 * `IncomingMessage`: the same `method`, `url`, `httpVersion`, `headers`, `rawHeaders` and `socket`,
 * without the stream (an upgrade request has no body).
 */
export class UpgradeRequest {
  /** The request method, e.g. `GET`. */
  readonly method: string;
  /** The request target as sent, e.g. `/chat?room=1`. */
  readonly url: string;
  /** `1.1` for a WebSocket request. */
  readonly httpVersion: string;
  /**
   * Header fields by lower-case name (a null-prototype object). A repeated field's values are joined
   * with `, ` (RFC 9110 §5.3); `set-cookie` values with `\n`.
   */
  readonly headers: Record<string, string>;
  /** Every field as sent, names and values alternating, as Node's `rawHeaders`. */
  readonly rawHeaders: string[];
  /** The socket the request came on. */
  readonly socket: Socket;

  constructor(head: HttpHead, socket: Socket) {
    this.method = head.method ?? '';
    this.url = head.target ?? '/';
    this.httpVersion = head.httpVersion;
    this.headers = head.headers;
    this.rawHeaders = head.rawHeaders;
    this.socket = socket;
  }
}
