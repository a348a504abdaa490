import { constants, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MessageInflater } from '../../../src/node/permessage-deflate-codec.js';
import type { ExtensionMessage } from '../../../src/protocol/extension.js';

/** A message as RFC 7692 §7.2.1 sends it: DEFLATE with a sync flush, its 00 00 ff ff tail removed. */
function compressed(text: string): ExtensionMessage {
  const data = deflateRawSync(Buffer.from(text), { finishFlush: constants.Z_SYNC_FLUSH });
  return { rsv1: true, rsv2: false, rsv3: false, opcode: 1, data: data.subarray(0, data.length - 4) };
}

function inflate(
  inflater: MessageInflater,
  message: ExtensionMessage,
  limit: number,
): Promise<{ error: Error | null; data: string | null }> {
  return new Promise((resolve) =>
    inflater.process(
      message,
      (error, result) => resolve({ error, data: result?.data.toString() ?? null }),
      limit,
    ),
  );
}

describe('MessageInflater: the queue of messages in zlib', () => {
  it('fails a message that goes over its limit in output zlib held back, and inflates the next one whole', async () => {
    // A shared inflater serves several connections, each with its own limit: the first message is
    // over its 100 bytes, the one queued behind it (another connection's) is not. Its output is
    // held in the stream (paused), so it is read only when the write completes: the over-limit
    // failure then starts the next message on a fresh stream, before the write callback is done.
    const inflater = new MessageInflater({ windowBits: 15, noContextTakeover: false });
    const big = inflate(inflater, compressed('x'.repeat(10_000)), 100);
    const next = inflate(inflater, compressed('the next message'), 1 << 20);
    (inflater as unknown as { stream: { pause(): void } }).stream.pause();
    const first = await big;
    expect(first.error?.message).toMatch(/Message too big/);
    expect(await next).toEqual({ error: null, data: 'the next message' });
    inflater.close();
  });
});
