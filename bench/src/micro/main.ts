/**
 * The micro-benchmark process (forked by `run-micro.ts`): times each hot-path case for every
 * implementation, alternating implementations within each round, and sends the medians back.
 */
import { readConfig } from '../driver-config.js';
import { exitWithParent, sendToParent } from '../ipc.js';
import { summarize } from '../stats.js';
import { microCases } from './cases.js';
import { loadSockeye } from './sockeye-internals.js';
import { loadUtf8Validate, loadWs } from './ws-internals.js';

/** One case's result for one implementation. */
export interface MicroRow {
  group: string;
  name: string;
  impl: string;
  opsPerSecond: number;
  min: number;
  max: number;
  bytesPerOp: number;
}

exitWithParent();
const { quick } = readConfig<{ quick: boolean }>();
const rounds = quick ? 3 : 7;
const roundMs = quick ? 150 : 400;

/** Ops per second of `fn` over about `ms`, in batches sized so the clock is read rarely. */
function time(fn: () => void, opsPerCall: number, ms: number): number {
  let calls = 1;
  // Calibrate: grow the batch until it takes ≥ 5 ms.
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) fn();
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
    if (elapsed >= 5) break;
    calls *= 2;
  }
  let done = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < calls; i++) fn();
    done += calls;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  return (done * opsPerCall) / (elapsed / 1000);
}

const rows: MicroRow[] = [];
const cases = microCases(loadWs(), await loadSockeye(), loadUtf8Validate());
for (const c of cases) {
  const ids = Object.keys(c.impls);
  const samples: Record<string, number[]> = Object.fromEntries(ids.map((id) => [id, []]));
  for (const id of ids) time(c.impls[id]!, c.opsPerCall, 30); // warm-up, lets V8 optimise
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < ids.length; k++) {
      const id = ids[(k + r) % ids.length]!;
      samples[id]!.push(time(c.impls[id]!, c.opsPerCall, roundMs));
    }
  }
  for (const id of ids) {
    const s = summarize(samples[id]!);
    rows.push({
      group: c.group,
      name: c.name,
      impl: id,
      opsPerSecond: s.median,
      min: s.min,
      max: s.max,
      bytesPerOp: c.bytesPerOp,
    });
  }
  process.stderr.write(`  micro ${c.group}: ${c.name} done\n`);
}
sendToParent({ type: 'micro', rows });
process.exit(0);
