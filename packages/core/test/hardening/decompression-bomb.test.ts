import { createRequire } from 'node:module';
import { constants, createDeflateRaw } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { frame, parseFrames } from '../../../../test-support/hardening/raw-peer.js';
import { Connection } from '../../src/protocol/connection.js';
import type { ExtensionPipeline } from '../../src/protocol/extension.js';
import { Role } from '../../src/protocol/role.js';
import { Recorder } from './engine-harness.js';

const require = createRequire(import.meta.url);

/**
 * A permessage-deflate payload (RFC 7692 §7.2.1: deflated, the trailing 00 00 FF FF removed) that
 * inflates to `size` zero bytes. Built by streaming so the test itself never holds `size` bytes.
 */
async function bomb(size: number): Promise<Buffer> {
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  const block = Buffer.alloc(1 << 20);
  for (let written = 0; written < size; written += block.length) {
    const piece = size - written < block.length ? block.subarray(0, size - written) : block;
    if (!deflate.write(piece)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  await new Promise<void>((resolve) => deflate.flush(constants.Z_SYNC_FLUSH, () => resolve()));
  deflate.close();
  const payload = Buffer.concat(out);
  return payload.subarray(0, payload.length - 4);
}

/** A server-side websocket-extensions pipeline with permessage-deflate accepted, as negotiation leaves it. */
function negotiatedDeflate(): ExtensionPipeline {
  const Extensions = require('websocket-extensions');
  const deflate = require('permessage-deflate');
  const extensions = new Extensions();
  extensions.add(deflate);
  const response = extensions.generateResponse('permessage-deflate');
  expect(response).toMatch(/^permessage-deflate/);
  return extensions as ExtensionPipeline;
}

async function settle(recorder: Recorder): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (recorder.failure === null && recorder.messages.length === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('decompression bomb (permessage-deflate)', () => {
  // Runs first in its file (a fresh worker): the process's peak RSS is still low, so the growth of
  // the peak measures what inflating the bomb cost.
  it('a 1:1000 bomb stops at maxLength with 1009, and memory stays bounded by the limit', async () => {
    const maxLength = 1 << 20;
    const inflated = 128 << 20;
    const payload = await bomb(inflated);
    expect(payload.length).toBeLessThan(maxLength);
    expect(inflated / payload.length).toBeGreaterThan(900);
    const wire = frame(2, payload, { mask: true, rsv: 4 });

    const recorder = new Recorder();
    const connection = new Connection(recorder, {
      role: Role.Server,
      maxLength,
      extensions: negotiatedDeflate(),
    });
    const peakBefore = process.resourceUsage().maxRSS * 1024;
    connection.receiveData(wire);
    await settle(recorder);
    const peakGrowth = process.resourceUsage().maxRSS * 1024 - peakBefore;

    expect(recorder.messages).toEqual([]);
    expect(recorder.failure?.closeCode).toBe(1009);
    const sent = parseFrames(Buffer.concat(connection.takeOutgoing()));
    expect(sent.at(-1)?.opcode).toBe(8);
    expect(sent.at(-1)?.payload.readUInt16BE(0)).toBe(1009);
    // Bounded by the limit, not by the bomb: a few times maxLength plus zlib's own working memory.
    expect(peakGrowth).toBeLessThan(64 << 20);
  });

  it('a message that inflates to exactly maxLength is delivered', async () => {
    const maxLength = 256 << 10;
    const payload = await bomb(maxLength);
    const recorder = new Recorder();
    const connection = new Connection(recorder, {
      role: Role.Server,
      maxLength,
      extensions: negotiatedDeflate(),
    });
    connection.receiveData(frame(2, payload, { mask: true, rsv: 4 }));
    await settle(recorder);
    expect(recorder.failure).toBeNull();
    expect(recorder.messages).toHaveLength(1);
    expect((recorder.messages[0]!.data as Buffer).length).toBe(maxLength);
  });
});
