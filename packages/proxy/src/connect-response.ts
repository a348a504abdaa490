import { ErrorCode, HttpHeadParser, ProxyError, validateOptions } from '@sockeye/core';

/** Limits on a proxy's answer to CONNECT. */
export interface ConnectResponseOptions {
  /** Longest status or header line accepted, in bytes. Default 8192. */
  maxLineLength?: number;
  /** Most header lines accepted. Default 128. */
  maxHeaders?: number;
}

/** A proxy's `200` answer to CONNECT: the tunnel is open. */
export interface ConnectReply {
  /** Always 200. */
  statusCode: number;
  /** The reason phrase, e.g. `Connection established`. */
  statusMessage: string;
  /** The answer's headers, names lower-cased, repeated fields joined with `, `. */
  headers: Record<string, string>;
  /** Bytes that followed the answer's head: already the target's, to be read first. */
  rest: Buffer;
}

/**
 * Reads a proxy's answer to CONNECT from the bytes the proxy sends, in any split. Pure: no I/O.
 *
 * `push()` returns null until the head is complete, then the {@link ConnectReply} for a `200`.
 * Interim answers (`1xx` but `101`) before it are skipped. Anything else throws a
 * {@link ProxyError} whose message is faye-websocket's "Can't establish a connection to the server
 * at <url>":
 * - `WS_ERR_PROXY_REFUSED` for any status but 200, with `statusCode` and `headers` of the answer
 *   (407 asks for credentials; 403 forbids the target…);
 * - `WS_ERR_PROXY_INVALID_RESPONSE` when the bytes are not an HTTP/1.x response or break the limits;
 * - `WS_ERR_PROXY_CLOSED` from {@link end} when the proxy closed before answering.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-9.3.6
 */
export class ConnectResponseParser {
  readonly #targetUrl: string;
  readonly #parser: HttpHeadParser;
  #done = false;

  /**
   * @param targetUrl the URL reached through the tunnel, named in error messages
   * @param options limits on the answer
   */
  constructor(targetUrl: string, options: ConnectResponseOptions = {}) {
    validateOptions(options, ['maxLineLength', 'maxHeaders']);
    this.#targetUrl = targetUrl;
    // RFC 9110 §15.2: a client "MUST be able to parse one or more 1xx responses received prior to
    // a final response"; Node's CONNECT skips them too. A 101 is final, and refused below.
    this.#parser = new HttpHeadParser('response', {
      maxLineLength: options.maxLineLength ?? 8192,
      maxHeaders: options.maxHeaders ?? 128,
      skipInterim: true,
    });
  }

  /** Feeds bytes from the proxy. Returns the reply once complete; throws a {@link ProxyError}. */
  push(chunk: Buffer): ConnectReply | null {
    if (this.#done) throw new Error('ConnectResponseParser: the answer was already read');
    let head: ReturnType<HttpHeadParser['push']>;
    try {
      head = this.#parser.push(chunk);
    } catch (error) {
      this.#done = true;
      throw new ProxyError(
        ErrorCode.ProxyInvalidResponse,
        `${this.#message()}: invalid response from the proxy (${(error as Error).message})`,
        { cause: error },
      );
    }
    if (head === null) return null;
    this.#done = true;
    const statusCode = head.statusCode ?? 0;
    const headers = { ...head.headers };
    // RFC 9110 §9.3.6: "Any 2xx (Successful) response indicates that the sender (and all inbound
    // proxies) will switch to tunnel mode". faye and Go accept exactly 200; so do we, since a
    // 204 or 206 from a proxy means something went wrong in practice.
    if (statusCode !== 200) {
      throw new ProxyError(ErrorCode.ProxyRefused, this.#message(), { statusCode, headers });
    }
    return { statusCode, statusMessage: head.statusMessage ?? '', headers, rest: this.#parser.rest };
  }

  /** The proxy closed the connection: throws `WS_ERR_PROXY_CLOSED` unless the answer was read. */
  end(): void {
    if (this.#done) return;
    this.#done = true;
    throw new ProxyError(ErrorCode.ProxyClosed, `${this.#message()}: the proxy closed the connection`);
  }

  #message(): string {
    return `Can't establish a connection to the server at ${this.#targetUrl}`;
  }
}
