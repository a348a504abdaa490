import { Child } from '../orchestrator/child.js';
import { formatNumber } from '../report/format.js';
import type { MicroRow } from './main.js';

/** Runs the micro-benchmarks in their own process; returns their rows and a Markdown table. */
export async function runMicro(
  quick: boolean,
  source: boolean,
): Promise<{ table: string; rows: MicroRow[] } | undefined> {
  process.stderr.write('\nmicro-benchmarks (hot paths against ws 8.23 internals)\n');
  const child = new Child('micro', 'micro/main.ts', { quick }, { source });
  try {
    const answer = await child.wait('micro', 10 * 60_000);
    const rows = answer.rows as MicroRow[];
    return { rows, table: microTable(rows) };
  } catch (error) {
    process.stderr.write(
      `  micro-benchmarks FAILED: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return undefined;
  } finally {
    await child.stop();
  }
}

/** One row per case: each implementation's ops/s, and sockeye's ratio to ws and ws-native. */
export function microTable(rows: readonly MicroRow[]): string {
  const impls = ['sockeye', 'ws', 'ws-native', 'utf-8-validate'];
  const lines = [
    '| group | case | sockeye | ws (JS) | ws-native | utf-8-validate | sockeye / ws | sockeye / ws-native |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const keys = [...new Set(rows.map((r) => `${r.group}\u0000${r.name}`))];
  for (const key of keys) {
    const [group, name] = key.split('\u0000') as [string, string];
    const of = (impl: string) => rows.find((r) => r.group === group && r.name === name && r.impl === impl);
    const cell = (impl: string) => {
      const r = of(impl);
      if (!r) return '—';
      const mbps = (r.opsPerSecond * r.bytesPerOp) / 1e6;
      return `${formatNumber(r.opsPerSecond)}/s${r.bytesPerOp >= 1024 ? ` (${formatNumber(mbps)} MB/s)` : ''}`;
    };
    const ratio = (against: string) => {
      const a = of('sockeye');
      const b = of(against);
      return a && b ? `${(a.opsPerSecond / b.opsPerSecond).toFixed(2)}×` : '—';
    };
    lines.push(
      `| ${group} | ${name} | ${impls.map(cell).join(' | ')} | ${ratio('ws')} | ${ratio('ws-native')} |`,
    );
  }
  return lines.join('\n');
}
