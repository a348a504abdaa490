/**
 * `pnpm bench [--quick] [--only=a,b] [--subjects=a,b] [--reps=N] [--profile=subject] [--source]
 * [--no-micro] [--micro-only] [--steady-malloc]`: runs every scenario against every subject,
 * alternating subjects (A B C, B C A, …), prints the results and the ratios, and writes them to
 * `bench/results/`. `pnpm bench --instructions` counts instructions per handshake instead
 * (`instructions.ts`).
 *
 * `--steady-malloc` runs every process with glibc's heap trimming off (see {@link STEADY_MALLOC}).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { countHandshakeInstructions, instructionsTable } from './instructions.js';
import { runMicro } from './micro/run-micro.js';
import { sockeyeBuilt } from './orchestrator/child.js';
import { runOnce, SkipError } from './orchestrator/run-once.js';
import { ratioLines, resultsTable, targetsTable } from './report/format.js';
import { describeMachine, machineIsBusy, machineLine } from './report/machine.js';
import type { ScenarioResults, SubjectResults } from './report/results.js';
import { TARGETS } from './report/targets.js';
import { MODES, SCENARIOS, scenarioFor } from './scenarios.js';
import { alternate } from './stats.js';
import { subjectsFor } from './subjects.js';

// `pnpm bench -- --quick` passes the `--` through: drop it.
const argv = process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--'));
const { values } = parseArgs({
  args: argv,
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    subjects: { type: 'string' },
    reps: { type: 'string' },
    profile: { type: 'string' },
    source: { type: 'boolean', default: false },
    'no-micro': { type: 'boolean', default: false },
    'micro-only': { type: 'boolean', default: false },
    'steady-malloc': { type: 'boolean', default: false },
    instructions: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`usage: pnpm bench [--quick] [--only=echo-32,idle,...] [--subjects=sockeye,ws,...] [--reps=N]
               [--profile=<subject>] [--source] [--no-micro] [--micro-only] [--steady-malloc]
       pnpm bench --instructions [--subjects=sockeye,ws,raw]   (callgrind: instructions per handshake)
scenarios: ${SCENARIOS.map((s) => s.id).join(', ')}`);
  process.exit(0);
}

/**
 * glibc returns the top of its heap to the kernel once more than `M_TRIM_THRESHOLD` is free there
 * (by default twice the largest block it has freed from mmap: 8 MiB after a 4 MiB message), and
 * the next large message faults those pages back in. How often that happens depends on how much
 * memory a message takes at its peak and on when V8's collector frees the buffers, and it can
 * double the CPU per message of a large echo. These values keep the heap. Setting either variable stops
 * glibc from adjusting both thresholds, so the mmap threshold is set too, at glibc's 32 MiB
 * maximum (a larger value is ignored). Every process of the run inherits them.
 */
const STEADY_MALLOC = { MALLOC_MMAP_THRESHOLD_: String(32 << 20), MALLOC_TRIM_THRESHOLD_: String(256 << 20) };
if (values['steady-malloc']) Object.assign(process.env, STEADY_MALLOC);

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));
const mode = { ...MODES[values.quick ? 'quick' : 'full'] };
if (values.reps) mode.repetitions = Number(values.reps);
const only = values.only?.split(',');
const chosen = values.subjects?.split(',');
const source = values.source || !sockeyeBuilt();
const machine = await describeMachine();
const started = new Date();
/** The start as the results' headings give it: `2026-11-27 12:22`. */
const startedUtc = started.toISOString().slice(0, 16).replace('T', ' ');
const log = (line: string) => process.stderr.write(`${line}\n`);

log(
  values.instructions
    ? 'sockeye bench, instructions per handshake (callgrind)'
    : `sockeye bench, ${mode.name} mode: ${mode.repetitions} runs per subject, ${mode.warmupMs} ms warm-up, ${mode.measureMs} ms measured`,
);
log(`machine: ${machineLine(machine)}`);
if (machineIsBusy(machine)) {
  log(
    'warning: other work is using this machine (a quarter of the cores busy before the run): absolute numbers and ratios are noisy',
  );
}
log(`@sockeye/* loaded from ${source ? 'src/ (source condition, through tsx)' : 'dist/ (built)'}`);

if (values.instructions) {
  // Deterministic counts instead of rates: see instructions.ts. Nothing else runs.
  const subjects = subjectsFor('server').filter((s) => (chosen ?? ['sockeye', 'ws', 'raw']).includes(s.id));
  log(
    '\nhandshake: instructions per handshake of the server process (callgrind; 3000 handshakes of warm-up, 2000 counted)',
  );
  const counts = await countHandshakeInstructions(subjects, { source, warmup: 3000, measured: 2000, log });
  const table = instructionsTable(counts);
  const markdown = [
    `# sockeye handshake instructions (${startedUtc} UTC)`,
    '',
    `Machine: ${machineLine(machine)}. @sockeye/* from ${source ? 'src/' : 'dist/'}. Each server subject ran under \`valgrind --tool=callgrind\` against the usual load generator (50 handshakes at a time); the count is every thread of the subject's process in user space over 2000 handshakes, after 3000 of warm-up.`,
    '',
    table,
    '',
  ].join('\n');
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(`${RESULTS}instructions.md`, markdown);
  console.log(`\n${table}\n\nwritten: bench/results/instructions.md`);
  process.exit(0);
}

