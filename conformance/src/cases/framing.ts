import type { ConformanceCase } from '../case.js';
import { Opcode, repeatBytes } from '../frame.js';
import { binary, text } from '../trace.js';

/** The 7-, 16- and 64-bit payload length edges. @see RFC 6455 §5.2 */
const LENGTHS = [0, 125, 126, 127, 128, 65535, 65536];

function framing(sub: 1 | 2): ConformanceCase[] {
  const isText = sub === 1;
  const kind = isText ? 'text' : 'binary';
  const unit = isText ? '*' : Buffer.from([0xfe]);
  const cases: ConformanceCase[] = [...LENGTHS, 65536].map((length, i) => {
    const payload = repeatBytes(unit, length);
    const chopped = i === LENGTHS.length;
    return {
      id: `1.${sub}.${i + 1}`,
      description: `Send a ${kind} message with payload length ${length}${chopped ? ', written in chops of 997 octets' : ''}; expect it echoed.`,
      run: ({ peer }) =>
        peer.sendFrames(
          { opcode: isText ? Opcode.Text : Opcode.Binary, payload },
          chopped ? { chop: 997, sync: true } : {},
        ),
      expect: { ok: [isText ? text(payload) : binary(payload)] },
    };
  });
  return cases;
}

/** Category 1: framing, the payload length encodings, echoed exactly. */
export const framingCases: ConformanceCase[] = [...framing(1), ...framing(2)];
