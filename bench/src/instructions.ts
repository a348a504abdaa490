/**
 * `pnpm bench --instructions`: the instructions a server subject's process executes per handshake,
 * counted by callgrind. The handshake rate moves with the host's speed by up to 2× from run to run;
 * this count does not (the same build counted 239.6k and 239.2k per handshake in two runs), so it shows what a
 * change to the handshake path costs or saves. It covers user space only, every thread of the
 * process (the JIT compiler's and the garbage collector's included): the kernel's share of a
 * handshake, the same for every subject, is what separates this ratio from the rate's.
 *
 * The subject runs under `valgrind --tool=callgrind` (about 50 times slower), the load generator
 * as usual. The count starts after `warmup` handshakes (`callgrind_control --zero`) and stops
 * `measured` handshakes later (`--dump`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Child } from './orchestrator/child.js';
import { SCENARIOS } from './scenarios.js';
import type { Subject } from './subjects.js';

/** One subject's count. */
export interface InstructionCount {
  subject: string;
  /** Handshakes completed between the start and the end of the count. */
  handshakes: number;
  /** Instructions executed by the subject's process in that span. */
  instructions: number;
}

/** Options of {@link countHandshakeInstructions}. */
export interface InstructionOptions {
  /** Load `@sockeye/*` from `src/`. */
  source: boolean;
  /** Handshakes before the count starts: the JIT compiler's first work is not what is measured. */
  warmup: number;
  /** Handshakes counted. */
  measured: number;
  log(line: string): void;
}

/** Starting Node and tsx under callgrind takes 40–60 s here. */
const READY_MS = 300_000;
const ANSWER_MS = 60_000;
const POLL_MS = 100;

/** Throws a message saying what to install when valgrind is missing. */
function checkValgrind(): void {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('--instructions needs valgrind (Debian: apt-get install valgrind)');
  }
}

/** Counts each subject in turn (the count does not depend on what else runs, so no alternation). */
export async function countHandshakeInstructions(
  subjects: readonly Subject[],
  options: InstructionOptions,
): Promise<InstructionCount[]> {
  checkValgrind();
  const counts: InstructionCount[] = [];
  for (const subject of subjects) {
    const count = await countOne(subject, options);
    counts.push(count);
    options.log(
      `  ${subject.id.padEnd(10)} ${Math.round(count.instructions / count.handshakes)} instructions per handshake (${count.handshakes} handshakes)`,
    );
  }
  return counts;
}

async function countOne(subject: Subject, options: InstructionOptions): Promise<InstructionCount> {
  const scenario = SCENARIOS.find((s) => s.id === 'handshake')!;
  const dir = mkdtempSync(join(tmpdir(), 'sockeye-callgrind-'));
  const out = join(dir, 'callgrind.out');
  const children: Child[] = [];
  try {
    const server = new Child(
      subject.id,
      subject.script,
      { scenario: scenario.server, payloadSize: 0 },
      {
        source: options.source,
        env: subject.env,
        launcher: ['valgrind', '--quiet', '--tool=callgrind', `--callgrind-out-file=${out}`],
      },
    );
    children.push(server);
    const ready = await server.wait('ready', READY_MS);
    if (ready.skip) throw new Error(`${subject.id}: ${ready.skip}`);
    const generator = new Child(
      'loadgen',
      'loadgen/main.ts',
      { ...scenario.driver, port: ready.port ?? 0 },
      { source: options.source },
    );
    children.push(generator);
    await generator.wait('ready', READY_MS);
    const count = async () => (await generator.wait('sample', ANSWER_MS, { type: 'sample' })).count;
    const reach = async (target: number) => {
      for (let n = await count(); n < target; n = await count()) await sleep(POLL_MS);
    };
    const pid = String(server.process.pid);
    await reach(options.warmup);
    // Handshakes in flight while callgrind zeroes (or dumps) are split between the two sides:
    // the count is bracketed by samples just before and after.
    const beforeZero = await count();
    execFileSync('callgrind_control', ['--zero', pid], { stdio: 'ignore' });
    const afterZero = await count();
    await reach(afterZero + options.measured);
    const beforeDump = await count();
    execFileSync('callgrind_control', ['--dump', pid], { stdio: 'ignore' });
    const afterDump = await count();
    const handshakes = (beforeDump + afterDump) / 2 - (beforeZero + afterZero) / 2;
    // The first dump is `<out>.1`; its `summary:` line is the total of every thread.
    const summary = /^summary: (\d+)$/m.exec(readFileSync(`${out}.1`, 'utf8'));
    if (summary === null) throw new Error(`${subject.id}: no summary line in callgrind's dump`);
    return { subject: subject.id, handshakes, instructions: Number(summary[1]) };
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The counts as a Markdown table, with each subject's ratio to `baseline`. */
export function instructionsTable(counts: readonly InstructionCount[], baseline = 'ws'): string {
  const perHandshake = (c: InstructionCount) => c.instructions / c.handshakes;
  const base = counts.find((c) => c.subject === baseline);
  const rows = counts.map((c) => {
    const ratio = base ? `${(perHandshake(base) / perHandshake(c)).toFixed(2)}×` : '—';
    return `| ${c.subject} | ${(perHandshake(c) / 1000).toFixed(1)}k | ${ratio} | ${Math.round(c.handshakes)} |`;
  });
  return [
    `| subject | instructions per handshake | ${baseline} over subject (fewer is better) | handshakes counted |`,
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
}
