import { createHook } from 'node:async_hooks';
import { afterEach, beforeEach, expect } from 'vitest';

/**
 * Handles that a finished connection must not leave behind. Other kinds (the IPC pipes of the test
 * worker, TTY handles, file-system requests of the runner) belong to vitest and are ignored.
 */
const WATCHED = new Set(['TCPSocketWrap', 'TCPServerWrap', 'TLSWrap']);

/** Counts of the watched handle kinds in `process.getActiveResourcesInfo()`. */
export type ResourceCounts = Record<string, number>;

interface TimerLike {
  _destroyed?: boolean;
  _idleTimeout?: number;
  _onTimeout?: unknown;
}

// Timers cannot be counted like handles: the runner's own come and go during a test. Instead every
// timer and immediate created after `activeResources()` is remembered, and `expectNoLeaks` checks
// that each has fired or been cleared (ref'd or not: an unref'd interval still holds its socket).
const timers = new Set<TimerLike>();
let tracking = false;
const hook = createHook({
  init(_asyncId, type, _triggerAsyncId, resource) {
    if (tracking && (type === 'Timeout' || type === 'Immediate')) timers.add(resource as TimerLike);
  },
});

function liveTimers(): TimerLike[] {
  const live: TimerLike[] = [];
  for (const timer of timers) {
    if (timer._destroyed === true || timer._idleTimeout === -1) timers.delete(timer);
    else live.push(timer);
  }
  return live;
}

/**
 * The watched handles alive now, counted by kind; also starts recording the timers created from
 * now on, for {@link expectNoLeaks}.
 */
export function activeResources(): ResourceCounts {
  const counts: ResourceCounts = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (WATCHED.has(kind)) counts[kind] = (counts[kind] ?? 0) + 1;
  }
  timers.clear();
  tracking = true;
  hook.enable();
  return counts;
}

function handleCounts(): ResourceCounts {
  const counts: ResourceCounts = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (WATCHED.has(kind)) counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

/** Kinds that have more live handles now than in `before`, with the surplus. */
function surplus(before: ResourceCounts, now: ResourceCounts): ResourceCounts {
  const extra: ResourceCounts = {};
  for (const [kind, count] of Object.entries(now)) {
    const diff = count - (before[kind] ?? 0);
    if (diff > 0) extra[kind] = diff;
  }
  return extra;
}

/** What is left: surplus handles by kind, and the callbacks of timers still pending. */
function leftovers(before: ResourceCounts): Record<string, unknown> {
  const left: Record<string, unknown> = { ...surplus(before, handleCounts()) };
  const live = liveTimers();
  if (live.length > 0) {
    left.timers = live.map((t) => {
      const fn = t._onTimeout as { name?: string } | undefined;
      return `${fn?.name || 'anonymous'} (${t._idleTimeout ?? 0} ms)`;
    });
  }
  return left;
}

/**
 * Waits (up to `timeoutMs`) for every watched handle created since `before` to close and every
 * timer created since then to fire or be cleared, then asserts that nothing is left. Closing a
 * socket releases its handle a tick or two after the `close` event, so the check polls.
 */
export async function expectNoLeaks(before: ResourceCounts, timeoutMs = 2000): Promise<void> {
  // The polling below makes timers of its own: they are not the code under test's.
  tracking = false;
  const deadline = Date.now() + timeoutMs;
  let left = leftovers(before);
  while (Object.keys(left).length > 0 && Date.now() < deadline) {
    await new Promise<void>((resolve) => setTimeout(resolve, 10));
    left = leftovers(before);
  }
  hook.disable();
  timers.clear();
  expect(left, 'handles or timers left behind').toEqual({});
}

/** Errors that escaped to the process: uncaught exceptions and unhandled rejections. */
export interface EscapedErrors {
  readonly uncaught: unknown[];
  readonly unhandled: unknown[];
}

/**
 * Installs `uncaughtException` and `unhandledRejection` traps around each test of the enclosing
 * suite and returns the lists they fill. While a test runs the traps are the only listeners (the
 * runner's own are set aside and put back afterwards), so an escaped error is recorded for the test
 * to assert on instead of failing the whole run from outside. A test ends with
 * `await expectNoEscapes(trap)` (or inspects the lists when it expects a user's own error).
 */
export function trapEscapedErrors(): EscapedErrors {
  const trap = { uncaught: [] as unknown[], unhandled: [] as unknown[] };
  const onUncaught = (error: unknown) => trap.uncaught.push(error);
  const onUnhandled = (reason: unknown) => trap.unhandled.push(reason);
  let saved: {
    uncaught: NodeJS.UncaughtExceptionListener[];
    unhandled: NodeJS.UnhandledRejectionListener[];
  } | null = null;
  beforeEach(() => {
    trap.uncaught.length = 0;
    trap.unhandled.length = 0;
    saved = {
      uncaught: process.listeners('uncaughtException'),
      unhandled: process.listeners('unhandledRejection'),
    };
    process.removeAllListeners('uncaughtException');
    process.removeAllListeners('unhandledRejection');
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUnhandled);
    if (saved) {
      for (const listener of saved.uncaught) process.on('uncaughtException', listener);
      for (const listener of saved.unhandled) process.on('unhandledRejection', listener);
      saved = null;
    }
  });
  return trap;
}

/** Asserts that nothing escaped to the process since the test began. */
export async function expectNoEscapes(trap: EscapedErrors): Promise<void> {
  // An error thrown from a socket callback surfaces on a later turn: give it one.
  await new Promise<void>((resolve) => setImmediate(resolve));
  expect(trap.uncaught, 'uncaught exceptions').toEqual([]);
  expect(trap.unhandled, 'unhandled rejections').toEqual([]);
}
