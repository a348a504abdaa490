import { describe, expect, it } from 'vitest';
import { bomb, npmDeflate, receiveCompressed } from './bomb.js';

// Each bomb file runs in its own worker: the process's peak RSS starts low, so its growth measures
// what inflating the bomb cost. The first test of the file is the measured one.
describe('decompression bomb through faye’s npm permessage-deflate plugin', () => {
  it('a 1:1000 bomb stops at maxLength with 1009, and memory stays bounded by the limit', async () => {
    const maxLength = 1 << 20;
    const payload = await bomb(128 << 20);
    expect(payload.length).toBeLessThan(maxLength);
    expect((128 << 20) / payload.length).toBeGreaterThan(900);
    const { recorder, sent, peakGrowth } = await receiveCompressed(npmDeflate, maxLength, payload);
    expect(recorder.messages).toEqual([]);
    expect(recorder.failure?.closeCode).toBe(1009);
    expect(sent.at(-1)?.opcode).toBe(8);
    expect(sent.at(-1)?.payload.readUInt16BE(0)).toBe(1009);
    // Bounded by the limit, not by the bomb: a few times maxLength plus zlib's own working memory.
    expect(peakGrowth).toBeLessThan(64 << 20);
  });

  it('a message that inflates to exactly maxLength is delivered', async () => {
    const maxLength = 256 << 10;
    const { recorder } = await receiveCompressed(npmDeflate, maxLength, await bomb(maxLength));
    expect(recorder.failure).toBeNull();
    expect(recorder.messages).toHaveLength(1);
    expect((recorder.messages[0]!.data as Buffer).length).toBe(maxLength);
  });
});
