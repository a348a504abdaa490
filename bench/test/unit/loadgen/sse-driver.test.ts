import { describe, expect, it } from 'vitest';
import { countMarks } from '../../../src/loadgen/sse-driver.js';
import { eventPayload } from '../../../src/servers/harness.js';

describe('countMarks', () => {
  it('counts one per event whatever the framing', () => {
    const event = `data: ${eventPayload(64)}\n\n`;
    expect(countMarks(Buffer.from(event.repeat(3)))).toBe(3);
    // HTTP chunked transfer coding around the events adds no mark.
    const chunked = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${[1, 2].map(() => `47\r\n${event}\r\n`).join('')}`;
    expect(countMarks(Buffer.from(chunked))).toBe(2);
    expect(countMarks(Buffer.from(':\r\n\r\nretry: 5000\r\n\r\n'))).toBe(0);
  });

  it('builds event payloads of the asked size with a single mark', () => {
    const payload = eventPayload(1024);
    expect(payload).toHaveLength(1024);
    expect(countMarks(Buffer.from(payload))).toBe(1);
    expect(payload).not.toMatch(/[\r\n]/);
  });
});
