import { type ConformanceCase, failWith } from '../case.js';
import { encodeFrame, type FrameSpec, Opcode } from '../frame.js';
import { isUtf8 } from '../raw-peer.js';
import { text, timeout } from '../trace.js';

const h = (hex: string) => Buffer.from(hex.replace(/\s/g, ''), 'hex');
/** κόσμε: a valid multi-byte UTF-8 string. */
const KOSME = h('ceba e1bdb9 cf83 cebc ceb5');
const HELLO_UTF8 = Buffer.from('Hello-µ@ßöäüàá-UTF-8!!', 'utf8');
/** κόσμε, then U+D800 encoded as UTF-8 (a surrogate, invalid), then "edited". */
const KOSME_INVALID = Buffer.concat([KOSME, h('eda080'), Buffer.from('edited')]);
const UTF8_FAIL = failWith(1007, { closedByWrongEndpointIsFatal: true });

function octetFrames(payload: Buffer): FrameSpec[] {
  return [...payload].map((byte, i) => ({
    opcode: i === 0 ? Opcode.Text : Opcode.Continuation,
    fin: i === payload.length - 1,
    payload: Buffer.from([byte]),
  }));
}

/**
 * Markus Kuhn's UTF-8 decoder stress test, in Autobahn's 19 groups (cases 6.5 – 6.23): each
 * sequence is sent as one text message; valid ones are echoed, invalid ones fail with 1007.
 */
function kuhnGroups(): Array<[string, Buffer[]]> {
  const range = (from: number, to: number, withSpace: boolean) => {
    const bytes: number[] = [];
    for (let i = from; i < to; i++) bytes.push(...(withSpace ? [i, 0x20] : [i]));
    return Buffer.from(bytes);
  };
  const lastMissing = [
    'c0',
    'e080',
    'f08080',
    'f8808080',
    'fc80808080',
    'df',
    'efbf',
    'f7bfbf',
    'fbbfbfbf',
    'fdbfbfbfbf',
  ];
  const nonChars = ['efbfbe', 'efbfbf'];
  for (const z1 of ['f0', 'f1', 'f2', 'f3', 'f4'])
    for (const z2 of ['8f', '9f', 'af', 'bf'])
      if (!(z1 === 'f4' && z2 !== '8f'))
        for (const z3 of ['be', 'bf']) {
          const zz = `${z1}${z2}bf${z3}`;
          if (zz !== 'f08fbfbe' && zz !== 'f08fbfbf') nonChars.push(zz);
        }
  const hexes = (list: string[]) => list.map(h);
  return [
    [
      'Some valid UTF-8 sequences',
      [
        Buffer.from('hello$world'),
        h('68656c6c6fc2a2776f726c64'),
        h('68656c6c6fe282ac776f726c64'),
        h('68656c6c6ff0a4ada2776f726c64'),
        KOSME,
      ],
    ],
    [
      'All prefixes of a valid UTF-8 string that contains multi-byte code points',
      [...KOSME].map((_, i) => KOSME.subarray(0, i + 1)),
    ],
    ['First possible sequence of a certain length', hexes(['00', 'c280', 'e0a080', 'f0908080'])],
    ['First possible sequence length 5/6 (invalid codepoints)', hexes(['f888808080', 'fc8480808080'])],
    ['Last possible sequence of a certain length', hexes(['7f', 'dfbf', 'efbfbf', 'f48fbfbf'])],
    [
      'Last possible sequence length 4/5/6 (invalid codepoints)',
      hexes(['f7bfbfbf', 'fbbfbfbfbf', 'fdbfbfbfbfbf']),
    ],
    ['Other boundary conditions', hexes(['ed9fbf', 'ee8080', 'efbfbd', 'f48fbfbf', 'f4908080'])],
    [
      'Unexpected continuation bytes',
      [
        ...hexes(['80', 'bf', '80bf', '80bf80', '80bf80bf', '80bf80bf80', '80bf80bf80bf']),
        range(0x80, 0xbf, false),
      ],
    ],
    [
      'Lonely start characters',
      [
        range(0xc0, 0xdf, true),
        range(0xe0, 0xef, true),
        range(0xf0, 0xf7, true),
        range(0xf8, 0xfb, true),
        range(0xfc, 0xfd, true),
      ],
    ],
    ['Sequences with last continuation byte missing', hexes(lastMissing)],
    ['Concatenation of incomplete sequences', [h(lastMissing.join(''))]],
    ['Impossible bytes', hexes(['fe', 'ff', 'fefeffff'])],
    [
      'Examples of an overlong ASCII character',
      hexes(['c0af', 'e080af', 'f08080af', 'f8808080af', 'fc80808080af']),
    ],
    ['Maximum overlong sequences', hexes(['c1bf', 'e09fbf', 'f08fbfbf', 'f887bfbfbf', 'fc83bfbfbfbf'])],
    [
      'Overlong representation of the NUL character',
      hexes(['c080', 'e08080', 'f0808080', 'f880808080', 'fc8080808080']),
    ],
    [
      'Single UTF-16 surrogates',
      hexes(['eda080', 'edadbf', 'edae80', 'edafbf', 'edb080', 'edbe80', 'edbfbf']),
    ],
    [
      'Paired UTF-16 surrogates',
      hexes([
        'eda080edb080',
        'eda080edbfbf',
        'edadbfedb080',
        'edadbfedbfbf',
        'edae80edb080',
        'edae80edbfbf',
        'edafbfedb080',
        'edafbfedbfbf',
      ]),
    ],
    ['Non-character code points (valid UTF-8)', hexes(nonChars)],
    [
      'Unicode specials (i.e. replacement char)',
      hexes(['efbfb9', 'efbfba', 'efbfbb', 'efbfbc', 'efbfbd', 'efbfbe', 'efbfbf']),
    ],
  ];
}

