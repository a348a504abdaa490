import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzRuns } from '../../../../test-support/hardening/fuzz-runs.js';
import { connectRaw, upgradeRequest } from '../../../../test-support/hardening/raw-peer.js';
import { expectNoEscapes, trapEscapedErrors } from '../../../../test-support/hardening/resources.js';
import { within } from '../../../../test-support/hardening/within.js';
import { type ListenHandle, listen } from '../../src/index.js';

const trap = trapEscapedErrors();
let handle: ListenHandle;

beforeAll(async () => {
  handle = await listen({ host: '127.0.0.1', handshakeTimeout: 100 }, (ws) => ws.pipe(ws));
});
afterAll(async () => {
  await handle.close();
});

const valid = upgradeRequest('/');

/**
 * A request head as a hostile or broken client sends it: the valid request cut short, with bytes
 * flipped, with lines duplicated or noise put in, or plain noise; then split at random points.
 */
const head: fc.Arbitrary<Buffer[]> = fc
  .oneof(
    fc.integer({ min: 0, max: valid.length }).map((n) => Buffer.from(valid.slice(0, n), 'latin1')),
    fc
      .record({ at: fc.nat({ max: valid.length - 1 }), byte: fc.integer({ min: 0, max: 255 }) })
      .map(({ at, byte }) => {
        const bytes = Buffer.from(valid, 'latin1');
        bytes[at] = byte;
        return bytes;
      }),
    fc
      .record({ at: fc.nat({ max: valid.length }), noise: fc.uint8Array({ minLength: 1, maxLength: 300 }) })
      .map(({ at, noise }) =>
        Buffer.concat([
          Buffer.from(valid.slice(0, at), 'latin1'),
          noise,
          Buffer.from(valid.slice(at), 'latin1'),
        ]),
      ),
    fc.uint8Array({ minLength: 1, maxLength: 2000 }).map((a) => Buffer.from(a)),
  )
  .chain((bytes) =>
    fc.uniqueArray(fc.nat({ max: Math.max(0, bytes.length - 1) }), { maxLength: 6 }).map((cuts) => {
      const points = [0, ...cuts.sort((a, b) => a - b), bytes.length];
      return points.slice(1).map((end, i) => bytes.subarray(points[i], end));
    }),
  );

describe('listen() under fuzzed request heads', () => {
  it('every connection ends with an answer or a WebSocket, never an exception or a hang', async () => {
    await fc.assert(
      fc.asyncProperty(head, async (pieces) => {
        const socket = await connectRaw(handle.port);
        const received: Buffer[] = [];
        socket.on('data', (chunk: Buffer) => received.push(chunk));
        socket.on('error', () => {});
        const closed = new Promise((resolve) => socket.once('close', resolve));
        for (const piece of pieces) if (piece.length > 0) socket.write(piece);
        // A request that is whole and valid gets its 101; then the client leaves.
        const answer = () => Buffer.concat(received).toString('latin1');
        await within(
          new Promise<void>((resolve) => {
            const check = () => (answer().includes('\r\n\r\n') ? resolve() : undefined);
            socket.on('data', check);
            socket.once('close', () => resolve());
            check();
          }),
          2000,
          'an answer',
        );
        const status = answer().slice(0, answer().indexOf('\r\n'));
        expect(status).toMatch(/^HTTP\/1\.1 (101|400|403|408|426|431) /);
        if (status.includes(' 101 ')) socket.destroy();
        await within(closed, 2000, 'the close');
        expect(trap.uncaught).toEqual([]);
      }),
      { numRuns: fuzzRuns(40, 0.01) },
    );
    await expectNoEscapes(trap);
    // Nothing is left: every WebSocket made has closed and left the handle's clients.
    await within(
      new Promise<void>((resolve) => {
        const poll = () => (handle.clients.size === 0 ? resolve() : setTimeout(poll, 10));
        poll();
      }),
      2000,
      'the clients to close',
    );
  });
});
