import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nodeDigest } from '../../../src/node/digest.js';
import { acceptKey, type HandshakeDigest, WEBSOCKET_GUID } from '../../../src/protocol/handshake-digest.js';

describe('Sec-WebSocket-Accept (RFC 6455 §4.2.2)', () => {
  it('computes the example of RFC 6455 §1.3', () => {
    expect(acceptKey('dGhlIHNhbXBsZSBub25jZQ==', nodeDigest)).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('computes the websocket-driver fixtures', () => {
    expect(acceptKey('JFBCWHksyIpXV+6Wlq/9pw==', nodeDigest)).toBe('JdiiuafpBKRqD7eol0y4vJDTsTs=');
    expect(acceptKey('2vBVWg4Qyk3ZoM/5d3QD9Q==', nodeDigest)).toBe('QV3I5XUXU2CdhtjixE7QCkCcMZM=');
  });

  it('hashes the key followed by the GUID through the injected digest', () => {
    const inputs: string[] = [];
    const digest: HandshakeDigest = {
      sha1: (input) => {
        inputs.push(input);
        return Buffer.from([1, 2, 3]);
      },
      md5: () => Buffer.alloc(16),
    };
    expect(acceptKey('key', digest)).toBe('AQID');
    expect(inputs).toEqual([`key${WEBSOCKET_GUID}`]);
    expect(WEBSOCKET_GUID).toBe('258EAFA5-E914-47DA-95CA-C5AB0DC85B11');
  });

  it('takes the base64 shortcut for an ASCII key only: other keys are hashed as Latin-1 bytes', () => {
    const calls: string[] = [];
    const digest: HandshakeDigest = {
      sha1: (input) => {
        calls.push(`sha1 ${input}`);
        return nodeDigest.sha1(input);
      },
      sha1Base64: (input) => {
        calls.push(`sha1Base64 ${input}`);
        return nodeDigest.sha1Base64!(input);
      },
      md5: () => Buffer.alloc(16),
    };
    expect(acceptKey('dGhlIHNhbXBsZSBub25jZQ==', digest)).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    // U+00FF is one Latin-1 byte (0xff), two in UTF-8: hashed through sha1, as Latin-1.
    const latin1 = Buffer.concat([Buffer.from([0xff]), Buffer.from(WEBSOCKET_GUID)]);
    const expected = createHash('sha1').update(latin1).digest('base64');
    expect(acceptKey('\u00ff', digest)).toBe(expected);
    expect(calls).toEqual([
      `sha1Base64 dGhlIHNhbXBsZSBub25jZQ==${WEBSOCKET_GUID}`,
      `sha1 \u00ff${WEBSOCKET_GUID}`,
    ]);
  });
});
