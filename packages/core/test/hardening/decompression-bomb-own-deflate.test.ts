import { describe, expect, it } from 'vitest';
import { permessageDeflate } from '../../src/node/permessage-deflate.js';
import { bomb, receiveCompressed } from './bomb.js';

// See decompression-bomb.test.ts: one measured bomb per file, first in the file.
describe('decompression bomb through sockeye’s own permessageDeflate()', () => {
  it('a 1:1000 bomb stops at maxLength with 1009, and memory stays bounded by the limit', async () => {
    const maxLength = 1 << 20;
    const payload = await bomb(128 << 20);
    const { recorder, sent, peakGrowth } = await receiveCompressed(permessageDeflate(), maxLength, payload);
    expect(recorder.messages).toEqual([]);
    expect(recorder.failure?.closeCode).toBe(1009);
    expect(recorder.failure?.code).toBe('WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
    expect(sent.at(-1)?.payload.readUInt16BE(0)).toBe(1009);
    expect(peakGrowth).toBeLessThan(64 << 20);
  });

  it('a message that inflates to exactly maxLength is delivered, one byte more is refused', async () => {
    const maxLength = 256 << 10;
    const exact = await receiveCompressed(permessageDeflate(), maxLength, await bomb(maxLength));
    expect(exact.recorder.failure).toBeNull();
    expect((exact.recorder.messages[0]!.data as Buffer).length).toBe(maxLength);
    const over = await receiveCompressed(permessageDeflate(), maxLength, await bomb(maxLength + 1));
    expect(over.recorder.failure?.closeCode).toBe(1009);
    expect(over.recorder.messages).toEqual([]);
  });
});
