/** The parts of a Node request (`http`, `https` or `http2` compatibility) that {@link isEventSource} reads. */
export interface EventSourceRequestLike {
  method?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

const MEDIA_TYPE = 'text/event-stream';

/**
 * Whether `request` is an EventSource connection: a `GET` whose `Accept` header lists
 * `text/event-stream`, which every EventSource client sends ("Set request's header list to
 * `Accept`/`text/event-stream`").
 *
 * As faye-websocket, a bare wildcard (`*\/*`) does not count, so ordinary page loads are not
 * mistaken for streams. Unlike faye, the media type is matched case-insensitively and may carry
 * parameters (`text/event-stream; charset=utf-8`), as RFC 9110 §12.5.1 allows, except a `q=0`
 * weight, which means "not acceptable".
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#dom-eventsource
 */
export function isEventSource(request: EventSourceRequestLike): boolean {
  if (request.method !== 'GET') return false;
  const raw = request.headers.accept;
  const accept = Array.isArray(raw) ? raw.join(',') : raw;
  if (accept === undefined) return false;
  // Fast path: what browsers, undici and the npm client send.
  if (accept === MEDIA_TYPE) return true;
  for (const range of accept.split(',')) {
    const semicolon = range.indexOf(';');
    const essence = (semicolon === -1 ? range : range.slice(0, semicolon)).trim().toLowerCase();
    if (essence !== MEDIA_TYPE) continue;
    if (semicolon === -1 || !hasZeroWeight(range.slice(semicolon + 1))) return true;
  }
  return false;
}

/** Whether a media range's parameters include `q=0` (`0`, `0.0`, `0.00`, `0.000`). */
function hasZeroWeight(parameters: string): boolean {
  for (const parameter of parameters.split(';')) {
    const equals = parameter.indexOf('=');
    if (equals === -1) continue;
    if (parameter.slice(0, equals).trim().toLowerCase() !== 'q') continue;
    return /^0(?:\.0{0,3})?$/.test(parameter.slice(equals + 1).trim());
  }
  return false;
}
