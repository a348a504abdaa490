import { afterEach } from 'vitest';
import {
  activeResources,
  type EscapedErrors,
  expectNoEscapes,
  expectNoLeaks,
  type ResourceCounts,
  trapEscapedErrors,
} from './resources.js';

/** Something a test opened and must close again: a server, a proxy, a socket. */
export type Cleanup = () => Promise<void> | void;

/**
 * The per-test bookkeeping of a hardening suite: the escaped-error trap, the resource baseline and
 * the clean-ups of what the test opened, in one place so every suite checks "nothing escaped,
 * nothing left behind" the same way.
 */
export interface TestGuard {
  /** The escaped-error lists of the running test (see {@link trapEscapedErrors}). */
  readonly trap: EscapedErrors;
  /** Takes the resource baseline ({@link activeResources}); call before the test opens anything. */
  begin(): void;
  /** Registers a clean-up; clean-ups run last-registered first, by `finish` or after the test. */
  defer(cleanup: Cleanup): void;
  /** Registers `resource.close()` as a clean-up and returns `resource`. */
  track<T extends { close(): Promise<void> | void }>(resource: T): T;
  /** Runs the pending clean-ups now. */
  cleanUp(): Promise<void>;
  /** Cleans up, then asserts that nothing opened since `begin()` is left ({@link expectNoLeaks}). */
  expectNoLeaks(): Promise<void>;
  /** Cleans up, then asserts that nothing is left and nothing escaped to the process. */
  finish(): Promise<void>;
}

/**
 * Installs the guard around each test of the enclosing suite (call once, at the top of a test
 * file): the error trap before and after each test, and an `afterEach` that runs the clean-ups a
 * failed test did not reach.
 */
export function guardEachTest(): TestGuard {
  const trap = trapEscapedErrors();
  const cleanups: Cleanup[] = [];
  let before: ResourceCounts | null = null;
  const cleanUp = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  afterEach(async () => {
    await cleanUp();
    before = null;
  });
  const guard: TestGuard = {
    trap,
    begin() {
      before = activeResources();
    },
    defer(cleanup) {
      cleanups.push(cleanup);
    },
    track(resource) {
      cleanups.push(() => resource.close());
      return resource;
    },
    cleanUp,
    async expectNoLeaks() {
      await cleanUp();
      if (before === null) throw new Error('guard.begin() was not called before opening resources');
      await expectNoLeaks(before);
    },
    async finish() {
      await guard.expectNoLeaks();
      await expectNoEscapes(trap);
    },
  };
  return guard;
}
