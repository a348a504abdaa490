/**
 * The server half of the SSE wire format: turning a message into the text of one event. Pure: no
 * `node:` imports, no sockets, no timers, so a broadcaster can encode once and write the result to
 * every subscriber.
 *
 * Lines end with a lone LF. The format allows CRLF, LF or CR; LF is the shortest, and every
 * conforming client (browsers, undici, the npm `eventsource` package) accepts it.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
 */

/** What {@link encodeEvent} (and `EventSource#send`) accept besides the data. */
export interface SendOptions {
  /**
   * The event type: the client fires an event of this name instead of `message`. `undefined`,
   * `null` and `''` send no `event` field (the client fires `message`). Default: none. Must not
   * contain CR or LF (a `TypeError` is thrown).
   */
  event?: string | null | undefined;
  /**
   * The event id, which the client sends back as `Last-Event-ID` when it reconnects. Numbers are
   * sent as written (`0` included). `''` sends an empty `id` field, which resets the client's last
   * event id. `undefined` and `null` send no `id` field (the client keeps its last id). Default:
   * none. Must not contain CR, LF or NUL (a `TypeError` is thrown).
   */
  id?: string | number | null | undefined;
}

// "The stream must then be parsed by reading everything line by line, with a U+000D CARRIAGE
// RETURN U+000A LINE FEED (CRLF) character pair, a single U+000A LINE FEED (LF) character not
// preceded by a U+000D CARRIAGE RETURN (CR) character, and a single U+000D CARRIAGE RETURN (CR)
// character not preceded or followed by a U+000A LINE FEED (LF) character being the ways in which a
// line can end." Each of the three in the data must start a new `data:` line, or the client would
// split the field itself and read the rest of the line as a field name.
const LINE_BREAK = /\r\n|\r|\n/g;
const CR_OR_LF = /[\r\n]/;
const CR_LF_OR_NUL = /[\r\n\0]/;

/**
 * Encodes one event: optional `event:` and `id:` lines (none for `undefined` or `null`), then one
 * `data:` line per line of `data` (split on CRLF, CR and LF), then the blank line that dispatches
 * it. `data` goes through `String()`, as in faye-websocket.
 *
 * @throws TypeError if `event` contains CR or LF, or `id` contains CR, LF or NUL: either would let
 *   the caller's value inject fields (or, for NUL, make the client ignore the id).
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export function encodeEvent(data: unknown, options?: SendOptions): string {
  let head = '';
  if (options !== undefined) {
    // `null` is "no value" (a nullable database column, say), as `undefined`: written as text it
    // would name an event "null", which no `onmessage` handler sees. faye dropped every falsy
    // value; only these two are dropped here, so `id: 0` is an id and `id: ''` still resets the
    // client's last event id ("set the last event ID buffer to the field value").
    const event = options.event;
    if (event !== undefined && event !== null && event !== '') {
      if (CR_OR_LF.test(event)) throw new TypeError('The event type must not contain CR or LF');
      head = `event: ${event}\n`;
    }
    const id = options.id;
    if (id !== undefined && id !== null) {
      const text = typeof id === 'string' ? id : String(id);
      // "If the field value does not contain U+0000 NULL, then set the last event ID buffer to the
      // field value. Otherwise, ignore the field." A silently ignored id is a bug to report early.
      if (CR_LF_OR_NUL.test(text)) throw new TypeError('The event id must not contain CR, LF or NUL');
      head += text === '' ? 'id:\n' : `id: ${text}\n`;
    }
  }
  const text = typeof data === 'string' ? data : String(data);
  return `${head}data: ${CR_OR_LF.test(text) ? text.replace(LINE_BREAK, '\ndata: ') : text}\n\n`;
}

/**
 * The `retry:` field telling the client how long to wait before reconnecting, in whole
 * milliseconds, followed by a blank line (which dispatches nothing: the data buffer is empty).
 *
 * @throws RangeError unless `milliseconds` is a number from 0 to 2^53 − 1. A client reads the field
 *   only "If the field value consists of only ASCII digits" and otherwise ignores it, so `-1`,
 *   `NaN` or `1e+21` would be dropped without a word.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#concept-event-stream-reconnection-time
 */
export function encodeRetry(milliseconds: number): string {
  if (typeof milliseconds !== 'number' || !(milliseconds >= 0 && milliseconds <= Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(
      `encodeRetry: milliseconds must be a number from 0 to 2^53 - 1, got ${String(milliseconds)}`,
    );
  }
  return `retry: ${Math.floor(milliseconds)}\n\n`;
}

/**
 * A comment line and a blank line: ignored by the client ("If the line starts with a U+003A COLON
 * character (:) — Ignore the line"), it only keeps proxies from timing the connection out.
 */
export const PING_COMMENT = ':\n\n';
