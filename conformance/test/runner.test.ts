import { describe, expect, it } from 'vitest';
import { allCases, selectCases } from '../src/cases/index.js';
import { encodeFrame, Opcode } from '../src/frame.js';
import { runSuite } from '../src/runner.js';
import { wsSubject } from '../src/subjects/ws.js';

describe('the case list', () => {
  it('has Autobahn’s 517 cases plus the handshake cases, with unique ids', () => {
    const cases = allCases();
    const ids = cases.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(cases.filter((c) => !c.id.startsWith('0.')).length).toBe(517);
    const count = (prefix: string) => ids.filter((id) => id.startsWith(`${prefix}.`)).length;
    expect([1, 2, 3, 4, 5, 6, 7, 9, 10, 12, 13].map((c) => count(String(c)))).toEqual([
      16, 11, 7, 10, 20, 145, 37, 54, 1, 90, 126,
    ]);
  });

  it('selects cases by id, prefix and pattern', () => {
    const ids = (p: string) => selectCases(allCases(), p).map((c) => c.id);
    expect(ids('6.4.*')).toEqual(['6.4.1', '6.4.2', '6.4.3', '6.4.4']);
    expect(ids('7.13')).toEqual(['7.13.1', '7.13.2']);
    expect(ids('2.1,2.10')).toEqual(['2.1', '2.10']);
  });
});

describe('the frame encoder', () => {
  it('uses the 7-, 16- and 64-bit length forms at their edges and masks', () => {
    expect(encodeFrame({ opcode: Opcode.Text, payload: Buffer.alloc(125) }, false).subarray(0, 2)).toEqual(
      Buffer.from([0x81, 125]),
    );
    expect(encodeFrame({ opcode: Opcode.Binary, payload: Buffer.alloc(126) }, false).subarray(0, 4)).toEqual(
      Buffer.from([0x82, 126, 0, 126]),
    );
    const big = encodeFrame({ opcode: Opcode.Binary, payload: Buffer.alloc(65536) }, true);
    expect(big.subarray(0, 10)).toEqual(Buffer.from([0x82, 0xff, 0, 0, 0, 0, 0, 1, 0, 0]));
    expect(big.length).toBe(14 + 65536);
    // Masked zeros are the key repeated.
    expect(big.subarray(14, 18)).toEqual(big.subarray(10, 14));
  });
});

// The runner's own check: ws is known to pass Autobahn with exactly 4 NON-STRICT results
// (6.4.1–6.4.4: UTF-8 checked at the end of a message, not at the first bad byte) and 3
// INFORMATIONAL ones. The suite must find exactly those, in both modes.
describe.each(['server', 'client'] as const)('ws as the reference subject (%s mode)', (mode) => {
  it('gets non-strict on 6.4.1–6.4.4 and passes the rest of categories 1–7 and 10', async () => {
    const cases = selectCases(allCases(), '1,2,3,4,5,6,7,10');
    const results = await runSuite({ cases, subjects: [wsSubject], modes: [mode] });
    expect(results).toHaveLength(cases.length);
    const notPassing = results.filter((r) => r.verdict !== 'pass').map((r) => `${r.id} ${r.verdict}`);
    expect(notPassing).toEqual([
      '6.4.1 non-strict',
      '6.4.2 non-strict',
      '6.4.3 non-strict',
      '6.4.4 non-strict',
      '7.1.6 informational',
      '7.13.1 informational',
      '7.13.2 informational',
    ]);
  });
});
