import { type ConformanceCase, failWith } from '../case.js';
import { Opcode, repeatBytes } from '../frame.js';
import { pong } from '../trace.js';

const BIN = Buffer.from([0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff]);
const TEN = Array.from({ length: 10 }, (_, i) => `payload-${i}`);

/** Category 2: pings get pongs with the same payload; control frame limits. @see RFC 6455 §5.5.2 */
export const pingPongCases: ConformanceCase[] = [
  {
    id: '2.1',
    description: 'Send a ping without payload; expect a pong without payload.',
    run: ({ peer }) => peer.sendFrames({ opcode: Opcode.Ping }),
    expect: { ok: [pong()] },
  },
  {
    id: '2.2',
    description: 'Send a ping with a small text payload; expect a pong with the same payload.',
    run: ({ peer }) => peer.sendFrames({ opcode: Opcode.Ping, payload: 'Hello, world!' }),
    expect: { ok: [pong('Hello, world!')] },
  },
  {
    id: '2.3',
    description: 'Send a ping with a small binary (non UTF-8) payload; expect the same payload back.',
    run: ({ peer }) => peer.sendFrames({ opcode: Opcode.Ping, payload: BIN }),
    expect: { ok: [pong(BIN)] },
  },
  {
    id: '2.4',
    description: 'Send a ping with a 125-octet payload (the largest allowed); expect it back.',
    run: ({ peer }) =>
      peer.sendFrames({ opcode: Opcode.Ping, payload: repeatBytes(Buffer.from([0xfe]), 125) }),
    expect: { ok: [pong(repeatBytes(Buffer.from([0xfe]), 125))] },
  },
  {
    id: '2.5',
    description:
      'Send a ping with a 126-octet payload; control frames are at most 125 octets, so the connection must fail with 1002.',
    run: ({ peer }) =>
      peer.sendFrames({ opcode: Opcode.Ping, payload: repeatBytes(Buffer.from([0xfe]), 126) }),
    close: failWith(1002),
  },
  {
    id: '2.6',
    description: 'Send a ping with a 125-octet payload, written octet by octet; expect the pong.',
    run: ({ peer }) =>
      peer.sendFrames(
        { opcode: Opcode.Ping, payload: repeatBytes(Buffer.from([0xfe]), 125) },
        { chop: 1, sync: true },
      ),
    expect: { ok: [pong(repeatBytes(Buffer.from([0xfe]), 125))] },
  },
  {
    id: '2.7',
    description: 'Send an unsolicited pong without payload; expect nothing.',
    run: ({ peer }) => peer.sendFrames({ opcode: Opcode.Pong }),
  },
  {
    id: '2.8',
    description: 'Send an unsolicited pong with payload; expect nothing.',
    run: ({ peer }) => peer.sendFrames({ opcode: Opcode.Pong, payload: 'unsolicited pong payload' }),
  },
  {
    id: '2.9',
    description: 'Send an unsolicited pong, then a ping; expect only the pong for the ping.',
    run: ({ peer }) =>
      peer.sendFrames([
        { opcode: Opcode.Pong, payload: 'unsolicited pong payload' },
        { opcode: Opcode.Ping, payload: 'ping payload' },
      ]),
    expect: { ok: [pong('ping payload')] },
  },
  {
    id: '2.10',
    description: 'Send 10 pings back to back; expect 10 pongs (the RFC only requires the last one).',
    run: ({ peer }) => peer.sendFrames(TEN.map((p) => ({ opcode: Opcode.Ping, payload: p }))),
    expect: { ok: TEN.map((p) => pong(p)) },
  },
  {
    id: '2.11',
    description: 'Send 10 pings, written octet by octet; expect 10 pongs.',
    run: async ({ peer }) => {
      for (const p of TEN)
        await peer.sendFrames({ opcode: Opcode.Ping, payload: p }, { chop: 1, sync: true });
    },
    expect: { ok: TEN.map((p) => pong(p)) },
  },
];