/** The names of the 6.5 – 6.23 subcategories, for the report. */
export const utf8SubCategories: Record<string, string> = {};

function kuhnCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  kuhnGroups().forEach(([name, sequences], g) => {
    utf8SubCategories[`6.${g + 5}`] = name;
    sequences.forEach((payload, i) => {
      const valid = isUtf8(payload);
      cases.push({
        id: `6.${g + 5}.${i + 1}`,
        description: `${name}: send 0x${payload.toString('hex')} as one text message; expect ${valid ? 'the echo' : 'failure with 1007'}.`,
        run: ({ peer }) => peer.sendFrames({ opcode: Opcode.Text, payload }),
        ...(valid ? { expect: { ok: [text(payload)] } } : { close: UTF8_FAIL }),
      });
    });
  });
  return cases;
}

/**
 * The fail-fast cases: the message turns invalid in its 2nd part; a strict endpoint fails the
 * connection then, before the 3rd part arrives ("the connection is failed at the first invalid
 * byte"). One that waits for the end of the message or frame is NON-STRICT.
 */
function failFast(id: string, cut: [number, number], oneFrame: boolean): ConformanceCase {
  const payload = Buffer.concat([KOSME, h('f4908080'), Buffer.from('edited')]);
  const parts = [payload.subarray(0, cut[0]), payload.subarray(cut[0], cut[1]), payload.subarray(cut[1])];
  return {
    id,
    description: `Send invalid UTF-8 text ${oneFrame ? 'as one frame written in 3 chops' : 'in 3 frames'}, waiting after the 1st and 2nd part; the 2nd part makes it invalid (0x${parts[1]!.toString('hex')}), so expect failure with 1007 right after it.`,
    run: async (ctx) => {
      const { peer } = ctx;
      if (oneFrame) {
        // One frame whose header announces the whole payload; the bytes then arrive in 3 writes.
        const frame = encodeFrame({ opcode: Opcode.Text, payload }, ctx.mode === 'server');
        const headerLength = frame.length - payload.length;
        const cuts = [0, headerLength + cut[0], headerLength + cut[1], frame.length];
        await peer.write(frame.subarray(cuts[0], cuts[1]), { sync: true });
        if (!(await ctx.checkpoint('A', ctx.settings.waitMs))) return;
        await peer.write(frame.subarray(cuts[1], cuts[2]), { sync: true });
        if (!(await ctx.checkpoint('B', ctx.settings.waitMs))) return;
        await peer.write(frame.subarray(cuts[2], cuts[3]));
        return;
      }
      await peer.sendFrames({ opcode: Opcode.Text, fin: false, payload: parts[0] });
      if (!(await ctx.checkpoint('A', ctx.settings.waitMs))) return;
      await peer.sendFrames({ opcode: Opcode.Continuation, fin: false, payload: parts[1] });
      if (!(await ctx.checkpoint('B', ctx.settings.waitMs))) return;
      await peer.sendFrames({ opcode: Opcode.Continuation, fin: true, payload: parts[2] });
    },
    expect: { ok: [timeout('A')], nonStrict: [timeout('A'), timeout('B')] },
    close: UTF8_FAIL,
  };
}

