import { type ConformanceCase, failWith } from '../case.js';
import { Opcode } from '../frame.js';
import { text } from '../trace.js';

const HELLO = 'Hello, world!';

function reserved(id: string, opcode: number, withPayload: boolean, afterMessage: boolean): ConformanceCase {
  const frame = { opcode, payload: withPayload ? 'reserved opcode payload' : '' };
  const kind = opcode < 8 ? 'non-control' : 'control';
  return {
    id,
    description: afterMessage
      ? `Send a text message, then a frame with reserved ${kind} opcode ${opcode}${withPayload ? ' and a payload' : ''}, then a ping; expect the echo, then failure with 1002.`
      : `Send a frame with reserved ${kind} opcode ${opcode}${withPayload ? ' and a payload' : ''}; expect failure with 1002.`,
    run: ({ peer }) =>
      peer.sendFrames(
        afterMessage ? [{ opcode: Opcode.Text, payload: HELLO }, frame, { opcode: Opcode.Ping }] : [frame],
      ),
    ...(afterMessage ? { expect: { ok: [text(HELLO)], nonStrict: [] } } : {}),
    close: failWith(1002),
  };
}

/**
 * Category 4: "If an unknown opcode is received, the receiving endpoint MUST _Fail the
 * WebSocket Connection_" (RFC 6455 §5.2).
 */
export const opcodeCases: ConformanceCase[] = [
  reserved('4.1.1', 3, false, false),
  reserved('4.1.2', 4, true, false),
  reserved('4.1.3', 5, false, true),
  reserved('4.1.4', 6, true, true),
  reserved('4.1.5', 7, true, true),
  reserved('4.2.1', 11, false, false),
  reserved('4.2.2', 12, true, false),
  reserved('4.2.3', 13, false, true),
  reserved('4.2.4', 14, true, true),
  reserved('4.2.5', 15, true, true),
];
