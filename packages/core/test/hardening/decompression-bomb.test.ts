import { describe, expect, it } from 'vitest';
import { bomb, npmDeflate, receiveCompressed } from './bomb.js';

// faye's npm plugin inflates each message whole and has no size cap, so sockeye can only refuse the
// result: the bomb is never delivered and the connection fails with 1009, but the memory spent on the
// way is the plugin's. The bounded-memory guarantee belongs to sockeye's own permessageDeflate(), which
// inflates with maxLength as its output limit: see decompression-bomb-own-deflate.test.ts, and
// SECURITY.md, which tells public servers to use it.
describe('decompression bomb through faye’s npm permessage-deflate plugin', () => {
  it('a 1:1000 bomb is refused with 1009 and never delivered', async () => {
    const maxLength = 1 << 20;
    const payload = await bomb(128 << 20);
    expect(payload.length).toBeLessThan(maxLength);
    expect((128 << 20) / payload.length).toBeGreaterThan(900);
    const { recorder, sent } = await receiveCompressed(npmDeflate, maxLength, payload);
    expect(recorder.messages).toEqual([]);
    expect(recorder.failure?.closeCode).toBe(1009);
    expect(sent.at(-1)?.opcode).toBe(8);
    expect(sent.at(-1)?.payload.readUInt16BE(0)).toBe(1009);
  });

  it('a message that inflates to exactly maxLength is delivered', async () => {
    const maxLength = 256 << 10;
    const { recorder } = await receiveCompressed(npmDeflate, maxLength, await bomb(maxLength));
    expect(recorder.failure).toBeNull();
    expect(recorder.messages).toHaveLength(1);
    expect((recorder.messages[0]!.data as Buffer).length).toBe(maxLength);
  });
});
