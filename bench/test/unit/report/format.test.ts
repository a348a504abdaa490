import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../src/orchestrator/run-once.js';
import { formatNumber, targetsTable } from '../../../src/report/format.js';
import type { ScenarioResults } from '../../../src/report/results.js';
import { SCENARIOS } from '../../../src/scenarios.js';

function run(rate: number): RunResult {
  const nan = Number.NaN;
  return {
    rate,
    bytesPerSecond: nan,
    p50Us: nan,
    p99Us: nan,
    rssPerConnectionKiB: nan,
    retainedPerConnectionKiB: nan,
    heapPerConnectionKiB: nan,
    marginalRssPerConnectionKiB: nan,
    cpuPerMessageUs: nan,
    subjectCpuPercent: nan,
    driverCpuPercent: nan,
    errors: 0,
  };
}

describe('targetsTable', () => {
  const scenario = SCENARIOS.find((s) => s.id === 'echo-32')!;
  it('reports a target met from the medians', () => {
    const results: ScenarioResults = {
      scenario,
      subjects: [
        { subject: 'sockeye', runs: [run(130), run(125), run(500)], failures: [] },
        { subject: 'ws', runs: [run(100), run(90), run(110)], failures: [] },
      ],
    };
    expect(targetsTable([results])).toContain('| echo-32 | msg/s | >= 1.2× ws | 1.30× | yes |');
  });

  it('reports a missed target and a target not run', () => {
    const results: ScenarioResults = {
      scenario,
      subjects: [
        { subject: 'sockeye', runs: [run(100)], failures: [] },
        { subject: 'ws', runs: [run(100)], failures: [] },
      ],
    };
    expect(targetsTable([results])).toContain('| 1.00× | **no** |');
    const skipped: ScenarioResults = {
      scenario,
      subjects: [{ subject: 'sockeye', runs: [], skipped: 'x', failures: [] }],
    };
    expect(targetsTable([skipped])).toContain('not run');
  });

  it('judges a target on the sockeye subject it names', () => {
    const handshake = SCENARIOS.find((s) => s.id === 'handshake')!;
    const results: ScenarioResults = {
      scenario: handshake,
      subjects: [
        { subject: 'sockeye', runs: [run(140)], failures: [] },
        { subject: 'sockeye-listen', runs: [run(160)], failures: [] },
        { subject: 'ws', runs: [run(100)], failures: [] },
      ],
    };
    const table = targetsTable([results]);
    expect(table).toContain('| handshake | hs/s | >= 1.5× ws | 1.40× | **no** |');
    expect(table).toContain(
      '| handshake (sockeye-listen) | hs/s | >= 1.5× ws | 1.60× | (not a target) yes |',
    );
  });
});

describe('formatNumber', () => {
  it('keeps three significant digits', () => {
    expect(formatNumber(161234)).toBe('161k');
    expect(formatNumber(2.84)).toBe('2.84');
    expect(formatNumber(4_200_000)).toBe('4.20M');
    expect(formatNumber(Number.NaN)).toBe('—');
  });
});
