import { describe, expect, it } from 'vitest';
import { isEventSource } from '../../src/is-event-source.js';

const get = (accept?: string | string[], method = 'GET') => ({
  method,
  headers: accept === undefined ? {} : { accept },
});

describe('isEventSource', () => {
  it('accepts a GET with Accept: text/event-stream, as every client sends', () => {
    expect(isEventSource(get('text/event-stream'))).toBe(true);
  });

  it('refuses other methods and a missing or different Accept', () => {
    expect(isEventSource(get('text/event-stream', 'POST'))).toBe(false);
    expect(isEventSource(get('text/event-stream', 'HEAD'))).toBe(false);
    expect(isEventSource(get())).toBe(false);
    expect(isEventSource(get('text/html'))).toBe(false);
    expect(isEventSource(get('text/event-streams'))).toBe(false);
  });

  it('does not take a wildcard for a stream request (a page load sends */*)', () => {
    expect(isEventSource(get('*/*'))).toBe(false);
    expect(isEventSource(get('text/*'))).toBe(false);
  });

  it('finds the type in a list, with any spacing', () => {
    expect(isEventSource(get('text/html,text/event-stream'))).toBe(true);
    expect(isEventSource(get('text/html ,  text/event-stream , */*'))).toBe(true);
    expect(isEventSource(get(['text/html', 'text/event-stream']))).toBe(true);
  });

  it('matches case-insensitively and with parameters (faye does neither), except q=0', () => {
    expect(isEventSource(get('Text/Event-Stream'))).toBe(true);
    expect(isEventSource(get('text/event-stream; charset=utf-8'))).toBe(true);
    expect(isEventSource(get('text/event-stream;q=0.5'))).toBe(true);
    expect(isEventSource(get('text/event-stream; q=0'))).toBe(false);
    expect(isEventSource(get('text/event-stream;Q=0.000, text/html'))).toBe(false);
  });
});
