import { setTimeout as sleep } from 'node:timers/promises';
import type { MemorySample, Sample } from '../ipc.js';
import type { Mode, Scenario } from '../scenarios.js';
import type { Subject } from '../subjects.js';
import { Child, type ChildOptions } from './child.js';

/** What one run of one subject measured. NaN where the scenario does not measure it. */
export interface RunResult {
  /** Count per second (messages, handshakes, deliveries, events). */
  rate: number;
  /** Payload bytes per second. */
  bytesPerSecond: number;
  p50Us: number;
  p99Us: number;
  rssPerConnectionKiB: number;
  /**
   * RSS per connection without the growth of V8's young generation: V8 sizes that to the
   * allocation rate of the traffic (up to 3 × 16 MiB), not to the connections held.
   */
  retainedPerConnectionKiB: number;
  heapPerConnectionKiB: number;
  /**
   * What one more connection costs in RSS (deflate): the growth when as many connections again
   * are opened and used for a few messages after the traffic, over their number. Memory V8 or
   * malloc grew for the traffic (the young generation, freed buffers) is already there and is not
   * counted.
   */
  marginalRssPerConnectionKiB: number;
  /** Subject CPU time per counted message, µs. */
  cpuPerMessageUs: number;
  /** CPU use of the subject and of the driver (load generator or reflector), % of one core. */
  subjectCpuPercent: number;
  driverCpuPercent: number;
  errors: number;
  /**
   * The repetition the run belongs to (set by the CLI). Subjects take turns within a repetition,
   * so runs of the same repetition are neighbours in time and see the same load on the host.
   */
  round?: number;
}

/** Options for {@link runOnce}. */
export interface RunOptions extends ChildOptions {
  /** Add `--cpu-prof` to the subject process, profiles in this directory. */
  profileDir?: string;
}

const READY_MS = 60_000;
const ANSWER_MS = 15_000;
const GROW_MS = 30_000;

/**
 * Runs `subject` once in `scenario`: starts the listening process (the subject, or the reflector
 * for client subjects) and the connecting one (the load generator, or the client subject), warms
 * up, then samples both around the measurement window.
 */
