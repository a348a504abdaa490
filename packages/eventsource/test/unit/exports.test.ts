import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';

describe('public surface', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(api).sort()).toEqual([
      'DEFAULT_PING',
      'DEFAULT_RETRY',
      'EventSource',
      'encodeEvent',
      'encodeRetry',
      'isEventSource',
    ]);
  });

  it('hangs isEventSource on the class, where faye-websocket has it', () => {
    expect(api.EventSource.isEventSource).toBe(api.isEventSource);
  });
});
