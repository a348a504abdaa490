import { type ConformanceCase, failWith } from '../case.js';
import { type FrameSpec, Opcode } from '../frame.js';
import { text } from '../trace.js';

const HELLO = 'Hello, world!';

/** A valid message, the same with RSV bits set, then a ping: the echo may come, the pong must not. */
function thenRsv(id: string, rsv: number, how: 'one' | 'frame' | 'octet'): ConformanceCase {
  const frames: FrameSpec[] = [
    { opcode: Opcode.Text, payload: HELLO },
    { opcode: Opcode.Text, payload: HELLO, rsv },
    { opcode: Opcode.Ping },
  ];
  const label = { one: 'in one chop', frame: 'frame by frame', octet: 'octet by octet' }[how];
  return {
    id,
    description: `Send a text message, then the same with RSV = ${rsv}, then a ping, ${label}; expect the first echoed, then failure with 1002 and no pong.`,
    run: async ({ peer }) => {
      if (how === 'one') return peer.sendFrames(frames);
      for (const f of frames)
        await peer.sendFrames(f, how === 'octet' ? { chop: 1, sync: true } : { sync: true });
    },
    expect: { ok: [text(HELLO)], nonStrict: [] },
    close: failWith(1002),
  };
}

/**
 * Category 3: "RSV1, RSV2, RSV3: MUST be 0 unless an extension is negotiated that defines
 * meanings for non-zero values" (RFC 6455 §5.2), so the receiver fails the connection.
 */
export const reservedBitsCases: ConformanceCase[] = [
  {
    id: '3.1',
    description: 'Send a text message with RSV = 1 (no extension negotiated); expect failure with 1002.',
    run: ({ peer }) => peer.sendFrames({ opcode: Opcode.Text, payload: HELLO, rsv: 1 }),
    close: failWith(1002),
  },
  thenRsv('3.2', 2, 'one'),
  thenRsv('3.3', 3, 'frame'),
  thenRsv('3.4', 4, 'octet'),
  {
    id: '3.5',
    description: 'Send a binary message with RSV = 5; expect failure with 1002.',
    run: ({ peer }) =>
      peer.sendFrames({ opcode: Opcode.Binary, payload: Buffer.from('00fffefdfcfb00ff', 'hex'), rsv: 5 }),
    close: failWith(1002),
  },
  {
    id: '3.6',
    description: 'Send a ping with RSV = 6; expect failure with 1002 and no pong.',
    run: ({ peer }) => peer.sendFrames({ opcode: Opcode.Ping, payload: HELLO, rsv: 6 }),
    close: failWith(1002),
  },
  {
    id: '3.7',
    description: 'Send a close frame with RSV = 7; expect failure with 1002, not an echoed close.',
    run: ({ peer }) =>
      peer.sendFrames({ opcode: Opcode.Close, payload: Buffer.from([0x03, 0xe8]), rsv: 7 }, { raw: true }),
    close: failWith(1002),
  },
];
