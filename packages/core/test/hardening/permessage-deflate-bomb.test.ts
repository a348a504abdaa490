import { constants, createDeflateRaw } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import Extensions from 'websocket-extensions';
import { Connection, type ExtensionPipeline, permessageDeflate, Role } from '../../src/index.js';
import { clientFrame, readFrames } from '../unit/protocol/engine-harness.js';
import { Recorder } from './engine-harness.js';

/**
 * A permessage-deflate payload (RFC 7692 §7.2.1: deflated, the trailing 00 00 FF FF removed) that
 * inflates to `size` zero bytes, built by streaming so the test never holds `size` bytes itself.
 */
async function bomb(size: number): Promise<Buffer> {
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  const block = Buffer.alloc(1 << 20);
  for (let written = 0; written < size; written += block.length) {
    if (!deflate.write(block.subarray(0, Math.min(block.length, size - written))))
      await new Promise((resolve) => deflate.once('drain', resolve));
  }
  await new Promise<void>((resolve) => deflate.flush(constants.Z_SYNC_FLUSH, () => resolve()));
  deflate.close();
  const payload = Buffer.concat(out);
  return payload.subarray(0, payload.length - 4);
}

/** The server side of a handshake that accepted sockeye's permessage-deflate, with `maxLength`. */
function negotiated(maxLength: number): ExtensionPipeline {
  const extensions = new Extensions({ maxLength });
  extensions.add(permessageDeflate());
  expect(extensions.generateResponse('permessage-deflate; client_max_window_bits')).toBe(
    'permessage-deflate',
  );
  return extensions;
}

async function settle(recorder: Recorder): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (recorder.failure === null && recorder.messages.length === 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('decompression bomb against the built-in permessage-deflate', () => {
  // First in its file (a fresh worker), so the process's peak RSS is still low and its growth
  // measures what inflating cost. faye's npm plugin inflates the whole 64 MiB before the
  // Connection can refuse it: its peak grows by more than 64 MiB.
  it('a 1:1000 bomb (64 MiB of zeros in ~64 KiB) stops at maxLength 1 MiB with 1009, memory bounded', async () => {
    const maxLength = 1 << 20;
    const payload = await bomb(64 << 20);
    expect(payload.length).toBeLessThan(80 << 10);
    expect((64 << 20) / payload.length).toBeGreaterThan(900);
    const wire = clientFrame(2, payload, { rsv: 0x40 });

    const recorder = new Recorder();
    const connection = new Connection(recorder, {
      role: Role.Server,
      maxLength,
      extensions: negotiated(maxLength),
    });
    const peakBefore = process.resourceUsage().maxRSS * 1024;
    const buffersBefore = process.memoryUsage().arrayBuffers;
    let buffersPeak = 0;
    const sampler = setInterval(() => {
      buffersPeak = Math.max(buffersPeak, process.memoryUsage().arrayBuffers - buffersBefore);
    }, 1);
    connection.receiveData(wire);
    await settle(recorder);
    clearInterval(sampler);
    const peakGrowth = process.resourceUsage().maxRSS * 1024 - peakBefore;

    expect(recorder.messages).toEqual([]);
    expect(recorder.failure?.closeCode).toBe(1009);
    expect(recorder.failure?.message).toContain('more than 1048576 bytes once inflated');
    const sent = readFrames(Buffer.concat(connection.takeOutgoing()));
    expect(sent.at(-1)?.opcode).toBe(8);
    expect(sent.at(-1)?.payload.readUInt16BE(0)).toBe(1009);
    // Inflated bytes never exceed maxLength + one zlib chunk (16 KiB); the rest is zlib's own
    // state and the test's own buffers. Generous bounds, an order of magnitude under the bomb.
    expect(buffersPeak).toBeLessThan(8 << 20);
    expect(peakGrowth).toBeLessThan(24 << 20);
  });

  it('a message that inflates to exactly maxLength is delivered, one byte more is refused', async () => {
    const maxLength = 256 << 10;
    for (const [size, delivered] of [
      [maxLength, true],
      [maxLength + 1, false],
    ] as const) {
      const recorder = new Recorder();
      const connection = new Connection(recorder, {
        role: Role.Server,
        maxLength,
        extensions: negotiated(maxLength),
      });
      connection.receiveData(clientFrame(2, await bomb(size), { rsv: 0x40 }));
      await settle(recorder);
      if (delivered) {
        expect(recorder.failure).toBeNull();
        expect((recorder.messages[0]!.data as Buffer).length).toBe(maxLength);
      } else {
        expect(recorder.messages).toEqual([]);
        expect(recorder.failure?.closeCode).toBe(1009);
      }
    }
  });
});