export async function runOnce(
  scenario: Scenario,
  subject: Subject,
  mode: Mode,
  options: RunOptions,
): Promise<RunResult> {
  const subjectOptions: ChildOptions = {
    source: options.source,
    env: subject.env,
    ...(options.profileDir ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] } : {}),
  };
  const plain: ChildOptions = { source: options.source };
  const clientSide = scenario.role === 'client';
  const children: Child[] = [];
  try {
    const listener = clientSide
      ? new Child('reflector', 'reflector/main.ts', scenario.driver, plain)
      : new Child(
          subject.id,
          subject.script,
          { scenario: scenario.server, payloadSize: scenario.driver.payloadSize },
          subjectOptions,
        );
    children.push(listener);
    const ready = await listener.wait('ready', READY_MS);
    if (ready.skip) throw new SkipError(ready.skip);
    const port = ready.port ?? 0;
    const server = clientSide ? undefined : listener;
    const before =
      scenario.memory && server ? await server.wait('memory', ANSWER_MS, { type: 'memory' }) : undefined;
    const connector = clientSide
      ? new Child(subject.id, subject.script, { ...scenario.driver, port }, subjectOptions)
      : new Child('loadgen', 'loadgen/main.ts', { ...scenario.driver, port }, plain);
    children.push(connector);
    const connected = await connector.wait('ready', READY_MS);
    if (connected.skip) throw new SkipError(connected.skip);
    const subjectChild = clientSide ? connector : listener;
    const driverChild = clientSide ? listener : connector;

    if (scenario.driver.kind === 'idle') {
      await sleep(300);
      const after = await listener.wait('memory', ANSWER_MS, { type: 'memory' });
      const counted = await connector.wait('sample', ANSWER_MS, { type: 'sample' });
      return memoryResult(before, after, counted.errors);
    }

    await sleep(Math.max(mode.warmupMs, scenario.minWarmupMs ?? 0));
    if (scenario.metric === 'latency') connector.send({ type: 'mark' });
    const [s0, d0] = await sampleBoth(subjectChild, driverChild);
    const c0 = clientSide ? s0 : d0;
    await sleep(mode.measureMs);
    const [s1, d1] = await sampleBoth(subjectChild, driverChild);
    const c1 = clientSide ? s1 : d1;
    const latency =
      scenario.metric === 'latency'
        ? await connector.wait('latency', ANSWER_MS, { type: 'latency' })
        : undefined;
    const seconds = (c1.timeNs - c0.timeNs) / 1e9;
    const counted = c1.count - c0.count;
    const result: RunResult = {
      rate: counted / seconds,
      bytesPerSecond: (counted * scenario.driver.payloadSize) / seconds,
      p50Us: latency?.p50Us ?? Number.NaN,
      p99Us: latency?.p99Us ?? Number.NaN,
      rssPerConnectionKiB: Number.NaN,
      retainedPerConnectionKiB: Number.NaN,
      heapPerConnectionKiB: Number.NaN,
      marginalRssPerConnectionKiB: Number.NaN,
      cpuPerMessageUs: counted > 0 ? (s1.cpuUs - s0.cpuUs) / counted : Number.NaN,
      subjectCpuPercent: (100 * (s1.cpuUs - s0.cpuUs)) / ((s1.timeNs - s0.timeNs) / 1e3),
      driverCpuPercent: (100 * (d1.cpuUs - d0.cpuUs)) / ((d1.timeNs - d0.timeNs) / 1e3),
      errors: s1.errors + d1.errors,
    };
    if (scenario.memory && server) {
      await connector.wait('paused', ANSWER_MS, { type: 'pause' });
      const after = await server.wait('memory', ANSWER_MS, { type: 'memory' });
      const memory = memoryResult(before, after, 0);
      result.rssPerConnectionKiB = memory.rssPerConnectionKiB;
      result.retainedPerConnectionKiB = memory.retainedPerConnectionKiB;
      result.heapPerConnectionKiB = memory.heapPerConnectionKiB;
      // As many connections again, each used for a few messages; then the growth over their number.
      await connector.wait('grown', GROW_MS, { type: 'grow', connections: scenario.driver.connections });
      await sleep(300);
      const grown = await server.wait('memory', ANSWER_MS, { type: 'memory' });
      const added = grown.connections - after.connections;
      result.marginalRssPerConnectionKiB = added > 0 ? (grown.rss - after.rss) / added / 1024 : Number.NaN;
    }
    return result;
  } finally {
    // The connecting side first, so the subject sees ordinary disconnects, not its own shutdown.
    for (const child of children.reverse()) await child.stop();
  }
}

/** Thrown when a subject cannot run (not written yet, or not applicable). */
export class SkipError extends Error {}

function sampleBoth(a: Child, b: Child): Promise<[Sample, Sample]> {
  return Promise.all([
    a.wait('sample', ANSWER_MS, { type: 'sample' }),
    b.wait('sample', ANSWER_MS, { type: 'sample' }),
  ]);
}

function memoryResult(before: MemorySample | undefined, after: MemorySample, errors: number): RunResult {
  const n = after.connections;
  const rss = before && n > 0 ? (after.rss - before.rss) / n / 1024 : Number.NaN;
  const heap = before && n > 0 ? (after.heapUsed - before.heapUsed) / n / 1024 : Number.NaN;
  const retained =
    before && n > 0 ? (after.rss - after.newSpace - (before.rss - before.newSpace)) / n / 1024 : Number.NaN;
  return {
    rate: Number.NaN,
    bytesPerSecond: Number.NaN,
    p50Us: Number.NaN,
    p99Us: Number.NaN,
    rssPerConnectionKiB: rss,
    retainedPerConnectionKiB: retained,
    heapPerConnectionKiB: heap,
    marginalRssPerConnectionKiB: Number.NaN,
    cpuPerMessageUs: Number.NaN,
    subjectCpuPercent: Number.NaN,
    driverCpuPercent: Number.NaN,
    errors,
  };
}
