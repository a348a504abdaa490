import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { constants, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { echoFrame } from '../../../src/loadgen/echo-driver.js';
import {
  buildFrame,
  closeFrame,
  Opcode,
  repeatFrame,
  SEC_ACCEPT,
  SEC_KEY,
  textPayload,
  upgradeRequest,
} from '../../../src/loadgen/frames.js';

const require = createRequire(import.meta.url);
const Receiver = require(join(dirname(require.resolve('ws')), 'lib/receiver.js')) as new (
  options: object,
) => {
  on(event: string, listener: (...args: unknown[]) => void): void;
  write(chunk: Buffer): void;
};

/** Messages ws's server-side receiver reads from `bytes`. */
function receive(bytes: Buffer): { data: Buffer; binary: boolean }[] {
  const receiver = new Receiver({ isServer: true, maxPayload: 0 });
  const messages: { data: Buffer; binary: boolean }[] = [];
  receiver.on('message', (data, binary) =>
    messages.push({ data: data as Buffer, binary: binary as boolean }),
  );
  receiver.on('error', (error) => {
    throw error;
  });
  receiver.write(Buffer.from(bytes));
  return messages;
}

describe('generator frames', () => {
  it('are masked frames that ws reads back as the payload, at every length class', () => {
    for (const size of [0, 1, 125, 126, 65535, 65536]) {
      const payload = Buffer.alloc(size, 7);
      const [message] = receive(buildFrame(Opcode.Binary, payload));
      expect(message?.binary).toBe(true);
      expect(message?.data.equals(payload)).toBe(true);
    }
  });

  it('repeat a frame back to back', () => {
    const frame = buildFrame(Opcode.Text, Buffer.from('abc'));
    const messages = receive(repeatFrame(frame, 5));
    expect(messages.map((m) => m.data.toString())).toEqual(['abc', 'abc', 'abc', 'abc', 'abc']);
  });

  it('compress the deflate scenario payload as RFC 7692 says: RSV1 set, tail removed', () => {
    const frame = echoFrame({ payloadSize: 16384, binary: false, deflate: true });
    expect(frame[0]).toBe(0x80 | 0x40 | Opcode.Text);
    const header = 2 + 2 + 4;
    const key = frame.subarray(4, 8);
    const body = Buffer.from(frame.subarray(header));
    for (let i = 0; i < body.length; i++) body[i] = (body[i] as number) ^ (key[i & 3] as number);
    const inflated = inflateRawSync(Buffer.concat([body, Buffer.from([0, 0, 0xff, 0xff])]), {
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    expect(inflated.equals(textPayload(16384))).toBe(true);
    expect(body.length).toBeLessThan(16384 / 2);
  });

  it('close with code 1000', () => {
    const frame = closeFrame();
    expect(frame[0]).toBe(0x88);
    expect(frame[1]).toBe(0x80 | 2);
    const key = frame.subarray(2, 6);
    expect(frame).toHaveLength(8);
    expect(((frame[6]! ^ key[0]!) << 8) | (frame[7]! ^ key[1]!)).toBe(1000);
  });

  it('use a key whose accept value is the constant the generator expects', () => {
    const accept = createHash('sha1')
      .update(`${SEC_KEY}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest('base64');
    expect(accept).toBe(SEC_ACCEPT);
    const request = upgradeRequest(1234, '/x', 'permessage-deflate').toString();
    expect(request).toMatch(/^GET \/x HTTP\/1\.1\r\nHost: 127\.0\.0\.1:1234\r\n/);
    expect(request).toContain('Sec-WebSocket-Extensions: permessage-deflate\r\n');
    expect(request.endsWith('\r\n\r\n')).toBe(true);
  });

  it('text payloads are ASCII with no SSE event mark', () => {
    const text = textPayload(4096).toString('latin1');
    expect(text).toMatch(/^[\x20-\x7e]+$/);
    expect(text).not.toContain('#');
  });
});
