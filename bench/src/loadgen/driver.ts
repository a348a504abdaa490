import type { LatencySample } from '../ipc.js';

/** A traffic pattern run by the load generator (or by a client subject). */
export interface Driver {
  /** Messages, handshakes, deliveries or events counted so far. */
  readonly count: number;
  readonly errors: number;
  readonly connections: number;
  /** Stops sending new messages; resolves when those in flight are back (or after 3 s). */
  pause(): Promise<void>;
  /** Starts a new latency window (latency driver only). */
  mark(): void;
  /** Round-trip percentiles since the last {@link mark} (latency driver only). */
  latency(): LatencySample;
  /**
   * Opens `count` more connections that each send a few messages, one at a time, and resolves
   * when every echo is back: connections that have been used but are quiet now (echo drivers).
   */
  grow?(count: number): Promise<void>;
  /** Closes every socket. */
  stop(): void;
}

/** Resolves when `done()` is true, polling every 10 ms, or after `timeoutMs`. */
export function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve) => {
    const check = () => {
      if (done() || Date.now() > deadline) resolve();
      else setTimeout(check, 10);
    };
    check();
  });
}

/** Percentile (0..1) of sorted values by the nearest-rank method. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank] as number;
}

/** A stub {@link LatencySample} for drivers that do not measure latency. */
export const NO_LATENCY: LatencySample = { type: 'latency', count: 0, p50Us: Number.NaN, p99Us: Number.NaN };
