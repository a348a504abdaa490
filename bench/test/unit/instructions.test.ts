import { describe, expect, it } from 'vitest';
import { instructionsTable } from '../../src/instructions.js';

describe('instructionsTable', () => {
  it('gives instructions per handshake and the baseline over each subject', () => {
    const table = instructionsTable([
      { subject: 'sockeye', handshakes: 2000, instructions: 500_000_000 },
      { subject: 'ws', handshakes: 1000, instructions: 450_000_000 },
      { subject: 'raw', handshakes: 2000.5, instructions: 410_000_000 },
    ]);
    const rows = table.split('\n').slice(2);
    // 250k against ws's 450k: ws executes 1.80× as many per handshake.
    expect(rows[0]).toBe('| sockeye | 250.0k | 1.80× | 2000 |');
    expect(rows[1]).toBe('| ws | 450.0k | 1.00× | 1000 |');
    expect(rows[2]).toBe('| raw | 204.9k | 2.20× | 2001 |');
  });

  it('leaves the ratio out when the baseline was not counted', () => {
    const table = instructionsTable([{ subject: 'sockeye', handshakes: 10, instructions: 2_000_000 }]);
    expect(table.split('\n')[2]).toBe('| sockeye | 200.0k | — | 10 |');
  });
});
