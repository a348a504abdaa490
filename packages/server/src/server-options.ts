import {
  checkExtensionPlugins,
  checkHeaderOption,
  checkMessageLimits,
  checkWebSocketOptions,
  DEFAULT_HANDSHAKE_TIMEOUT,
  type Extension,
  extensionPlugins,
  type HeaderOption,
  MAX_TIMER_MS,
  numberOption,
  validateOptions,
  type WebSocketOptions,
} from '@sockeye/core';

/**
 * Options of the server {@link WebSocket}. Unknown keys throw `Unrecognized option: <key>`, as faye
 * does, so a typo is caught at once.
 */
export interface ServerOptions extends WebSocketOptions {
  /** websocket-extensions plugins offered to the client, e.g. `[require('permessage-deflate')]`. Default: none. */
  extensions?: readonly Extension[] | Extension;
  /**
   * Extra headers for the 101 response (they cannot replace the handshake's own). A value of
   * `undefined` or `null` leaves its header out (`{ Cookie: request.headers.cookie }`); any other
   * value must be a string, number, boolean or an array of them, without CR, LF or NUL, else the
   * constructor, `attach()` or `listen()` throws a `TypeError`. Default: none.
   */
  headers?: HeaderOption | null;
  /** Largest incoming message in bytes, over all fragments and after decompression (1009 above). Default `2 ** 26 - 1`. */
  maxLength?: number;
  /** Most fragments in one incoming message (1009 above). Default `131072`. */
  maxFragments?: number;
  /** Accept hixie-75/76 (draft) clients. Default `false`, as websocket-driver 0.8. */
  allowDrafts?: boolean;
  /**
   * Milliseconds a draft-76 client gets to send the 8 body bytes that complete its handshake; then the
   * connection fails (`WS_ERR_HANDSHAKE_TIMEOUT`). RFC 6455 handshakes complete as soon as the request
   * is parsed, so on Node's HTTP server this bounds only drafts; {@link listen} also gives each client
   * this long to send its request head (then `408`). `0` waits forever. Default `10000`.
   */
  handshakeTimeout?: number;
  /** Accepted and ignored: faye shares its option list between server and client. */
  proxy?: unknown;
  /** Accepted and ignored (faye compatibility). */
  tls?: unknown;
  /** Accepted and ignored (faye compatibility). */
  ca?: unknown;
}

/** Every key {@link ServerOptions} may hold. */
export const serverOptionKeys: readonly string[] = [
  'extensions',
  'headers',
  'maxLength',
  'maxFragments',
  'allowDrafts',
  'handshakeTimeout',
  'ping',
  'pingTimeout',
  'closeTimeout',
  'highWaterMark',
  'proxy',
  'tls',
  'ca',
];

/** The defaults of {@link ServerOptions.maxLength} (faye's `2^26 - 1`) and {@link ServerOptions.handshakeTimeout}. */
export { DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_MAX_LENGTH } from '@sockeye/core';

/**
 * Checks server options as far as they can be before a request arrives: unknown keys (against
 * `validKeys`), the message limits, the custom headers, the extension plugins, the timeouts and
 * the high-water mark. `attach()` and `listen()` call it once, the `WebSocket` constructor per
 * connection, so that a bad value throws where the options are given: thrown in an `upgrade`
 * listener, it would have no caller but the process.
 * @returns the handshake timeout, in milliseconds.
 * @throws Error for an unknown key; TypeError or RangeError for a bad value.
 */
export function checkServerOptions(
  options: ServerOptions | null | undefined,
  validKeys: readonly string[],
): number {
  if (options === null || options === undefined) return DEFAULT_HANDSHAKE_TIMEOUT;
  validateOptions(options, validKeys);
  checkHeaderOption(options.headers);
  checkMessageLimits(options);
  checkExtensionPlugins(extensionPlugins(options.extensions));
  checkWebSocketOptions(options);
  return numberOption(
    options.handshakeTimeout ?? undefined,
    DEFAULT_HANDSHAKE_TIMEOUT,
    'handshakeTimeout',
    MAX_TIMER_MS,
  );
}
