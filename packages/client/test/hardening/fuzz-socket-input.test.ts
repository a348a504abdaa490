import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { socketInput } from '../../../../test-support/hardening/fuzz-pieces.js';
import { fuzzRuns } from '../../../../test-support/hardening/fuzz-runs.js';
import {
  type RawServer,
  readUntil,
  startRawServer,
  switchingProtocols,
} from '../../../../test-support/hardening/raw-peer.js';
import { expectNoEscapes, trapEscapedErrors } from '../../../../test-support/hardening/resources.js';
import { within } from '../../../../test-support/hardening/within.js';
import { observe } from './client-harness.js';

const trap = trapEscapedErrors();
let server: RawServer;
// What the raw server sends after its 101: set by each case before the client connects.
let script: Buffer[] = [];

beforeAll(async () => {
  server = await startRawServer(async (socket) => {
    const request = await readUntil(socket, '\r\n\r\n');
    socket.write(switchingProtocols(request));
    for (const p of script) socket.write(p);
    socket.end();
  });
});
afterAll(async () => {
  await server.close();
});

describe('client socket under fuzzed input', () => {
  it('any bytes from the server after the 101 end in close, never in an exception out of a socket callback', async () => {
    await fc.assert(
      fc.asyncProperty(socketInput, async (pieces) => {
        script = pieces;
        const client = observe(server.url, { maxLength: 4096, maxFragments: 16, closeTimeout: 2000 });
        client.ws.on('message', (event: { data: string | Buffer }) => client.ws.send(event.data));
        await within(client.closed, 5000, 'close');
        expect(client.events.filter((e) => e === 'close')).toHaveLength(1);
        expect(trap.uncaught).toEqual([]);
      }),
      { numRuns: fuzzRuns(25, 0.01) },
    );
    await expectNoEscapes(trap);
  });
});
