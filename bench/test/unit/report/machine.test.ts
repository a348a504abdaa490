import { describe, expect, it } from 'vitest';
import {
  busyCoresBetween,
  type Machine,
  machineIsBusy,
  machineLine,
  mallocSettings,
} from '../../../src/report/machine.js';

const machine: Machine = {
  cpuModel: 'AMD EPYC',
  cores: 2,
  memoryGiB: 24,
  node: 'v20.20.2',
  kernel: '6.1',
  loadAverage: 0.2,
  busyCores: null,
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

  it('counts the cores other work kept busy from two readings of /proc/stat, steal included', () => {
    const stat = (user: number, system: number, idle: number, steal: number) =>
      `cpu  ${user} 0 ${system} ${idle} 0 0 0 ${steal} 0 0\ncpu0 1 0 1 1 0 0 0 0 0 0\ncpu1 1 0 1 1 0 0 0 0 0 0\nintr 5\n`;
    // 200 jiffies elapsed over two cores: 50 busy (30 user, 10 system, 10 steal) is a quarter, 0.5 cores.
    expect(busyCoresBetween(stat(100, 100, 1000, 0), stat(130, 110, 1150, 10))).toBeCloseTo(0.5);
    expect(busyCoresBetween(stat(100, 100, 1000, 0), stat(100, 100, 1200, 0))).toBe(0);
    expect(busyCoresBetween(stat(100, 100, 1000, 0), stat(100, 100, 1000, 0))).toBeNull();
    expect(busyCoresBetween('intr 5\n', stat(1, 1, 1, 0))).toBeNull();
  });

  it('calls the machine busy from the CPU sample when it has one, else from the load average', () => {
    expect(machineIsBusy({ ...machine, busyCores: 0.4, loadAverage: 5 })).toBe(false);
    expect(machineIsBusy({ ...machine, busyCores: 0.6, loadAverage: 0 })).toBe(true);
    expect(machineIsBusy({ ...machine, busyCores: null, loadAverage: 1.2 })).toBe(true);
    expect(machineIsBusy({ ...machine, busyCores: null, loadAverage: 0.8 })).toBe(false);
    expect(machineLine({ ...machine, busyCores: 0.123 })).toContain(
      '0.12 of 2 cores busy in the second before',
    );
    expect(machineLine(machine)).not.toContain('busy');
  });
});
