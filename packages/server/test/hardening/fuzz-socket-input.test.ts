import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { socketInput } from '../../../../test-support/hardening/fuzz-pieces.js';
import { fuzzRuns } from '../../../../test-support/hardening/fuzz-runs.js';
import { connectRaw, readUntil, upgradeRequest } from '../../../../test-support/hardening/raw-peer.js';
import { expectNoEscapes, trapEscapedErrors } from '../../../../test-support/hardening/resources.js';
import { within } from '../../../../test-support/hardening/within.js';
import { type Harness, startHarness } from './server-harness.js';

const trap = trapEscapedErrors();
let harness: Harness;

beforeAll(async () => {
  // An echo server, so the fuzzed bytes also drive sends from inside message handlers.
  harness = await startHarness({ maxLength: 4096, maxFragments: 16 }, (ws) => {
    ws.on('message', (event: { data: string | Buffer }) => ws.send(event.data));
  });
});
afterAll(async () => {
  await harness.close();
});

describe('server socket under fuzzed input', () => {
  it('any bytes after the handshake end in close, never in an exception out of a socket callback', async () => {
    await fc.assert(
      fc.asyncProperty(socketInput, async (pieces) => {
        const next = harness.next();
        const socket = await connectRaw(harness.port);
        socket.write(upgradeRequest());
        await readUntil(socket, '\r\n\r\n');
        const observed = await next;
        for (const p of pieces) socket.write(p);
        socket.end();
        await within(observed.closed, 5000, 'close');
        socket.destroy();
        expect(observed.events.filter((e) => e === 'close')).toHaveLength(1);
        expect(trap.uncaught).toEqual([]);
      }),
      { numRuns: fuzzRuns(25, 0.01) },
    );
    await expectNoEscapes(trap);
  });
});
