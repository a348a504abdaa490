import { createRequire } from 'node:module';
import { constants, createDeflateRaw } from 'node:zlib';
import { expect } from 'vitest';
import { frame, parseFrames } from '../../../../test-support/hardening/raw-peer.js';
import { Connection } from '../../src/protocol/connection.js';
import type { Extension } from '../../src/protocol/extension.js';
import { negotiateServerExtensions } from '../../src/protocol/extension-negotiation.js';
import { Role } from '../../src/protocol/role.js';
import { Recorder } from './engine-harness.js';

const require = createRequire(import.meta.url);

/** faye's npm `permessage-deflate` plugin, as users pass it today. */
export const npmDeflate = require('permessage-deflate') as Extension;

/**
 * A permessage-deflate payload (RFC 7692 §7.2.1: deflated, the trailing 00 00 FF FF removed) that
 * inflates to `size` zero bytes. Built by streaming so the test itself never holds `size` bytes.
 */
export async function bomb(size: number): Promise<Buffer> {
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

/** Feeds one compressed binary message to a server connection that negotiated `plugin`. */
export async function receiveCompressed(plugin: Extension, maxLength: number, payload: Buffer) {
  const { response, pipeline } = negotiateServerExtensions([plugin], 'permessage-deflate', maxLength);
  expect(response).toMatch(/^permessage-deflate/);
  const recorder = new Recorder();
  const connection = new Connection(recorder, { role: Role.Server, maxLength, extensions: pipeline });
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  connection.receiveData(frame(2, payload, { mask: true, rsv: 4 }));
  const deadline = Date.now() + 20_000;
  while (recorder.failure === null && recorder.messages.length === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return {
    recorder,
    /** How much the process's peak resident memory rose while the message was processed. */
    peakGrowth: process.resourceUsage().maxRSS * 1024 - peakBefore,
    sent: parseFrames(Buffer.concat(connection.takeOutgoing())),
  };
}
