import type { DriverConfig } from './driver-config.js';
import type { ServerConfig } from './servers/harness.js';
import type { Subject } from './subjects.js';

/** How a scenario's headline number is computed and shown. */
export type Metric =
  /** count per second (messages, deliveries, events, handshakes). */
  | 'rate'
  /** payload bytes per second, shown in GB/s. */
  | 'throughput'
  /** round-trip p50 (and p99) in µs: lower is better. */
  | 'latency'
  /** RSS (and heap) per connection in KiB, after gc: lower is better. */
  | 'memory';

/** One row of the issue's table. */
export interface Scenario {
  id: string;
  title: string;
  role: Subject['role'];
  /** What the server subjects serve (server and sse roles); the reflector serves the client role. */
  server: ServerConfig['scenario'];
  driver: Omit<DriverConfig, 'port'>;
  metric: Metric;
  /** Unit of the `rate` metric. */
  unit: string;
  /** The subject ratios are computed against. */
  baseline: string;
  /** Also measure memory per connection (after the traffic pauses). */
  memory: boolean;
  /** The least warm-up this scenario needs, whatever the mode's (ms). */
  minWarmupMs?: number;
}

const base = { binary: false, deflate: false, connectConcurrency: 100 };

/** Every scenario, in the order the issue lists them. */
export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'echo-32',
    title: 'echo 32 B, 64 connections × 16 in flight',
    role: 'server',
    server: 'echo',
    driver: { ...base, kind: 'echo', connections: 64, inFlight: 16, payloadSize: 32 },
    metric: 'rate',
    unit: 'msg/s',
    baseline: 'ws',
    memory: false,
  },
  {
    id: 'echo-64k',
    title: 'echo 64 KiB binary, 8 connections × 2',
    role: 'server',
    server: 'echo',
    driver: { ...base, kind: 'echo', connections: 8, inFlight: 2, payloadSize: 64 * 1024, binary: true },
    metric: 'throughput',
    unit: 'GB/s',
    baseline: 'ws',
    memory: false,
  },
  {
    id: 'echo-4m',
    title: 'echo 4 MiB binary, 4 connections × 1',
    role: 'server',
    server: 'echo',
    driver: {
      ...base,
      kind: 'echo',
      connections: 4,
      inFlight: 1,
      payloadSize: 4 * 1024 * 1024,
      binary: true,
    },
    metric: 'throughput',
    unit: 'GB/s',
    baseline: 'ws',
    // A fresh process faults in new pages for each 4 MiB message buffer (glibc maps each with
    // mmap until freeing one raises its threshold, which waits for a GC) for its first 1–2 s of
    // such traffic, in every library: 500 ms of warm-up measured that phase (bench/README.md).
    minWarmupMs: 2000,
    memory: false,
  },
  {
    id: 'latency',
    title: 'round trip 32 B, 1 connection × 1',
    role: 'server',
    server: 'echo',
    driver: { ...base, kind: 'latency', connections: 1, inFlight: 1, payloadSize: 32 },
    metric: 'latency',
    unit: 'µs',
    baseline: 'ws',
    memory: false,
  },
  {
    id: 'handshake',
    title: 'handshakes per second, 50 at a time',
    role: 'server',
    server: 'echo',
    driver: { ...base, kind: 'handshake', connections: 50, inFlight: 0, payloadSize: 0 },
    metric: 'rate',
    unit: 'hs/s',
    baseline: 'ws',
    memory: false,
  },
  {
    id: 'idle',
    title: 'idle memory per connection, 10k connections',
    role: 'server',
    server: 'echo',
    driver: { ...base, kind: 'idle', connections: 10_000, inFlight: 0, payloadSize: 32 },
    metric: 'memory',
    unit: 'KiB',
    baseline: 'ws',
    memory: true,
  },
  {
    id: 'broadcast',
    title: 'broadcast 1 KiB to 1000 clients',
    role: 'server',
    server: 'broadcast',
    driver: { ...base, kind: 'broadcast', connections: 1000, inFlight: 8, payloadSize: 1024 },
    metric: 'rate',
    unit: 'deliveries/s',
    baseline: 'ws',
    memory: false,
  },
  {
    id: 'sse',
    title: 'SSE 1 KiB events to 1000 subscribers',
    role: 'sse',
    server: 'sse',
    driver: { ...base, kind: 'sse', connections: 1000, inFlight: 8, payloadSize: 1024 },
    metric: 'rate',
    unit: 'events/s',
    baseline: 'raw',
    memory: false,
  },
  {
    id: 'deflate',
    title: 'permessage-deflate echo 16 KiB text, 256 connections × 1',
    role: 'server',
    server: 'deflate',
    driver: { ...base, kind: 'echo', connections: 256, inFlight: 1, payloadSize: 16 * 1024, deflate: true },
    metric: 'rate',
    unit: 'msg/s',
    baseline: 'ws',
    memory: true,
  },
  {
    id: 'client',
    title: 'client side, 32 B echo, 64 connections × 16',
    role: 'client',
    server: 'echo',
    driver: { ...base, kind: 'echo', connections: 64, inFlight: 16, payloadSize: 32 },
    metric: 'rate',
    unit: 'msg/s',
    baseline: 'ws',
    memory: false,
  },
];

/** Timing of one run, how many runs per subject, and what quick mode leaves out. */
export interface Mode {
  name: 'quick' | 'full';
  repetitions: number;
  warmupMs: number;
  measureMs: number;
  /** Connections the idle-memory scenario opens (slow to open on a busy machine). */
  idleConnections: number;
  /**
   * Run only sockeye, the scenario's baseline and the subjects a target names (quick mode: faye
   * then runs only where a target compares with it). `--subjects` overrides this.
   */
  targetSubjectsOnly: boolean;
}

export const MODES: Record<Mode['name'], Mode> = {
  quick: {
    name: 'quick',
    // Five, as in full mode: with three, one disturbed run on a shared host moved a median.
    repetitions: 5,
    warmupMs: 500,
    measureMs: 1000,
    idleConnections: 10_000,
    targetSubjectsOnly: true,
  },
  full: {
    name: 'full',
    repetitions: 5,
    warmupMs: 2000,
    measureMs: 5000,
    idleConnections: 10_000,
    targetSubjectsOnly: false,
  },
};

/** `scenario` as `mode` runs it: the idle scenario's connection count comes from the mode. */
export function scenarioFor(scenario: Scenario, mode: Mode): Scenario {
  if (scenario.driver.kind !== 'idle' || scenario.driver.connections === mode.idleConnections)
    return scenario;
  const count = mode.idleConnections;
  return {
    ...scenario,
    title: `idle memory per connection, ${count % 1000 === 0 ? `${count / 1000}k` : count} connections`,
    driver: { ...scenario.driver, connections: count },
  };
}
