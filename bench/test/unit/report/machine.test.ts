import { describe, expect, it } from 'vitest';
import { type Machine, machineLine, mallocSettings } from '../../../src/report/machine.js';

const machine: Machine = {
  cpuModel: 'AMD EPYC',
  cores: 2,
  memoryGiB: 24,
  node: 'v20.20.2',
  kernel: '6.1',
  loadAverage: 0.2,
  malloc: null,
  pageFaultUs: 12.3,
};

describe('machine description', () => {
  it('names the glibc malloc variables the environment sets, and only those', () => {
    expect(mallocSettings({ PATH: '/bin', HOME: '/root' })).toBeNull();
    expect(mallocSettings({ PATH: '/bin', MALLOC_ARENA_MAX: '2' })).toBe('MALLOC_ARENA_MAX=2');
    expect(
      mallocSettings({
        MALLOC_TRIM_THRESHOLD_: '268435456',
        HOME: '/root',
        MALLOC_MMAP_THRESHOLD_: '33554432',
      }),
    ).toBe('MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=268435456');
    expect(mallocSettings({ GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=1' })).toBe(
      'GLIBC_TUNABLES=glibc.malloc.trim_threshold=1',
    );
  });

  it('says in the results header when the run changed malloc', () => {
    expect(machineLine(machine)).not.toContain('malloc');
    expect(machineLine({ ...machine, malloc: 'MALLOC_TRIM_THRESHOLD_=1' })).toContain(
      'glibc malloc set by the environment (MALLOC_TRIM_THRESHOLD_=1)',
    );
  });

  it('reports what a page fault costs, which the slow runs of the large echoes pay', () => {
    expect(machineLine({ ...machine, pageFaultUs: 12.304 })).toContain(
      'first touch of a 4 KiB page 12.30 µs',
    );
  });
});