/** Category 6: UTF-8 handling. @see RFC 6455 §8.1 */
export const utf8Cases: ConformanceCase[] = [
  {
    id: '6.1.1',
    description: 'Send a text message of length 0; expect it echoed.',
    run: ({ peer }) => peer.sendFrames({ opcode: Opcode.Text }),
    expect: { ok: [text('')] },
  },
  {
    id: '6.1.2',
    description: 'Send a text message in 3 fragments, each of length 0; expect an empty message echoed.',
    run: ({ peer }) =>
      peer.sendFrames([
        { opcode: Opcode.Text, fin: false },
        { opcode: Opcode.Continuation, fin: false },
        { opcode: Opcode.Continuation, fin: true },
      ]),
    expect: { ok: [text('')] },
  },
  {
    id: '6.1.3',
    description: 'Send a text message in 3 fragments, the first and last of length 0; expect it echoed.',
    run: ({ peer }) =>
      peer.sendFrames([
        { opcode: Opcode.Text, fin: false },
        { opcode: Opcode.Continuation, fin: false, payload: 'middle frame payload' },
        { opcode: Opcode.Continuation, fin: true },
      ]),
    expect: { ok: [text('middle frame payload')] },
  },
  {
    id: '6.2.1',
    description: 'Send valid UTF-8 text in one fragment; expect it echoed.',
    run: ({ peer }) => peer.sendFrames({ opcode: Opcode.Text, payload: HELLO_UTF8 }),
    expect: { ok: [text(HELLO_UTF8)] },
  },
  {
    id: '6.2.2',
    description: 'Send valid UTF-8 text in 2 fragments, split on a code point boundary; expect it echoed.',
    run: ({ peer }) =>
      peer.sendFrames([
        { opcode: Opcode.Text, fin: false, payload: 'Hello-µ@ßöäüàá-' },
        { opcode: Opcode.Continuation, payload: 'UTF-8!!' },
      ]),
    expect: { ok: [text(HELLO_UTF8)] },
  },
  {
    id: '6.2.3',
    description: 'Send valid UTF-8 text in 1-octet fragments (splitting code points); expect it echoed.',
    run: ({ peer }) => peer.sendFrames(octetFrames(HELLO_UTF8)),
    expect: { ok: [text(HELLO_UTF8)] },
  },
  {
    id: '6.2.4',
    description: 'Send κόσμε (all multi-byte) in 1-octet fragments; expect it echoed.',
    run: ({ peer }) => peer.sendFrames(octetFrames(KOSME)),
    expect: { ok: [text(KOSME)] },
  },
  {
    id: '6.3.1',
    description: 'Send invalid UTF-8 text (a surrogate) in one fragment; expect failure with 1007.',
    run: ({ peer }) => peer.sendFrames({ opcode: Opcode.Text, payload: KOSME_INVALID }),
    close: UTF8_FAIL,
  },
  {
    id: '6.3.2',
    description: 'Send the same invalid UTF-8 text in 1-octet fragments; expect failure with 1007.',
    run: ({ peer }) => peer.sendFrames(octetFrames(KOSME_INVALID)),
    close: UTF8_FAIL,
  },
  failFast('6.4.1', [11, 15], false),
  failFast('6.4.2', [12, 13], false),
  failFast('6.4.3', [11, 15], true),
  failFast('6.4.4', [12, 13], true),
  ...kuhnCases(),
];
