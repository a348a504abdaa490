import type { RunResult } from '../orchestrator/run-once.js';
import type { Scenario } from '../scenarios.js';
import { type Summary, summarize } from '../stats.js';
import type { Target } from './targets.js';

/** Every run of one subject in one scenario. */
export interface SubjectResults {
  subject: string;
  runs: RunResult[];
  /** Why the subject did not run, when it did not. */
  skipped?: string;
  /** Run failures (message per failed run). */
  failures: string[];
}

/** One scenario's results. */
export interface ScenarioResults {
  scenario: Scenario;
  subjects: SubjectResults[];
}

/** The headline number of a run, in the unit the table shows. */
export function headline(scenario: Scenario, run: RunResult): number {
  switch (scenario.metric) {
    case 'rate':
      return run.rate;
    case 'throughput':
      return run.bytesPerSecond / 1e9;
    case 'latency':
      return run.p50Us;
    case 'memory':
      return run.rssPerConnectionKiB;
  }
}

/** A field of a run, as named by a {@link Target}. */
export function field(scenario: Scenario, run: RunResult, name: Target['field']): number {
  if (name === 'value') return headline(scenario, run);
  if (name === 'p99') return run.p99Us;
  if (name === 'heap') return run.heapPerConnectionKiB;
  if (name === 'retained') return run.retainedPerConnectionKiB;
  if (name === 'marginal') return run.marginalRssPerConnectionKiB;
  return run.rssPerConnectionKiB;
}

/** Median/min/max of a field over a subject's runs. */
export function summaryOf(
  results: ScenarioResults,
  subject: string,
  name: Target['field'],
): Summary | undefined {
  const s = results.subjects.find((x) => x.subject === subject);
  if (!s || s.runs.length === 0) return undefined;
  return summarize(s.runs.map((run) => field(results.scenario, run, name)));
}

/** `subject` median over `against` median for a field; NaN when either is missing. */
export function ratioOfMedians(
  results: ScenarioResults,
  subject: string,
  against: string,
  name: Target['field'],
): number {
  const a = summaryOf(results, subject, name);
  const b = summaryOf(results, against, name);
  if (!a || !b) return Number.NaN;
  return a.median / b.median;
}

/**
 * `subject` over `against` for a field, one ratio per repetition that ran both: the two runs of a
 * repetition are neighbours in time, so a slowdown of the shared host that lasts a repetition or
 * two divides out, where in a ratio of medians the two medians may come from different
 * repetitions. Runs without a `round` pair by their position.
 */
export function pairedRatios(
  results: ScenarioResults,
  subject: string,
  against: string,
  name: Target['field'],
): number[] {
  const a = results.subjects.find((x) => x.subject === subject)?.runs ?? [];
  const b = results.subjects.find((x) => x.subject === against)?.runs ?? [];
  const out: number[] = [];
  a.forEach((run, i) => {
    const other = run.round === undefined ? b[i] : b.find((x) => x.round === run.round);
    if (other === undefined) return;
    const value = field(results.scenario, run, name) / field(results.scenario, other, name);
    if (Number.isFinite(value)) out.push(value);
  });
  return out;
}

/** The median of {@link pairedRatios} with its range; NaN throughout when no repetition ran both. */
export function ratio(
  results: ScenarioResults,
  subject: string,
  against: string,
  name: Target['field'],
): Summary {
  return summarize(pairedRatios(results, subject, against, name));
}
