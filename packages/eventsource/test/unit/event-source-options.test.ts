import { describe, expect, it } from 'vitest';
import { type EventSourceOptions, resolveEventSourceOptions } from '../../src/event-source-options.js';

describe('resolveEventSourceOptions', () => {
  it("fills in faye's defaults: retry 5 s, ping 10 s, no headers, no query fallback", () => {
    expect(resolveEventSourceOptions(undefined)).toEqual({
      headers: {},
      retryMs: 5000,
      pingMs: 10_000,
      lastEventIdQuery: '',
    });
  });

  it('takes 0 for ping (no keep-alive comments) and for retry (reconnect at once), unlike faye', () => {
    const resolved = resolveEventSourceOptions({ ping: 0, retry: 0 });
    expect(resolved.pingMs).toBe(0);
    expect(resolved.retryMs).toBe(0);
  });

  it('retry: false sends no retry field; fractions of a second are kept', () => {
    expect(resolveEventSourceOptions({ retry: false }).retryMs).toBe(-1);
    expect(resolveEventSourceOptions({ retry: 0.25, ping: 1.5 })).toMatchObject({
      retryMs: 250,
      pingMs: 1500,
    });
  });

  it('lastEventIdQuery: true means lastEventId; a string names the parameter', () => {
    expect(resolveEventSourceOptions({ lastEventIdQuery: true }).lastEventIdQuery).toBe('lastEventId');
    expect(resolveEventSourceOptions({ lastEventIdQuery: 'since' }).lastEventIdQuery).toBe('since');
  });

  it('throws on an unknown key, naming it', () => {
    expect(() => resolveEventSourceOptions({ retyr: 1 } as EventSourceOptions)).toThrow(
      'Unrecognized option: retyr',
    );
  });

  it('throws on values that cannot be a delay', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '5' as unknown as number]) {
      expect(() => resolveEventSourceOptions({ ping: bad })).toThrow(TypeError);
      expect(() => resolveEventSourceOptions({ retry: bad })).toThrow(TypeError);
    }
    // `ping` runs a timer here, which Node runs after 1 ms past 2^31 - 1 ms; `retry` only goes to
    // the client, as whole milliseconds up to 2^53 - 1.
    expect(() => resolveEventSourceOptions({ ping: 3e6 })).toThrow(RangeError);
    expect(resolveEventSourceOptions({ retry: 3e6 }).retryMs).toBe(3e9);
    expect(() => resolveEventSourceOptions({ retry: 2 ** 53 })).toThrow(RangeError);
    expect(() => resolveEventSourceOptions({ lastEventIdQuery: '' })).toThrow(TypeError);
    expect(() => resolveEventSourceOptions({ headers: 'X-A: b' as unknown as {} })).toThrow(TypeError);
  });

  it('takes headers: null as none, and leaves out a header whose value is undefined or null', () => {
    expect(resolveEventSourceOptions({ headers: null }).headers).toEqual({});
    expect(
      resolveEventSourceOptions({
        headers: {
          'X-Undef': undefined,
          'X-Null': null,
          'X-Empty': [],
          'X-Ok': ' yes ',
          'X-N': 1,
          'X-L': ['a', 2],
        },
      }).headers,
    ).toEqual({ 'X-Ok': 'yes', 'X-N': '1', 'X-L': ['a', '2'] });
  });

  it('throws a TypeError for a header value it cannot send, before anything touches the response', () => {
    // Core's rule (objects, symbols, null in a list, CR/LF/NUL), then Node's (other controls).
    for (const value of [{ a: 1 }, Symbol('s'), ['ok', null], 'a\r\nb', 'bell\u0007', 'snow \u2603']) {
      expect(() => resolveEventSourceOptions({ headers: { 'X-Bad': value as string } })).toThrow(TypeError);
    }
    expect(() => resolveEventSourceOptions({ headers: { 'Bad Name': 'x' } })).toThrow(TypeError);
  });
});
