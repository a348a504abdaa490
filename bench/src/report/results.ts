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
export function ratio(
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