const all: ScenarioResults[] = [];
if (!values['micro-only']) {
  for (const listed of SCENARIOS) {
    if (only && !only.includes(listed.id)) continue;
    const scenario = scenarioFor(listed, mode);
    const named = new Set([
      'sockeye',
      scenario.baseline,
      ...TARGETS.filter((t) => t.scenario === scenario.id).flatMap((t) => [
        t.against,
        t.subject ?? 'sockeye',
      ]),
    ]);
    const subjects = subjectsFor(scenario.role).filter(
      (s) =>
        (s.only === undefined || s.only.includes(scenario.id)) &&
        (chosen
          ? chosen.includes(s.id)
          : !mode.targetSubjectsOnly || named.has(s.id) || s.only !== undefined),
    );
    const results: SubjectResults[] = subjects.map((s) => ({ subject: s.id, runs: [], failures: [] }));
    log(`\n${scenario.id}: ${scenario.title}`);
    for (let rep = 0; rep < mode.repetitions; rep++) {
      for (const subject of alternate(subjects, rep)) {
        const entry = results.find((r) => r.subject === subject.id);
        if (!entry || entry.skipped) continue;
        const profileDir = values.profile === subject.id ? `${RESULTS}profiles/${scenario.id}` : undefined;
        try {
          const run = await runOnce(scenario, subject, mode, {
            source,
            ...(profileDir ? { profileDir } : {}),
          });
          entry.runs.push({ ...run, round: rep });
          log(`  ${subject.id.padEnd(10)} ${summaryLine(scenario.metric, run)}`);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          if (error instanceof SkipError) {
            entry.skipped = message;
            log(`  ${subject.id.padEnd(10)} skipped: ${message}`);
          } else {
            entry.failures.push(message);
            log(`  ${subject.id.padEnd(10)} FAILED: ${message}`);
          }
        }
      }
    }
    all.push({ scenario, subjects: results });
  }
}

const micro =
  values['no-micro'] || (only && !only.includes('micro')) ? undefined : await runMicro(values.quick, source);

const stamp = started.toISOString().replace(/[:.]/g, '-');
const markdown = [
  `# sockeye benchmark results (${mode.name} mode, ${startedUtc} UTC)`,
  '',
  `Machine: ${machineLine(machine)}${machineIsBusy(machine) ? ' (⚠ other work was running: numbers are noisy)' : ''}. ${mode.repetitions} alternating runs per subject (${mode.warmupMs} ms warm-up${longerWarmups(mode.warmupMs)}, ${mode.measureMs} ms measured); medians with min–max. @sockeye/* from ${source ? 'src/' : 'dist/'}.${mode.targetSubjectsOnly ? ' Quick mode runs sockeye, each scenario’s baseline, the subjects a target names and the raw floors.' : ''} Idle: ${mode.idleConnections} connections.`,
  '',
  ...(all.length > 0
    ? [
        '## Targets (median of the per-repetition ratios: sockeye over the named subject, each pair run back to back)',
        '',
        targetsTable(all),
        '',
        '## Scenarios',
        '',
        resultsTable(all),
        '',
      ]
    : []),
  ...(micro ? ['## Micro-benchmarks (ops/s, median of rounds; higher is better)', '', micro.table, ''] : []),
].join('\n');

mkdirSync(RESULTS, { recursive: true });
writeFileSync(`${RESULTS}latest.md`, markdown);
writeFileSync(
  `${RESULTS}${stamp}.json`,
  JSON.stringify({ mode, machine, started, scenarios: all, micro: micro?.rows }, null, 1),
);
console.log(`\n${markdown}`);
if (all.length > 0)
  console.log(`\nRatios (sockeye over each subject, headline number):\n${ratioLines(all).join('\n')}`);
log(`\nwritten: bench/results/latest.md, bench/results/${stamp}.json`);

function summaryLine(metric: string, run: Awaited<ReturnType<typeof runOnce>>): string {
  const cpu = `subject ${run.subjectCpuPercent.toFixed(0)} % CPU, generator ${run.driverCpuPercent.toFixed(0)} %`;
  const errors = run.errors > 0 ? `, ${run.errors} errors` : '';
  if (metric === 'memory')
    return `${run.rssPerConnectionKiB.toFixed(2)} KiB RSS, ${run.heapPerConnectionKiB.toFixed(2)} KiB heap per connection${errors}`;
  if (metric === 'latency')
    return `p50 ${run.p50Us.toFixed(1)} µs, p99 ${run.p99Us.toFixed(1)} µs (${cpu})${errors}`;
  const memory = Number.isFinite(run.rssPerConnectionKiB)
    ? `, ${run.rssPerConnectionKiB.toFixed(0)} KiB RSS/conn`
    : '';
  return `${run.rate.toFixed(0)}/s, ${(run.bytesPerSecond / 1e9).toFixed(3)} GB/s, ${run.cpuPerMessageUs.toFixed(2)} µs CPU/msg (${cpu})${memory}${errors}`;
}

/** The scenarios that warm up longer than the mode does, as `; echo-4m 2000 ms`. */
function longerWarmups(warmupMs: number): string {
  return SCENARIOS.filter((s) => (s.minWarmupMs ?? 0) > warmupMs)
    .map((s) => `; ${s.id} ${s.minWarmupMs} ms`)
    .join('');
}
