/**
 * A reference parser for `text/event-stream`, written straight from the WHATWG steps so the fuzz
 * tests can check what a conforming client would make of sockeye's output. Deliberately naive: it
 * is the oracle, not the code under test.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export interface ParsedEvent {
  type: string;
  data: string;
  lastEventId: string;
}

export interface ParseResult {
  events: ParsedEvent[];
  retry: number | undefined;
  lastEventId: string;
  /** True when the stream ended in the middle of an event (a truncated write). */
  pending: boolean;
}

export function parseEventStream(stream: string): ParseResult {
  const events: ParsedEvent[] = [];
  let data = '';
  let type = '';
  let lastEventIdBuffer = '';
  let lastEventId = '';
  let retry: number | undefined;
  let pending = false;
  // "The stream must then be parsed by reading everything line by line, with a CRLF pair, a single
  // LF not preceded by a CR, and a single CR not preceded or followed by LF being the ways in which
  // a line can end." Once the stream is complete, a trailing partial line is discarded.
  const lines = stream.split(/\r\n|\r|\n/);
  const complete = lines.slice(0, -1);
  if (lines[lines.length - 1] !== '') pending = true;
  for (const line of complete) {
    if (line === '') {
      // Dispatch: "set the last event ID string of the event source to the value of the last event
      // ID buffer"; "If the data buffer is an empty string, set the data buffer and the event type
      // buffer to the empty string and return."
      lastEventId = lastEventIdBuffer;
      if (data === '') {
        type = '';
        pending = false;
        continue;
      }
      if (data.endsWith('\n')) data = data.slice(0, -1);
      events.push({ type: type === '' ? 'message' : type, data, lastEventId });
      data = '';
      type = '';
      pending = false;
      continue;
    }
    pending = true;
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    let field: string;
    let value: string;
    if (colon === -1) {
      field = line;
      value = '';
    } else {
      field = line.slice(0, colon);
      value = line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
    }
    switch (field) {
      case 'event':
        type = value;
        break;
      case 'data':
        data += `${value}\n`;
        break;
      case 'id':
        if (!value.includes('\0')) lastEventIdBuffer = value;
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) retry = Number(value);
        break;
      default:
        break;
    }
  }
  return { events, retry, lastEventId, pending };
}
