import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzRuns } from '../../../../test-support/hardening/fuzz-runs.js';
import { parseFrames } from '../../../../test-support/hardening/raw-peer.js';
import { isValidCloseCode } from '../../src/protocol/close-code.js';
import { Connection } from '../../src/protocol/connection.js';
import { Role } from '../../src/protocol/role.js';
import { Recorder } from './engine-harness.js';

/** A server-role connection fed `bytes` in one chunk, and the frames it sent back. */
function serverFed(bytes: Buffer) {
  const recorder = new Recorder();
  const connection = new Connection(recorder, { role: Role.Server });
  connection.receiveData(Buffer.from(bytes));
  return { recorder, sent: parseFrames(Buffer.concat(connection.takeOutgoing())) };
}

describe('close frames carry exactly the code and reason (no uninitialised memory)', () => {
  const reason = fc.string({ unit: 'binary', maxLength: 123 }).filter((s) => Buffer.byteLength(s) <= 123);
  const code = fc.oneof(
    fc.integer({ min: 1000, max: 1003 }),
    fc.integer({ min: 1007, max: 1014 }),
    fc.integer({ min: 3000, max: 4999 }),
  );

  it('sendClose: payload = code (big-endian) + UTF-8 reason, byte for byte, masked or not', () => {
    fc.assert(
      fc.property(code, reason, fc.boolean(), (c, r, client) => {
        const connection = new Connection(new Recorder(), { role: client ? Role.Client : Role.Server });
        connection.sendClose(c, r);
        const sent = parseFrames(Buffer.concat(connection.takeOutgoing()));
        expect(sent).toHaveLength(1);
        const expected = Buffer.alloc(2 + Buffer.byteLength(r));
        expected.writeUInt16BE(c, 0);
        expected.write(r, 2);
        expect(sent[0]!.payload.equals(expected)).toBe(true);
      }),
      { numRuns: fuzzRuns(300, 0.2) },
    );
  });

  it('a failure’s close frame is a valid close frame: ≤ 125 bytes, a sendable code, a UTF-8 reason', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), (bytes) => {
        const { recorder, sent } = serverFed(Buffer.from(bytes));
        for (const f of sent) {
          if (f.opcode === 8) {
            expect(f.payload.length).toBeLessThanOrEqual(125);
            expect(f.payload.length).not.toBe(1);
            if (f.payload.length >= 2) expect(isValidCloseCode(f.payload.readUInt16BE(0))).toBe(true);
            expect(isUtf8(f.payload.subarray(2))).toBe(true);
          }
          if (f.opcode >= 8) expect(f.payload.length).toBeLessThanOrEqual(125);
        }
        if (recorder.failure) expect(sent.at(-1)?.opcode).toBe(8);
      }),
      { numRuns: fuzzRuns(1000) },
    );
  });
});
