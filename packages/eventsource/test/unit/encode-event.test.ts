import { describe, expect, it } from 'vitest';
import { encodeEvent, encodeRetry, PING_COMMENT } from '../../src/encode-event.js';

describe('encodeEvent', () => {
  it('writes a lone message as one data line and the blank line that dispatches it', () => {
    expect(encodeEvent('hello')).toBe('data: hello\n\n');
  });

  it('splits data on CRLF, CR and LF alike: one data line per line, a CRLF counted once', () => {
    expect(encodeEvent('a\r\nb\rc\nd')).toBe('data: a\ndata: b\ndata: c\ndata: d\n\n');
    expect(encodeEvent('\n\r\r\n')).toBe('data: \ndata: \ndata: \ndata: \n\n');
    expect(encodeEvent('trailing\n')).toBe('data: trailing\ndata: \n\n');
  });

  it('keeps leading spaces, colons and Unicode as they are', () => {
    expect(encodeEvent('  : x')).toBe('data:   : x\n\n');
    expect(encodeEvent('日本語 🐟')).toBe('data: 日本語 🐟\n\n');
  });

  it('sends empty data as an empty data line (the client still fires a message)', () => {
    expect(encodeEvent('')).toBe('data: \n\n');
  });

  it('turns other values into strings, as faye does', () => {
    expect(encodeEvent(12)).toBe('data: 12\n\n');
    expect(encodeEvent(null)).toBe('data: null\n\n');
    expect(encodeEvent({ toString: () => 'obj' })).toBe('data: obj\n\n');
  });

  it('puts event then id before the data', () => {
    expect(encodeEvent('d', { event: 'update', id: '7' })).toBe('event: update\nid: 7\ndata: d\n\n');
  });

  it('sends id 0 (faye drops it) and numeric ids as written', () => {
    expect(encodeEvent('d', { id: 0 })).toBe('id: 0\ndata: d\n\n');
    expect(encodeEvent('d', { id: 1.5 })).toBe('id: 1.5\ndata: d\n\n');
  });

  it("sends id '' as an empty id field, which resets the client's last event id", () => {
    expect(encodeEvent('d', { id: '' })).toBe('id:\ndata: d\n\n');
  });

  it("omits an empty or undefined event type (the client's default is message)", () => {
    expect(encodeEvent('d', { event: '', id: undefined })).toBe('data: d\n\n');
  });

  it('omits an event type or id that is null, as undefined: no event named "null", no id "null"', () => {
    expect(encodeEvent('d', { event: null, id: null })).toBe('data: d\n\n');
    expect(encodeEvent('d', { event: 'update', id: null })).toBe('event: update\ndata: d\n\n');
    expect(encodeEvent('d', { event: null, id: 0 })).toBe('id: 0\ndata: d\n\n');
  });

  it('refuses CR or LF in the event type', () => {
    for (const event of ['a\nb', 'a\rb', 'a\r\nb', '\n']) {
      expect(() => encodeEvent('d', { event })).toThrow(TypeError);
    }
  });

  it('refuses CR, LF or NUL in the id', () => {
    for (const id of ['a\nb', 'a\rb', '\r\n', 'a\0']) {
      expect(() => encodeEvent('d', { id })).toThrow(TypeError);
    }
  });
});

describe('encodeRetry and PING_COMMENT', () => {
  it('writes whole milliseconds followed by a blank line', () => {
    expect(encodeRetry(5000)).toBe('retry: 5000\n\n');
    expect(encodeRetry(1234.9)).toBe('retry: 1234\n\n');
    expect(encodeRetry(0)).toBe('retry: 0\n\n');
    // A client reads the field only if it is all ASCII digits: refuse what would be ignored.
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, 1e21, '5' as unknown as number]) {
      expect(() => encodeRetry(bad)).toThrow(RangeError);
    }
    expect(encodeRetry(Number.MAX_SAFE_INTEGER)).toBe(`retry: ${Number.MAX_SAFE_INTEGER}\n\n`);
  });

  it('pings with a bare comment line', () => {
    expect(PING_COMMENT).toBe(':\n\n');
  });
});
