import { createHash, hash, randomBytes } from 'node:crypto';
import type { HandshakeDigest } from '../protocol/handshake-digest.js';

/** The {@link HandshakeDigest} backed by `node:crypto`. */
export const nodeDigest: HandshakeDigest = {
  sha1(input: string): Buffer {
    return createHash('sha1').update(input, 'latin1').digest();
  },
  sha1Base64(input: string): string {
    // The one-shot `hash` makes no Hash object and no Buffer: about 0.3 µs where `createHash`
    // takes 1.2. It reads a string as UTF-8, the same bytes as Latin-1 for ASCII (a key and the GUID).
    return hash('sha1', input, 'base64');
  },
  md5(input: Buffer): Buffer {
    return createHash('md5').update(input).digest();
  },
};

/**
 * 16 bytes from the CSPRNG: the nonce a client base64-encodes into `Sec-WebSocket-Key`. RFC 6455
 * §4.1: "The nonce MUST be selected randomly for each connection."
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.1
 */
export function randomKey(): Buffer {
  return randomBytes(16);
}
