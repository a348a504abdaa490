import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

/** The machine a run happened on, as the README reports it. */
export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  kernel: string;
  /** 1-minute load average when the run started: above ~0.5 other work shares the cores. */
  loadAverage: number;
  /** glibc malloc settings from the environment every process inherits (`--steady-malloc`), or null. */
  malloc: string | null;
}

/** Reads the machine description from /proc and `os`. */
export function describeMachine(): Machine {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match?.[1]) cpuModel = match[1].trim();
  } catch {}
  let kernel: string = process.platform;
  try {
    kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {}
  return {
    cpuModel,
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel,
    loadAverage: loadavg()[0] ?? 0,
    malloc: mallocSettings(process.env),
  };
}

/** The `MALLOC_*` variables and `GLIBC_TUNABLES` set in `env`, as `NAME=value` pairs; null without any. */
export function mallocSettings(env: NodeJS.ProcessEnv): string | null {
  const set = Object.keys(env)
    .filter((name) => /^MALLOC_[A-Z_]+$/.test(name) || name === 'GLIBC_TUNABLES')
    .sort()
    .map((name) => `${name}=${env[name]}`);
  return set.length > 0 ? set.join(' ') : null;
}

/** One line: "2 × AMD EPYC, 24 GiB, Node v20.20.2, Linux 6.1". */
export function machineLine(m: Machine): string {
  const malloc = m.malloc === null ? '' : `, glibc malloc set by the environment (${m.malloc})`;
  return `${m.cores} cores (nproc) × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, Linux ${m.kernel}${malloc}, load average ${m.loadAverage.toFixed(2)} at start`;
}
