import type { Scenario } from '../scenarios.js';
import { summarize } from '../stats.js';
import { ratio, ratioOfMedians, type ScenarioResults, summaryOf } from './results.js';
import { TARGETS } from './targets.js';

/** A number with 3 significant digits and k/M suffixes: 161234 → "161k". */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e4) return `${trim(value / 1e3)}k`;
  return trim(value);
}

function trim(value: number): string {
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return value.toFixed(digits);
}

function ratioText(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : '—';
}

function unitOf(scenario: Scenario): string {
  return scenario.metric === 'memory'
    ? 'KiB RSS / conn'
    : scenario.metric === 'latency'
      ? 'µs p50'
      : scenario.unit;
}

/** The per-scenario results as a Markdown table (one row per subject). */
export function resultsTable(all: readonly ScenarioResults[]): string {
  const lines = [
    '| scenario | subject | result: median (min–max) | vs baseline | also | subject CPU µs/msg | subject CPU | generator CPU |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const results of all) {
    const { scenario } = results;
    for (const s of results.subjects) {
      const label = `${scenario.id}`;
      if (s.skipped || s.runs.length === 0) {
        const why = s.skipped ?? s.failures[0] ?? 'no run';
        lines.push(`| ${label} | ${s.subject} | skipped: ${why.replaceAll('|', '/')} | | | | | |`);
        continue;
      }
      const v = summaryOf(results, s.subject, 'value');
      const value = v
        ? `${formatNumber(v.median)} ${unitOf(scenario)} (${formatNumber(v.min)}–${formatNumber(v.max)})`
        : '—';
      const r = ratio(results, s.subject, scenario.baseline, 'value').median;
      let also = '';
      if (scenario.metric === 'latency')
        also = `p99 ${formatNumber(summaryOf(results, s.subject, 'p99')?.median ?? Number.NaN)} µs`;
      const kib = (name: 'heap' | 'rss' | 'retained' | 'marginal') =>
        formatNumber(summaryOf(results, s.subject, name)?.median ?? Number.NaN);
      if (scenario.metric === 'memory')
        also = `heap ${kib('heap')} KiB / conn; RSS without young gen. ${kib('retained')} KiB`;
      if (scenario.id === 'deflate')
        also = `${kib('rss')} KiB RSS / conn; without young gen. ${kib('retained')} KiB; one more conn. ${kib('marginal')} KiB`;
      const cpu = summarize(s.runs.map((x) => x.cpuPerMessageUs)).median;
      const subjectCpu = summarize(s.runs.map((x) => x.subjectCpuPercent)).median;
      const driverCpu = summarize(s.runs.map((x) => x.driverCpuPercent)).median;
      const errors = s.runs.reduce((n, x) => n + x.errors, 0);
      const notes = [
        driverCpu >= 90 ? ' ⚠ generator-bound' : '',
        errors > 0 ? ` ⚠ ${errors} errors` : '',
        s.failures.length > 0 ? ` ⚠ ${s.failures.length} failed runs` : '',
      ].join('');
      const pct = (x: number) => (Number.isFinite(x) ? `${x.toFixed(0)} %` : '—');
      lines.push(
        `| ${label} | ${s.subject} | ${value} | ${ratioText(r)} vs ${scenario.baseline} | ${also} | ${cpu >= 0 ? formatNumber(cpu) : '—'} | ${pct(subjectCpu)} | ${pct(driverCpu)}${notes} |`,
      );
    }
  }
  return lines.join('\n');
}

/** The issue's targets, each with the measured sockeye ratio and whether it is met. */
export function targetsTable(all: readonly ScenarioResults[]): string {
  const lines = [
    '| scenario | number | target | measured (min–max) | ratio of medians | met |',
    '|---|---|---|---|---|---|',
  ];
  for (const t of TARGETS) {
    const results = all.find((r) => r.scenario.id === t.scenario);
    if (!results) continue;
    const subject = t.subject ?? 'sockeye';
    const paired = ratio(results, subject, t.against, t.field);
    const r = paired.median;
    const range = paired.n > 1 ? ` (${paired.min.toFixed(2)}–${paired.max.toFixed(2)})` : '';
    const met = Number.isFinite(r) ? (t.op === '>=' ? r >= t.ratio : r <= t.ratio) : undefined;
    const name =
      t.field === 'value'
        ? unitOf(results.scenario)
        : t.field === 'p99'
          ? 'p99'
          : t.field === 'retained'
            ? 'RSS without young gen. / conn'
            : t.field === 'marginal'
              ? 'RSS of one more conn.'
              : `${t.field} / conn`;
    const verdict = met === undefined ? 'not run' : met ? 'yes' : '**no**';
    lines.push(
      `| ${t.scenario}${subject === 'sockeye' ? '' : ` (${subject})`} | ${name} | ${t.op} ${t.ratio.toFixed(1)}× ${t.against} | ${ratioText(r)}${range} | ${ratioText(ratioOfMedians(results, subject, t.against, t.field))} | ${t.informative ? `(not a target) ${verdict}` : verdict} |`,
    );
  }
  return lines.join('\n');
}

/** Ratio of sockeye against every other subject, per scenario, one line each (for the console). */
export function ratioLines(all: readonly ScenarioResults[]): string[] {
  const out: string[] = [];
  for (const results of all) {
    const others = results.subjects.filter((s) => s.subject !== 'sockeye' && s.runs.length > 0);
    const parts = others.map(
      (o) => `${ratioText(ratio(results, 'sockeye', o.subject, 'value').median)} ${o.subject}`,
    );
    out.push(`${results.scenario.id}: sockeye ${parts.join(', ')}`);
  }
  return out;
}
