import { describe, expect, it } from 'vitest';
import { percentile } from '../../src/loadgen/driver.js';
import { alternate, summarize } from '../../src/stats.js';

describe('summarize', () => {
  it('gives the median, min and max, ignoring NaN', () => {
    expect(summarize([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, n: 3 });
    expect(summarize([4, 1, 3, 2, Number.NaN])).toEqual({ median: 2.5, min: 1, max: 4, n: 4 });
    expect(summarize([Number.NaN]).n).toBe(0);
  });
});

describe('alternate', () => {
  it('rotates the order so each subject takes each position', () => {
    expect(alternate(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(alternate(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(alternate(['a', 'b', 'c'], 3)).toEqual(['a', 'b', 'c']);
  });
});

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 0.5)).toBe(50);
    expect(percentile(sorted, 0.99)).toBe(99);
    expect(percentile(new Float64Array(0), 0.5)).toBeNaN();
  });
});
