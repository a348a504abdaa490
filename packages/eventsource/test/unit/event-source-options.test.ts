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
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, 3e6, '5' as unknown as number]) {
      expect(() => resolveEventSourceOptions({ ping: bad })).toThrow(RangeError);
      expect(() => resolveEventSourceOptions({ retry: bad })).toThrow(RangeError);
    }
    expect(() => resolveEventSourceOptions({ lastEventIdQuery: '' })).toThrow(TypeError);
    expect(() => resolveEventSourceOptions({ headers: null as unknown as {} })).toThrow(TypeError);
  });
});
