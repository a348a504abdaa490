import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** The machine a run happened on, as the README reports it. */
export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  kernel: string;
  /** 1-minute load average when the run started (it still counts a build that just ran). */
  loadAverage: number;
  /**
   * Cores' worth of CPU that other work used in the second before the run (from `/proc/stat`), or
   * null where that cannot be read. Unlike the load average, it does not remember the build that
   * `pnpm bench` runs first.
   */
  busyCores: number | null;
  /** glibc malloc settings from the environment every process inherits (`--steady-malloc`), or null. */
  malloc: string | null;
  /**
   * µs to first touch a 4 KiB page of fresh memory (the page fault, and zeroing the page),
   * median of three rounds. In a virtual machine this can cost tens of times what it costs on
   * the host, and it is what the slow runs of the large-message echoes pay for (see
   * {@link measurePageFault}).
   */
  pageFaultUs: number;
}

/** Reads the machine description from /proc and `os`, sampling CPU use for `sampleMs` first. */
export async function describeMachine(sampleMs = 1000): Promise<Machine> {
  const busyCores = await sampleBusyCores(sampleMs);
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
    busyCores,
    malloc: mallocSettings(process.env),
    pageFaultUs: measurePageFault(),
  };
}

/** Whether other work shares the cores enough to move the numbers: a quarter of them busy. */
export function machineIsBusy(m: Machine): boolean {
  return m.busyCores === null ? m.loadAverage > 0.5 * m.cores : m.busyCores > 0.25 * m.cores;
}

async function sampleBusyCores(ms: number): Promise<number | null> {
  const read = (): string | null => {
    try {
      return readFileSync('/proc/stat', 'utf8');
    } catch {
      return null;
    }
  };
  const before = read();
  if (before === null) return null;
  await sleep(ms);
  const after = read();
  return after === null ? null : busyCoresBetween(before, after);
}

/**
 * Cores' worth of CPU in use between two readings of `/proc/stat`: the first line's busy jiffies
 * (user, nice, system, irq, softirq, steal) over all jiffies, times the number of `cpuN` lines.
 * Steal counts as busy: in a virtual machine it is time another guest took from these cores.
 */
export function busyCoresBetween(before: string, after: string): number | null {
  const totals = (stat: string) => {
    const fields = /^cpu\s+(.+)$/m.exec(stat)?.[1]?.trim().split(/\s+/).map(Number);
    if (fields === undefined || fields.length < 8 || fields.some(Number.isNaN)) return null;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = fields as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const busy = user + nice + system + irq + softirq + steal;
    return { busy, all: busy + idle + iowait };
  };
  const a = totals(before);
  const b = totals(after);
  const cpus = (after.match(/^cpu\d+\s/gm) ?? []).length;
  if (a === null || b === null || cpus === 0 || b.all <= a.all) return null;
  return ((b.busy - a.busy) / (b.all - a.all)) * cpus;
}

const PAGE = 4096;
/** Larger than glibc's largest mmap threshold (32 MiB), so every round gets fresh pages. */
const TOUCHED = 64 << 20;

/**
 * Times filling 64 MiB of fresh memory twice: the first fill faults every page in, the second
 * writes the same bytes to pages already there. The difference over the pages is the cost of a
 * page fault as this machine charges it. Whenever glibc returns heap to the kernel (trimming) and
 * takes it back, a library pays this for every page it touches again.
 */
export function measurePageFault(): number {
  const rounds: number[] = [];
  for (let round = 0; round < 3; round++) {
    const memory = Buffer.allocUnsafeSlow(TOUCHED);
    const start = process.hrtime.bigint();
    memory.fill(1);
    const first = process.hrtime.bigint();
    memory.fill(2);
    const second = process.hrtime.bigint();
    rounds.push(Number(first - start - (second - first)) / 1000 / (TOUCHED / PAGE));
  }
  return rounds.sort((a, b) => a - b)[1]!;
}

/** The `MALLOC_*` variables and `GLIBC_TUNABLES` set in `env`, as `NAME=value` pairs; null without any. */
export function mallocSettings(env: NodeJS.ProcessEnv): string | null {
  const set = Object.keys(env)
    .filter((name) => /^MALLOC_[A-Z_]+$/.test(name) || name === 'GLIBC_TUNABLES')
    .sort()
    .map((name) => `${name}=${env[name]}`);
  return set.length > 0 ? set.join(' ') : null;
}

/** One line: "2 cores (nproc) × AMD EPYC, 24 GiB, Node v20.20.2, Linux 6.1, …". */
export function machineLine(m: Machine): string {
  const malloc = m.malloc === null ? '' : `, glibc malloc set by the environment (${m.malloc})`;
  const busy =
    m.busyCores === null ? '' : `, ${m.busyCores.toFixed(2)} of ${m.cores} cores busy in the second before`;
  return `${m.cores} cores (nproc) × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, Linux ${m.kernel}${malloc}, first touch of a 4 KiB page ${m.pageFaultUs.toFixed(2)} µs, load average ${m.loadAverage.toFixed(2)} at start${busy}`;
}
