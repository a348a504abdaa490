import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { constants, deflateRawSync } from 'node:zlib';
import { permessageDeflate } from '@sockeye/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectRaw,
  frame,
  parseFrames,
  readUntil,
  upgradeRequest,
} from '../../../../test-support/hardening/raw-peer.js';
import { expectNoEscapes, trapEscapedErrors } from '../../../../test-support/hardening/resources.js';
import { within } from '../../../../test-support/hardening/within.js';
import type { ServerOptions } from '../../src/index.js';
import { type Harness, type Observed, startHarness } from './server-harness.js';

const require = createRequire(import.meta.url);
const deflate = require('permessage-deflate');

const trap = trapEscapedErrors();
let harness: Harness | null = null;

afterEach(async () => {
  await harness?.close();
  harness = null;
});

/** Opens a raw client against a fresh harness; resolves once the server's WebSocket is open. */
async function open(
  options: ServerOptions = {},
  extraHeaders: string[] = [],
): Promise<{ socket: Socket; observed: Observed; received: () => Buffer }> {
  harness = await startHarness(options);
  const next = harness.next();
  const socket = await connectRaw(harness.port);
  socket.write(upgradeRequest('/', extraHeaders));
  const head = await readUntil(socket, '\r\n\r\n');
  expect(head.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
  let rest = head.subarray(head.indexOf('\r\n\r\n') + 4);
  socket.on('data', (chunk: Buffer) => {
    rest = Buffer.concat([rest, chunk]);
  });
  const observed = await next;
  if (!observed.events.includes('open')) await new Promise((resolve) => observed.ws.once('open', resolve));
  return { socket, observed, received: () => rest };
}

function closeFrameSent(bytes: Buffer): number | undefined {
  const close = parseFrames(bytes).find((f) => f.opcode === 8);
  return close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : undefined;
}

describe('server limits on the wire', () => {
  it('maxLength: a frame declaring more fails with 1009 before its payload is sent', async () => {
    const { socket, observed, received } = await open({ maxLength: 1024 });
    socket.write(frame(2, Buffer.alloc(0), { mask: true, length: 1025 }).subarray(0, 8));
    await within(observed.closed, 3000, 'close');
    expect(closeFrameSent(received())).toBe(1009);
    expect(observed.errors[0]?.code).toBe('WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
    expect(observed.close?.code).toBe(1009);
    await expectNoEscapes(trap);
  });

  it('maxFragments: the fragment past the limit fails with 1009, empty fragments counted', async () => {
    const { socket, observed, received } = await open({ maxFragments: 100 });
    const frames = [frame(2, '', { fin: false, mask: true })];
    for (let i = 0; i < 100; i++) frames.push(frame(0, '', { fin: false, mask: true }));
    socket.write(Buffer.concat(frames));
    await within(observed.closed, 3000, 'close');
    expect(closeFrameSent(received())).toBe(1009);
    expect(observed.errors[0]?.code).toBe('WS_ERR_TOO_MANY_FRAGMENTS');
    await expectNoEscapes(trap);
  });

  for (const [name, plugin] of [
    ['faye’s npm permessage-deflate', deflate],
    ['sockeye’s permessageDeflate()', permessageDeflate()],
  ] as const) {
    it(`maxLength after inflation (${name}): a message inflating past the limit fails with 1009`, async () => {
      const payload = deflateRawSync(Buffer.alloc(4 << 20), { finishFlush: constants.Z_SYNC_FLUSH });
      const { socket, observed, received } = await open({ maxLength: 64 * 1024, extensions: [plugin] }, [
        'Sec-WebSocket-Extensions: permessage-deflate',
      ]);
      socket.write(frame(2, payload.subarray(0, payload.length - 4), { mask: true, rsv: 4 }));
      await within(observed.closed, 5000, 'close');
      expect(closeFrameSent(received())).toBe(1009);
      expect(observed.close?.code).toBe(1009);
      await expectNoEscapes(trap);
    });
  }

  for (const [name, plugin] of [
    ['faye’s npm permessage-deflate', deflate],
    ['sockeye’s permessageDeflate()', permessageDeflate()],
  ] as const) {
    it(`a violation behind a compressed message (${name}) fails after it, and closes at once`, async () => {
      const { socket, observed, received } = await open({ extensions: [plugin] }, [
        'Sec-WebSocket-Extensions: permessage-deflate',
      ]);
      const messages: unknown[] = [];
      observed.ws.on('message', (event: { data: unknown }) => messages.push(event.data));
      const compressed = deflateRawSync('hello', { finishFlush: constants.Z_SYNC_FLUSH });
      const bytes = Buffer.concat([
        frame(1, compressed.subarray(0, compressed.length - 4), { mask: true, rsv: 4 }),
        frame(0, 'x', { mask: true }), // a continuation with no message: 1002
      ]);
      // The violation's last byte comes in a later read, while the message may still be inflating.
      socket.write(bytes.subarray(0, -1));
      setTimeout(() => socket.write(bytes.subarray(-1)), 1);
      socket.on('end', () => socket.end());
      await within(observed.closed, 2000, 'close (not the 30 s close timeout)');
      expect(messages).toEqual(['hello']);
      expect(observed.errors.map((e) => e.code)).toEqual(['WS_ERR_UNEXPECTED_CONTINUATION']);
      expect(closeFrameSent(received())).toBe(1002);
      await expectNoEscapes(trap);
    });
  }

  it('a received control frame over 125 bytes fails with 1002', async () => {
    const { socket, observed, received } = await open();
    socket.write(frame(9, Buffer.alloc(126), { mask: true }));
    await within(observed.closed, 3000, 'close');
    expect(closeFrameSent(received())).toBe(1002);
    await expectNoEscapes(trap);
  });
});

describe('server limits on what the peer makes it send', () => {
  it('a peer that pings and never reads gets pongs held back, then one for its newest ping', async () => {
    const highWaterMark = 64 * 1024;
    const { socket, observed, received } = await open({ highWaterMark });
    socket.pause();
    // 32 MiB of pings: past what the kernel's socket buffers hold, so the pongs would pile up in
    // the server's own buffer if it answered each one.
    const burst = Buffer.concat(
      Array.from({ length: 1024 }, (_, i) => frame(9, Buffer.alloc(125, i & 0xff), { mask: true })),
    );
    const last = frame(9, Buffer.from('the newest ping'), { mask: true });
    for (let sent = 0; sent < 32 << 20; sent += burst.length) {
      if (!socket.write(burst)) await new Promise((resolve) => socket.once('drain', resolve));
    }
    socket.write(last);
    // Until the peer reads, the server holds at most one read's worth of pongs over the mark.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(observed.ws.readyState).toBe(1);
    expect(observed.ws.bufferedAmount).toBeLessThan(highWaterMark + 512 * 1024);
    socket.resume();
    await within(
      new Promise<void>((resolve) => {
        const check = () => {
          const pongs = parseFrames(received()).filter((f) => f.opcode === 10);
          if (pongs.at(-1)?.payload.toString() === 'the newest ping') resolve();
          else setTimeout(check, 20);
        };
        check();
      }),
      5000,
      'the pong for the newest ping',
    );
    await expectNoEscapes(trap);
  });
});

describe('server limits on what the peer makes it decode', () => {
  it('with permessage-deflate, stops reading while messages wait to be inflated', async () => {
    const { socket, observed } = await open({ extensions: [permessageDeflate()] }, [
      'Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover',
    ]);
    let delivered = 0;
    observed.ws.on('message', () => delivered++);
    // Messages of 8 KiB on the wire that inflate to 8 MiB each: cheap to send, slow to decode.
    const compressed = deflateRawSync(Buffer.alloc(8 << 20), { finishFlush: constants.Z_SYNC_FLUSH });
    const message = frame(2, compressed.subarray(0, compressed.length - 4), { mask: true, rsv: 4 });
    const count = Math.ceil((64 << 20) / message.length);
    // One write per message: writableLength then counts what the kernel has not taken yet.
    for (let i = 0; i < count; i++) socket.write(message);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // The server read only what it could decode meanwhile: most of the 64 MiB is still on this
    // side (the kernel's buffers hold a few MiB). A server that read on would have taken it all.
    expect(socket.writableLength).toBeGreaterThan(32 << 20);
    expect(delivered).toBeGreaterThan(0);
    expect(observed.ws.readyState).toBe(1);
    await expectNoEscapes(trap);
  });
});

describe('server limits on send', () => {
  it('counts what a message listener sends in bufferedAmount, so send() returns false there too', async () => {
    const { socket, observed } = await open();
    socket.pause(); // a client that does not read
    const highWaterMark = 1 << 20;
    const result = new Promise<{ accepted: number; buffered: number }>((resolve) => {
      observed.ws.once('message', () => {
        let accepted = 0;
        // 100-byte messages: each copied into its frame and written when the listener returns.
        while (accepted < 100_000 && observed.ws.send(Buffer.alloc(100))) accepted++;
        resolve({ accepted, buffered: observed.ws.bufferedAmount });
      });
    });
    socket.write(frame(2, 'go', { mask: true }));
    const { accepted, buffered } = await within(result, 2000, 'the listener');
    expect(buffered).toBeGreaterThanOrEqual(highWaterMark);
    expect(accepted).toBeLessThan(highWaterMark / 100);
    await expectNoEscapes(trap);
  });

  it('stops sending at a FIN without a close frame: CLOSING, and send() false', async () => {
    const { socket, observed } = await open();
    socket.pause(); // it never reads what the server sends
    while (observed.ws.send(Buffer.alloc(64 * 1024)));
    socket.end();
    await within(
      (async () => {
        while (observed.ws.readyState === 1) await new Promise((resolve) => setTimeout(resolve, 5));
      })(),
      2000,
      'CLOSING (not the 30 s close timeout)',
    );
    expect(observed.ws.readyState).toBe(2);
    expect(observed.ws.send('lost')).toBe(false);
    socket.destroy();
    await within(observed.closed, 2000, 'close');
    expect(observed.close?.code).toBe(1006);
    await expectNoEscapes(trap);
  });

  it('terminate() makes the socket CLOSING at once: send() returns false, then close 1006', async () => {
    const { observed } = await open();
    observed.ws.terminate();
    expect(observed.ws.readyState).toBe(2);
    expect(observed.ws.send('lost')).toBe(false);
    await within(observed.closed, 2000, 'close');
    expect(observed.close?.code).toBe(1006);
    await expectNoEscapes(trap);
  });

  it('sends what a buffer held when send() was called, though the listener reuses it at once', async () => {
    const { socket, observed, received } = await open();
    observed.ws.once('message', () => {
      const scratch = Buffer.alloc(4096);
      for (const fill of ['a', 'b', 'c']) {
        scratch.fill(fill);
        observed.ws.send(scratch);
      }
    });
    socket.write(frame(2, 'go', { mask: true }));
    await within(
      (async () => {
        while (parseFrames(received()).length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
      })(),
      2000,
      'three messages',
    );
    expect(parseFrames(received()).map((f) => f.payload.toString('latin1', 0, 1))).toEqual(['a', 'b', 'c']);
    await expectNoEscapes(trap);
  });

  it('ping() and pong() over 125 bytes throw RangeError and leave the connection usable', async () => {
    const { observed, received } = await open();
    expect(() => observed.ws.ping(Buffer.alloc(126))).toThrow(RangeError);
    expect(() => observed.ws.pong('x'.repeat(126))).toThrow(RangeError);
    expect(observed.ws.readyState).toBe(1);
    expect(observed.ws.ping(Buffer.alloc(125))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(parseFrames(received()).map((f) => [f.opcode, f.payload.length])).toEqual([[9, 125]]);
    await expectNoEscapes(trap);
  });

  it('close() with a reason over 123 UTF-8 bytes throws SyntaxError and sends nothing', async () => {
    const { observed, received } = await open();
    expect(() => observed.ws.close(1000, '€'.repeat(42))).toThrow(SyntaxError);
    expect(observed.ws.readyState).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(parseFrames(received())).toEqual([]);
    await expectNoEscapes(trap);
  });

  for (const [name, reason] of [
    ['a Uint8Array', new Uint8Array([1, 2, 3])],
    ['a Buffer', Buffer.from('abc')],
    ['a number', 42],
  ] as const) {
    it(`close() with ${name} as reason never frames bytes it did not mean to send`, async () => {
      // ws 8.20.1 sent uninitialised memory for close(code, TypedArray).
      const { observed, received } = await open();
      let threw = false;
      try {
        observed.ws.close(1000, reason as unknown as string);
      } catch (error) {
        threw = true;
        expect(error).toBeInstanceOf(TypeError);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      const close = parseFrames(received()).find((f) => f.opcode === 8);
      if (threw) {
        // Refused: nothing sent, and the connection is still usable and closable.
        expect(close).toBeUndefined();
        expect(observed.ws.readyState).toBe(1);
        observed.ws.close(1000);
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(closeFrameSent(received())).toBe(1000);
      } else {
        expect(close?.payload).toEqual(
          Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from(String(reason))]),
        );
      }
      await expectNoEscapes(trap);
    });
  }
});
