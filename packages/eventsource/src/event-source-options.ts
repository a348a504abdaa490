import {
  type HeaderOption,
  headerOptionEntries,
  MAX_TIMER_MS,
  numberOption,
  validateOptions,
} from '@sockeye/core';

/** Options for `new EventSource(request, response, options)`. Unknown keys throw. */
export interface EventSourceOptions {
  /**
   * Extra response headers, e.g. `{ 'Access-Control-Allow-Origin': '*' }` for CORS. They are set
   * after sockeye's own, so they may override them (`Cache-Control`, say). A value of `undefined`
   * or `null` leaves its header out (as faye leaves `undefined` out); any other value must be a
   * string, number, boolean or an array of them that Node's `http` accepts, else the constructor
   * throws a `TypeError` before it touches the response. Default: `{}`.
   */
  headers?: HeaderOption | null | undefined;
  /**
   * How long the client should wait before reconnecting after the stream drops, in seconds, sent
   * as a `retry:` field (in milliseconds) at the start of the stream. `0` asks for an immediate
   * reconnect; `false` sends no `retry:` field, leaving the client's own default (3 s in most
   * clients). Default: `5` (as faye-websocket).
   */
  retry?: number | false | undefined;
  /**
   * How often to send a keep-alive comment (`:`), in seconds, so proxies do not time an idle
   * stream out. `0` sends none (faye-websocket cannot turn them off). Default: `10` (as faye).
   */
  ping?: number | undefined;
  /**
   * The query-string parameter to read the last event id from when the request has no
   * `Last-Event-ID` header: polyfills that cannot set request headers put it in the URL
   * (`/events?lastEventId=42`). `true` means `'lastEventId'`; `false` reads only the header.
   * The header wins when both are present. Default: `false` (faye never reads the query).
   */
  lastEventIdQuery?: boolean | string | undefined;
}

/** {@link EventSourceOptions} with defaults applied and values checked. */
export interface ResolvedEventSourceOptions {
  /** The headers to set, trimmed, without those left out (`undefined`, `null`, `[]`). */
  headers: Record<string, string | readonly string[]>;
  /** Milliseconds, or -1 for no `retry:` field. */
  retryMs: number;
  /** Milliseconds, or 0 for no keep-alive comments. */
  pingMs: number;
  /** The query parameter name, or '' for none. */
  lastEventIdQuery: string;
}

/** faye-websocket's `DEFAULT_RETRY`, in seconds. */
export const DEFAULT_RETRY = 5;
/** faye-websocket's `DEFAULT_PING`, in seconds. */
export const DEFAULT_PING = 10;

const OPTION_KEYS = ['headers', 'retry', 'ping', 'lastEventIdQuery'] as const;

/**
 * The `headers` option as `setHeader` arguments, every one checked now with core's rule, which is
 * Node's own (a token name; `undefined`/`null` left out; a string, number, boolean or an array of
 * them; no control characters, nothing past U+00FF), so that a bad value throws before the
 * constructor has set any header on the response.
 */
function responseHeaders(given: HeaderOption | null | undefined): Record<string, string | readonly string[]> {
  const headers: Record<string, string | readonly string[]> = {};
  for (const [name, values] of headerOptionEntries(given)) {
    headers[name] = Array.isArray(given![name]) ? values : values[0]!;
  }
  return headers;
}

/**
 * Checks `options` and fills in the defaults. Unknown keys throw `Error('Unrecognized option: …')`
 * (faye-websocket does not validate EventSource options; sockeye does, to catch typos); bad values
 * throw a `RangeError` or `TypeError`.
 */
export function resolveEventSourceOptions(
  options: EventSourceOptions | undefined,
): ResolvedEventSourceOptions {
  validateOptions(options, OPTION_KEYS);
  const headers = responseHeaders(options?.headers);
  // `null` stands for the default, as `undefined` does.
  const retry = options?.retry ?? undefined;
  const ping = options?.ping ?? undefined;
  const query = options?.lastEventIdQuery ?? false;
  if (typeof query !== 'boolean' && (typeof query !== 'string' || query === '')) {
    throw new TypeError('The lastEventIdQuery option must be a boolean or a non-empty string');
  }
  return {
    headers,
    // `retry` only travels to the client, as whole milliseconds (encodeRetry's range); `ping` runs
    // a timer here, which Node would run after 1 ms were it longer than MAX_TIMER_MS, flooding the
    // client with comments.
    retryMs:
      retry === false
        ? -1
        : Math.floor(
            numberOption(retry, DEFAULT_RETRY, 'retry', Math.floor(Number.MAX_SAFE_INTEGER / 1000)) * 1000,
          ),
    pingMs: numberOption(ping, DEFAULT_PING, 'ping', MAX_TIMER_MS / 1000) * 1000,
    lastEventIdQuery: query === true ? 'lastEventId' : query === false ? '' : query,
  };
}
