import { createHash, hash, randomBytes } from 'node:crypto';
import type { HandshakeDigest } from '../protocol/handshake-digest.js';

const NON_ASCII = /[\u0080-\uffff]/;

/** The {@link HandshakeDigest} backed by `node:crypto`. */
export const nodeDigest: HandshakeDigest = {
  sha1(input: string): Buffer {
    // The one-shot `hash` makes no Hash object: one call per handshake instead of three. It reads a
    // string as UTF-8, the same bytes as latin1 for the ASCII of a key and the GUID.
    if (!NON_ASCII.test(input)) return hash('sha1', input, 'buffer');
    return createHash('sha1').update(input, 'latin1').digest();
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
