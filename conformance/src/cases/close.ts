import { type CloseExpectation, type ConformanceCase, NORMAL_CLOSE } from '../case.js';
import { Opcode, repeatBytes } from '../frame.js';
import { text } from '../trace.js';

function closePayload(code: number, reason: Buffer | string = ''): Buffer {
  const r = typeof reason === 'string' ? Buffer.from(reason) : reason;
  const out = Buffer.allocUnsafe(2 + r.length);
  out.writeUInt16BE(code, 0);
  r.copy(out, 2);
  return out;
}

/** The suite sent a bad close frame; the subject answers 1002 (or 1007) or drops TCP. */
const badClose = (code: number): CloseExpectation => ({
  closedByMe: true,
  codes: [code],
  requireClean: false,
  wrongCodeIsFatal: true,
});

/** Close codes an endpoint may send (RFC 6455 §7.4.1, IANA registry); 1012–1014 are left out, as in Autobahn. */
const VALID = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999];
/** Codes that "MUST NOT be set as a status code in a Close control frame by an endpoint" or are unassigned. */
const INVALID = [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999];

/** Category 7: the closing handshake. @see RFC 6455 §5.5.1, §7 */
export const closeCases: ConformanceCase[] = [
  {
    id: '7.1.1',
    description: 'Send a text message, then close; expect the echo, then a clean close with 1000.',
    run: ({ peer }) => peer.sendFrames({ opcode: Opcode.Text, payload: 'Hello World!' }),
    expect: { ok: [text('Hello World!')] },
  },
  {
    id: '7.1.2',
    description: 'Send two close frames; expect a clean close, the second close ignored.',
    run: async ({ peer }) => {
      await peer.sendClose(1000);
      await peer.sendFrames({ opcode: Opcode.Close, payload: closePayload(1000) }, { raw: true });
    },
  },
  {
    id: '7.1.3',
    description: 'Send a ping after the close frame; expect no pong, a clean close.',
    run: async ({ peer }) => {
      await peer.sendClose(1000);
      await peer.sendFrames({ opcode: Opcode.Ping, payload: 'Hello World!' });
    },
  },
  {
    id: '7.1.4',
    description: 'Send a text message after the close frame; expect no echo, a clean close.',
    run: async ({ peer }) => {
      await peer.sendClose(1000);
      await peer.sendFrames({ opcode: Opcode.Text, payload: 'Hello World!' });
    },
  },
  {
    id: '7.1.5',
    description: 'Send a first fragment, then close, then the last fragment; expect a clean close with 1000.',
    run: async ({ peer }) => {
      await peer.sendFrames({ opcode: Opcode.Text, fin: false, payload: 'fragment1' });
      await peer.sendClose(1000);
      await peer.sendFrames({ opcode: Opcode.Continuation, fin: true, payload: 'fragment2' });
    },
    close: { ...NORMAL_CLOSE, wrongCodeIsFatal: true },
    suppressClose: true,
  },
  {
    id: '7.1.6',
    description:
      'Send a 256 KiB message, a small message, close and a ping back to back (outcome up to the implementation).',
    run: async ({ peer }) => {
      await peer.sendFrames([
        { opcode: Opcode.Text, payload: repeatBytes('BAsd7&jh23', 256 * 1024) },
        { opcode: Opcode.Text, payload: 'Hello World!' },
      ]);
      await peer.sendClose(1000);
      await peer.sendFrames({ opcode: Opcode.Ping });
    },
    expect: { ok: [text(repeatBytes('BAsd7&jh23', 256 * 1024)), text('Hello World!')] },
    suppressClose: true,
    informational: true,
  },
  {
    id: '7.3.1',
    description: 'Send a close frame with an empty payload; expect a clean close.',
    run: ({ peer }) => peer.sendFrames({ opcode: Opcode.Close }),
  },
  {
    id: '7.3.2',
    description: 'Send a close frame with a 1-octet payload; expect 1002 or a dropped connection.',
    run: ({ peer }) => peer.sendFrames({ opcode: Opcode.Close, payload: 'a' }),
    close: badClose(1002),
  },
  {
    id: '7.3.3',
    description: 'Send a close frame with code 1000 and no reason; expect a clean close.',
    run: ({ peer }) => peer.sendClose(1000),
  },
  {
    id: '7.3.4',
    description: 'Send a close frame with code 1000 and a reason; expect a clean close.',
    run: ({ peer }) => peer.sendClose(1000, 'Hello World!'),
  },
  {
    id: '7.3.5',
    description:
      'Send a close frame with a 123-octet reason (125-octet payload, the maximum); expect a clean close.',
    run: ({ peer }) => peer.sendClose(1000, '*'.repeat(123)),
  },
  {
    id: '7.3.6',
    description:
      'Send a close frame with a 124-octet reason (126-octet control frame); expect 1002 or a dropped connection.',
    run: ({ peer }) =>
      peer.sendFrames({ opcode: Opcode.Close, payload: closePayload(1000, '*'.repeat(124)) }),
    close: badClose(1002),
  },
  {
    id: '7.5.1',
    description: 'Send a close frame whose reason is invalid UTF-8; expect 1007 or a dropped connection.',
    run: ({ peer }) =>
      peer.sendFrames({
        opcode: Opcode.Close,
        payload: closePayload(1000, Buffer.from('cebae1bdb9cf83cebcceb5eda080656469746564', 'hex')),
      }),
    close: badClose(1007),
  },
  ...VALID.map(
    (code, i): ConformanceCase => ({
      id: `7.7.${i + 1}`,
      description: `Send a close frame with the valid code ${code}; expect a clean close echoing it (or 1000).`,
      run: ({ peer }) => peer.sendClose(code),
      close: { closedByMe: true, codes: [1000, code], requireClean: true },
    }),
  ),
  ...INVALID.map(
    (code, i): ConformanceCase => ({
      id: `7.9.${i + 1}`,
      description: `Send a close frame with the invalid code ${code}; expect 1002 or a dropped connection.`,
      run: ({ peer }) => peer.sendFrames({ opcode: Opcode.Close, payload: closePayload(code) }),
      close: badClose(1002),
    }),
  ),
  ...[5000, 65535].map(
    (code, i): ConformanceCase => ({
      id: `7.13.${i + 1}`,
      description: `Send a close frame with the code ${code} (outside every range; behaviour left open).`,
      run: ({ peer }) => peer.sendFrames({ opcode: Opcode.Close, payload: closePayload(code) }),
      close: { closedByMe: true, codes: [1000, 1002], requireClean: false },
      informational: true,
    }),
  ),
];
