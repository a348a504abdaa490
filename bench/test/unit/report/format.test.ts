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
  it('judges a target on the median of the per-repetition ratios, with their range', () => {
    const results: ScenarioResults = {
      scenario,
      subjects: [
        { subject: 'sockeye', runs: [run(130), run(125), run(500)], failures: [] },
        { subject: 'ws', runs: [run(100), run(90), run(110)], failures: [] },
      ],
    };
    // Ratios 1.30, 1.39, 4.55; the ratio of medians is 130 / 100.
    expect(targetsTable([results])).toContain(
      '| echo-32 | msg/s | >= 1.2× ws | 1.39× (1.30–4.55) | 1.30× | yes |',
    );
  });

  it('pairs runs of the same repetition, not of the same median', () => {
    // The host slowed down for repetitions 1 and 2: both subjects ran at half speed there. The
    // medians (100 and 90) come from different repetitions; each repetition's ratio is 1.60.
    const at = (rate: number, round: number) => ({ ...run(rate), round });
    const results: ScenarioResults = {
      scenario,
      subjects: [
        {
          subject: 'sockeye',
          runs: [at(160, 0), at(80, 1), at(80, 2), at(160, 3), at(100, 4)],
          failures: [],
        },
        { subject: 'ws', runs: [at(100, 0), at(50, 1), at(50, 2), at(100, 3), at(62.5, 4)], failures: [] },
      ],
    };
    const table = targetsTable([results]);
    expect(table).toContain('| >= 1.2× ws | 1.60× (1.60–1.60) | 1.60× | yes |');
    // A run that failed leaves its repetition out rather than shifting the pairs.
    const failed: ScenarioResults = {
      scenario,
      subjects: [
        { subject: 'sockeye', runs: [at(160, 0), at(100, 2)], failures: ['x'] },
        { subject: 'ws', runs: [at(100, 0), at(50, 1), at(80, 2)], failures: [] },
      ],
    };
    expect(targetsTable([failed])).toContain('| >= 1.2× ws | 1.43× (1.25–1.60) |');
  });

  it('reports a missed target and a target not run', () => {
    const results: ScenarioResults = {
      scenario,
      subjects: [
        { subject: 'sockeye', runs: [run(100)], failures: [] },
        { subject: 'ws', runs: [run(100)], failures: [] },
      ],
    };
    expect(targetsTable([results])).toContain('| 1.00× | 1.00× | **no** |');
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
    expect(table).toContain('| handshake | hs/s | >= 1.5× ws | 1.40× | 1.40× | **no** |');
    expect(table).toContain(
      '| handshake (sockeye-listen) | hs/s | >= 1.5× ws | 1.60× | 1.60× | (not a target) yes |',
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
