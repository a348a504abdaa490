import type { Extension, HeaderOption, WebSocketOptions } from '@sockeye/core';

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

/** The default of {@link ServerOptions.maxLength}: faye's `2^26 - 1`. */
export const DEFAULT_MAX_LENGTH = 2 ** 26 - 1;

/** The default of {@link ServerOptions.handshakeTimeout}. */
export const DEFAULT_HANDSHAKE_TIMEOUT = 10_000;
