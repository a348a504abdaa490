import { beforeAll, describe, expect, it } from 'vitest';
import type { Mode } from '../src/case.js';
import { allCases, CATEGORIES } from '../src/cases/index.js';
import { type CaseResult, runSuite } from '../src/runner.js';
import { sockeyeSubject } from '../src/subjects/sockeye.js';

// The whole suite against sockeye's server and client. CI sizes: every case and every edge value
// of Autobahn, with fewer repetitions in the 12.x/13.x (10 compressed messages per case instead
// of 1000) and 9.7/9.8 (100 round trips instead of 1000) cases.
const settings = { deflateMessages: 10, roundTrips: 100 };
const cases = allCases();

describe.each(['server', 'client'] as Mode[])('sockeye %s: zero fail, zero non-strict', (mode) => {
  let results: CaseResult[] = [];
  beforeAll(async () => {
    results = await runSuite({ cases, subjects: [sockeyeSubject], modes: [mode], settings });
  }, 900_000);

  const categories = [
    ...new Set(
      cases.filter((c) => (c.modes ?? ['server', 'client']).includes(mode)).map((c) => c.id.split('.')[0]!),
    ),
  ];
  it.each(categories)('category %s', (category) => {
    const inCategory = results.filter((r) => r.category === category);
    expect(inCategory.length, `${CATEGORIES[category]}: no results`).toBeGreaterThan(0);
    const problems = inCategory
      .filter((r) => r.verdict === 'fail' || r.verdict === 'non-strict')
      .map((r) => `${r.id} ${r.verdict}: ${r.reason}`);
    expect(problems).toEqual([]);
  });
});
