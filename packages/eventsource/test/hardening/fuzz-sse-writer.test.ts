import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzRuns } from '../../../../test-support/hardening/fuzz-runs.js';
import { encodeEvent, encodeRetry, PING_COMMENT } from '../../src/encode-event.js';
import { parseEventStream } from './sse-reference-parser.js';

// Text that tries to break out of a `data:` line: every line ending the format knows, field names,
// a comment marker, NUL, a lone surrogate, and any other code point.
const hostileUnit = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('\r', '\n', '\r\n', '\n\r', ':', ' ', '\0', '\uD800', '\uFEFF') },
  { weight: 2, arbitrary: fc.constantFrom('data:', 'id: x', 'event: x', 'retry: 1', '\n\n', '\r\r') },
  { weight: 5, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);
const hostileText = fc.string({ unit: hostileUnit, maxLength: 40 });
const withoutBreaks = (text: string) => !/[\r\n]/.test(text);
const eventType = hostileText.filter((text) => text !== '' && withoutBreaks(text));
const eventId = fc.oneof(
  hostileText.filter((text) => withoutBreaks(text) && !text.includes('\0')),
  fc.integer(),
);
const data = fc.oneof({ weight: 4, arbitrary: hostileText }, fc.integer(), fc.double(), fc.boolean());

// The WHATWG parser turns each CRLF, CR or LF into LF in the data it rebuilds.
const normalise = (value: unknown) => String(value).replace(/\r\n|\r|\n/g, '\n');

describe('SSE writer under hostile input (fuzz)', () => {
  it('every event parses back, alone, to exactly its data, type and id', () => {
    fc.assert(
      fc.property(
        data,
        fc.option(eventType, { nil: undefined }),
        fc.option(eventId, { nil: undefined }),
        (d, event, id) => {
          const parsed = parseEventStream(encodeEvent(d, { event, id }));
          expect(parsed.pending).toBe(false);
          expect(parsed.retry).toBeUndefined();
          expect(parsed.events).toEqual([
            {
              type: event ?? 'message',
              data: normalise(d),
              lastEventId: id === undefined ? '' : String(id),
            },
          ]);
        },
      ),
      { numRuns: fuzzRuns() },
    );
  });

  it('a stream of events parses back to the same sequence: no event spills into the next', () => {
    const message = fc.record({
      data,
      event: fc.option(eventType, { nil: undefined }),
      id: fc.option(eventId, { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(message, { maxLength: 12 }), (messages) => {
        const stream = messages.map((m) => encodeEvent(m.data, { event: m.event, id: m.id })).join('');
        const parsed = parseEventStream(`${encodeRetry(1000)}${stream}${PING_COMMENT}`);
        expect(parsed.retry).toBe(1000);
        let lastId = '';
        const expected = messages.map((m) => {
          if (m.id !== undefined) lastId = String(m.id);
          return { type: m.event ?? 'message', data: normalise(m.data), lastEventId: lastId };
        });
        expect(parsed.events).toEqual(expected);
      }),
      { numRuns: fuzzRuns(200, 0.2) },
    );
  });

  it('refuses an event type or id that would inject fields, with a TypeError and no output', () => {
    const injecting = hostileText.map(
      (text) => `${text}${['\r', '\n', '\r\n'][text.length % 3]}data: injected`,
    );
    fc.assert(
      fc.property(injecting, fc.boolean(), (value, asId) => {
        const options = asId ? { id: value } : { event: value };
        expect(() => encodeEvent('x', options)).toThrow(TypeError);
      }),
      { numRuns: fuzzRuns() },
    );
    // NUL in an id would make the client ignore the field silently: refused as well.
    expect(() => encodeEvent('x', { id: 'a\0b' })).toThrow(TypeError);
  });
});
