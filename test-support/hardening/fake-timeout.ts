import { expect, onTestFinished, vi } from 'vitest';
import { within } from './within.js';

/**
 * Fakes only `setTimeout`/`clearTimeout` (sockets, ticks and immediates stay real) until the
 * current test ends, however it ends.
 */
export function fakeTimeouts(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  onTestFinished(() => {
    vi.useRealTimers();
  });
}

/**
 * With {@link fakeTimeouts} on, checks that `observed` fires nothing until `ms` have passed and
 * closes once they have, so a default timeout is tested without waiting for it. Real timers are
 * back on return.
 */
export async function expectClosedAfter(
  observed: { readonly events: readonly string[]; readonly closed: Promise<void> },
  ms: number,
): Promise<void> {
  try {
    await new Promise((resolve) => setImmediate(resolve));
    vi.advanceTimersByTime(ms - 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(observed.events).toEqual([]);
    vi.advanceTimersByTime(1);
  } finally {
    vi.useRealTimers();
  }
  await within(observed.closed, 2000, 'close');
}
