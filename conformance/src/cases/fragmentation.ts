import { type CaseContext, type ConformanceCase, failWith } from '../case.js';
import { type FrameSpec, Opcode } from '../frame.js';
import { pong, text } from '../trace.js';

type How = 'one' | 'frame' | 'octet';
const HOW: Record<How, string> = { one: 'in one chop', frame: 'frame by frame', octet: 'octet by octet' };

/** Sends frames in one write, frame by frame, or octet by octet (each chunk its own segment). */
async function send(ctx: CaseContext, frames: FrameSpec[], how: How): Promise<void> {
  if (how === 'one') return ctx.peer.sendFrames(frames);
  for (const f of frames)
    await ctx.peer.sendFrames(f, how === 'octet' ? { chop: 1, sync: true } : { sync: true });
}

const FRAG2: FrameSpec[] = [
  { opcode: Opcode.Text, fin: false, payload: 'fragment1' },
  { opcode: Opcode.Continuation, fin: true, payload: 'fragment2' },
];
const WITH_PING: FrameSpec[] = [
  { opcode: Opcode.Text, fin: false, payload: 'fragment1' },
  { opcode: Opcode.Ping, payload: 'ping payload' },
  { opcode: Opcode.Continuation, fin: true, payload: 'fragment2' },
];

function orphan(id: string, fin: boolean, how: How): ConformanceCase {
  return {
    id,
    description: `Send a continuation frame with FIN = ${fin} where there is nothing to continue, then a text message, ${HOW[how]}; expect failure with 1002.`,
    run: (ctx) =>
      send(
        ctx,
        [
          { opcode: Opcode.Continuation, fin, payload: 'non-continuation payload' },
          { opcode: Opcode.Text, payload: 'Hello, world!' },
        ],
        how,
      ),
    close: failWith(1002),
  };
}

function fragmentedControl(id: string, opcode: number, name: string): ConformanceCase {
  return {
    id,
    description: `Send a ${name} in two fragments; "control frames MUST NOT be fragmented", so expect failure with 1002.`,
    run: ({ peer }) =>
      peer.sendFrames([
        { opcode, fin: false, payload: 'fragment1' },
        { opcode: Opcode.Continuation, fin: true, payload: 'fragment2' },
      ]),
    close: failWith(1002),
  };
}

function pingsBetween(id: string, sync: boolean): ConformanceCase {
  const frags = ['fragment1', 'fragment2', 'fragment3', 'fragment4', 'fragment5'];
  const pings = ['pongme 1!', 'pongme 2!'];
  return {
    id,
    description: `Send a text message in 5 fragments with pings after the 2nd and 4th, pausing after the first ping${sync ? ', frame by frame' : ''}; expect both pongs, then the message.`,
    run: async (ctx) => {
      const how: How = sync ? 'frame' : 'one';
      await send(
        ctx,
        [
          { opcode: Opcode.Text, fin: false, payload: frags[0] },
          { opcode: Opcode.Continuation, fin: false, payload: frags[1] },
          { opcode: Opcode.Ping, payload: pings[0] },
        ],
        how,
      );
      await new Promise((r) => setTimeout(r, ctx.settings.waitMs));
      await send(
        ctx,
        [
          { opcode: Opcode.Continuation, fin: false, payload: frags[2] },
          { opcode: Opcode.Continuation, fin: false, payload: frags[3] },
          { opcode: Opcode.Ping, payload: pings[1] },
          { opcode: Opcode.Continuation, fin: true, payload: frags[4] },
        ],
        how,
      );
    },
    expect: { ok: [pong(pings[0]), pong(pings[1]), text(frags.join(''))] },
  };
}

/** Category 5: fragmentation rules. @see RFC 6455 §5.4 */
export const fragmentationCases: ConformanceCase[] = [
  fragmentedControl('5.1', Opcode.Ping, 'ping'),
  fragmentedControl('5.2', Opcode.Pong, 'pong'),
  ...(['one', 'frame', 'octet'] as const).map(
    (how, i): ConformanceCase => ({
      id: `5.${3 + i}`,
      description: `Send a text message in two fragments, ${HOW[how]}; expect it echoed whole.`,
      run: (ctx) => send(ctx, FRAG2, how),
      expect: { ok: [text('fragment1fragment2')] },
    }),
  ),
  ...(['one', 'octet', 'frame'] as const).map(
    (how, i): ConformanceCase => ({
      id: `5.${6 + i}`,
      description: `Send a text message in two fragments with a ping between them, ${HOW[how]}; "control frames MAY be injected in the middle of a fragmented message": expect the pong, then the message.`,
      run: (ctx) => send(ctx, WITH_PING, how),
      expect: { ok: [pong('ping payload'), text('fragment1fragment2')] },
    }),
  ),
  orphan('5.9', true, 'one'),
  orphan('5.10', true, 'frame'),
  orphan('5.11', true, 'octet'),
  orphan('5.12', false, 'one'),
  orphan('5.13', false, 'frame'),
  orphan('5.14', false, 'octet'),
  {
    id: '5.15',
    description:
      'Send a text message in 2 fragments, then a continuation with FIN = false with nothing to continue, then a text message, in one chop; expect the echo, then failure with 1002.',
    run: ({ peer }) =>
      peer.sendFrames([
        ...FRAG2,
        { opcode: Opcode.Continuation, fin: false, payload: 'fragment3' },
        { opcode: Opcode.Text, payload: 'fragment4' },
      ]),
    expect: { ok: [text('fragment1fragment2')], nonStrict: [] },
    close: failWith(1002),
  },
  ...[false, true].map(
    (fin, i): ConformanceCase => ({
      id: `5.${16 + i}`,
      description: `Twice: a continuation with FIN = ${fin} where there is nothing to continue, then a text message in 2 fragments; expect failure with 1002.`,
      run: ({ peer }) => {
        const round: FrameSpec[] = [
          { opcode: Opcode.Continuation, fin, payload: 'fragment1' },
          { opcode: Opcode.Text, fin: false, payload: 'fragment2' },
          { opcode: Opcode.Continuation, fin: true, payload: 'fragment3' },
        ];
        return peer.sendFrames([...round, ...round]);
      },
      close: failWith(1002),
    }),
  ),
  {
    id: '5.18',
    description: 'Send a text message in 2 fragments, both with the text opcode; expect failure with 1002.',
    run: ({ peer }) =>
      peer.sendFrames([
        { opcode: Opcode.Text, fin: false, payload: 'fragment1' },
        { opcode: Opcode.Text, fin: true, payload: 'fragment2' },
      ]),
    close: failWith(1002),
  },
  pingsBetween('5.19', false),
  pingsBetween('5.20', true),
];
