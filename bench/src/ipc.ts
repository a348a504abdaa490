import { getHeapSpaceStatistics } from 'node:v8';
/**
 * Messages exchanged over the `child_process.fork` IPC channel between the orchestrator (`cli.ts`)
 * and the processes it drives: the subject (a server or client under test), and the driver (the load
 * generator, or the reflector for the client-side scenario).
 */

/** What every benchmark child process answers to `{ type: 'sample' }`. */
export interface Sample {
  type: 'sample';
  /** `process.hrtime.bigint()` in nanoseconds, as a number. */
  timeNs: number;
  /** `process.cpuUsage()` user + system, in microseconds: every thread of the process. */
  cpuUs: number;
  /** Messages (or handshakes, events, deliveries) this process counted so far. */
  count: number;
  /** Errors this process saw so far (socket errors, unexpected responses). */
  errors: number;
  /** Connections currently open in this process. */
  connections: number;
}

/** Answer to `{ type: 'memory' }`: taken after `global.gc()` so garbage does not count. */
export interface MemorySample {
  type: 'memory';
  rss: number;
  heapUsed: number;
  external: number;
  /** Bytes V8's young generation holds (committed), which it sizes to the allocation rate. */
  newSpace: number;
  connections: number;
}

/** Answer to `{ type: 'latency' }` from the load generator: round trips since the last `mark`. */
export interface LatencySample {
  type: 'latency';
  count: number;
  p50Us: number;
  p99Us: number;
}

/** Sent once by a child when it is listening (servers) or fully connected (drivers, clients). */
export interface Ready {
  type: 'ready';
  port?: number;
  /** Set when the child cannot run its subject: the orchestrator skips it with this message. */
  skip?: string;
}

/** Sent by a child that failed: the run is recorded as failed with this message. */
export interface Failure {
  type: 'failure';
  message: string;
}

/** The micro-benchmark process's results (rows of `micro/main.ts`). */
export interface MicroResults {
  type: 'micro';
  rows: unknown[];
}

/** Every message a child may send. */
export type ChildMessage =
  | Sample
  | MemorySample
  | LatencySample
  | Ready
  | Failure
  | MicroResults
  | { type: 'paused' }
  | { type: 'grown' };

/** Every request the orchestrator sends to a child. */
export type ParentMessage =
  | { type: 'sample' }
  | { type: 'memory' }
  | { type: 'mark' }
  | { type: 'latency' }
  | { type: 'pause' }
  | { type: 'grow'; connections: number }
  | { type: 'stop' };

/** Sends a message to the parent, ignoring a closed channel (the parent may be gone). */
export function sendToParent(message: ChildMessage): void {
  if (process.send && process.connected) process.send(message);
}

/** The cpu/time part of a sample for this process. */
export function takeSample(count: number, errors: number, connections: number): Sample {
  const cpu = process.cpuUsage();
  return {
    type: 'sample',
    timeNs: Number(process.hrtime.bigint()),
    cpuUs: cpu.user + cpu.system,
    count,
    errors,
    connections,
  };
}

/** Memory after garbage collection (needs `--expose-gc`; without it, memory as it stands). */
export async function takeMemory(connections: number): Promise<MemorySample> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 4; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const m = process.memoryUsage();
  const newSpace = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
  return { type: 'memory', rss: m.rss, heapUsed: m.heapUsed, external: m.external, newSpace, connections };
}

/**
 * Exits when the orchestrator goes away (IPC channel closed, or this process re-parented), so an
 * interrupted run leaves no server or generator behind. A 1 s unref'd check: never on a hot path.
 */
export function exitWithParent(): void {
  const parent = process.ppid;
  process.on('disconnect', () => process.exit(0));
  setInterval(() => {
    if (!process.connected || process.ppid !== parent) process.exit(0);
  }, 1000).unref();
}
