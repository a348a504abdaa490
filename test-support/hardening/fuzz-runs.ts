/**
 * How many cases a fast-check property runs. CI keeps the default small so the suite stays quick;
 * `pnpm fuzz` sets `FUZZ_RUNS` (a million by default) for a release run. `weight` scales the long
 * run for properties whose cases are costly (a whole fragmented conversation rather than one
 * buffer), so every property of the long run finishes in minutes, not hours.
 */
export function fuzzRuns(defaultRuns = 300, weight = 1): number {
  const raw = process.env.FUZZ_RUNS;
  if (raw === undefined || raw === '') return defaultRuns;
  const runs = Number(raw);
  if (!Number.isInteger(runs) || runs <= 0)
    throw new Error(`FUZZ_RUNS must be a positive integer, got ${raw}`);
  return Math.max(1, Math.round(runs * weight));
}
