/** Median, min and max of a set of runs. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** Summarises `values`, ignoring NaN; all NaN when none is left. */
export function summarize(values: readonly number[]): Summary {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  const mid = n >> 1;
  const median =
    n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[n - 1] as number, n };
}

/** The order of subjects in repetition `rep`: rotated, so each takes every position in turn. */
export function alternate<T>(items: readonly T[], rep: number): T[] {
  if (items.length === 0) return [];
  const shift = rep % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}
