import type { CaseContext, ConformanceCase } from '../case.js';
import { Opcode, repeatBytes } from '../frame.js';
import { binary, describeTrace, sameTrace, text } from '../trace.js';

const KIB = 1024;
const MIB = 1024 * 1024;
const TEXT_UNIT = 'BAsd7&jh23';
const BINARY_UNIT = Buffer.from([0x00, 0xfe, 0x23, 0xfa, 0xf0]);
/** Large cases may take a while on a busy machine; the wait ends as soon as the echo is in. */
const SLOW = 240;

const sizeName = (n: number) => (n >= MIB ? `${n / MIB} MiB` : n >= KIB ? `${n / KIB} KiB` : `${n} B`);

function oneMessage(id: string, isText: boolean, size: number, how: { fragment?: number; chop?: number }) {
  const detail = how.fragment
    ? `, in fragments of ${sizeName(how.fragment)}`
    : how.chop
      ? `, written in chops of ${how.chop} octets`
      : '';
  const c: ConformanceCase = {
    id,
    description: `Send a ${isText ? 'text' : 'binary'} message of ${sizeName(size)}${detail}; expect it echoed exactly.`,
    // The payload is built when the case runs, so listing cases allocates nothing large.
    run: async (ctx: CaseContext) => {
      const { peer, settings } = ctx;
      const payload = repeatBytes(isText ? TEXT_UNIT : BINARY_UNIT, size);
      if (how.fragment) await peer.sendMessage(payload, !isText, how.fragment);
      else
        await peer.sendFrames(
          { opcode: isText ? Opcode.Text : Opcode.Binary, payload },
          how.chop ? { chop: how.chop } : {},
        );
      if (!(await ctx.waitForEvents(1, SLOW * settings.waitMs))) return ctx.decide('fail', 'no echo');
      const got = peer.trace[0]!;
      const expected = isText ? text(payload) : binary(payload);
      if (peer.trace.length !== 1 || !sameTrace(peer.trace, [expected]))
        return ctx.decide('fail', `expected ${describeTrace([expected])}, observed ${describeTrace([got])}`);
      ctx.decide('pass', 'echoed exactly');
    },
    patience: SLOW,
  };
  return c;
}

function roundTrips(id: string, isText: boolean, size: number): ConformanceCase {
  return {
    id,
    description: `Send ${isText ? 'text' : 'binary'} messages of ${size} octets one after the other, each after the previous echo (round-trip time).`,
    run: async (ctx: CaseContext) => {
      const { peer, settings } = ctx;
      const payload = repeatBytes(isText ? '*' : Buffer.from([0xfe]), size);
      const expected = isText ? text(payload) : binary(payload);
      for (let i = 0; i < settings.roundTrips; i++) {
        peer.trace.length = 0;
        await peer.sendFrames({ opcode: isText ? Opcode.Text : Opcode.Binary, payload });
        if (!(await ctx.waitForEvents(1, SLOW * settings.waitMs))) {
          return ctx.decide('fail', `no echo for message ${i + 1} of ${settings.roundTrips}`);
        }
        const got = peer.trace[0]!;
        if (
          got.kind !== 'message' ||
          got.binary !== (expected as typeof got).binary ||
          !got.data.equals(payload)
        )
          return ctx.decide('fail', `message ${i + 1} came back different`);
      }
      ctx.decide('pass', `${settings.roundTrips} round trips echoed`);
    },
    patience: SLOW,
  };
}

/** Category 9: limits and performance, sizes up to 16 MiB (capped by `maxMessageSize`). */
export function limitCases(maxMessageSize = 16 * MIB): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  const sizes = [64 * KIB, 256 * KIB, MIB, 4 * MIB, 8 * MIB, 16 * MIB].map((s) =>
    Math.min(s, maxMessageSize),
  );
  const fragments = [64, 256, KIB, 4 * KIB, 16 * KIB, 64 * KIB, 256 * KIB, MIB, 4 * MIB];
  const chops = [64, 128, 256, 512, 1024, 2048];
  const rtt = [0, 16, 64, 256, 1024, 4096];
  for (const isText of [true, false]) {
    const [one, frag, chopped, trips] = isText ? [1, 3, 5, 7] : [2, 4, 6, 8];
    for (const [i, s] of sizes.entries()) cases.push(oneMessage(`9.${one}.${i + 1}`, isText, s, {}));
    const big = Math.min(4 * MIB, maxMessageSize);
    for (const [i, f] of fragments.entries())
      cases.push(oneMessage(`9.${frag}.${i + 1}`, isText, big, { fragment: f }));
    const mid = Math.min(MIB, maxMessageSize);
    for (const [i, c] of chops.entries())
      cases.push(oneMessage(`9.${chopped}.${i + 1}`, isText, mid, { chop: c }));
    for (const [i, s] of rtt.entries()) cases.push(roundTrips(`9.${trips}.${i + 1}`, isText, s));
  }
  cases.sort((x, y) => Number(x.id.split('.')[1]) - Number(y.id.split('.')[1]));
  return cases;
}

/** Category 10: a 64 KiB message auto-fragmented into 1300-octet frames. */
export const autoFragmentationCases: ConformanceCase[] = [
  {
    id: '10.1.1',
    description: 'Send a 64 KiB text message in frames of 1300 octets; expect it echoed whole.',
    run: ({ peer }) => peer.sendMessage(repeatBytes('*', 65536), false, 1300),
    expect: { ok: [text(repeatBytes('*', 65536))] },
  },
];
