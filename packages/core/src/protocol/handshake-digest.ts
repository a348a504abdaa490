/**
 * The two hash functions the opening handshakes need, injected so that `protocol/` stays free of
 * `node:` imports. The Node implementation is `nodeDigest` in `src/node/digest.ts`.
 */
export interface HandshakeDigest {
  /**
   * SHA-1 of `input` taken as Latin-1 bytes (the handshake key and GUID are ASCII).
   * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.2.2
   */
  sha1(input: string): Buffer;
  /**
   * The same SHA-1 as base64 text, when the implementation has a cheaper way to it than encoding
   * {@link sha1}'s bytes (Node's one-shot `crypto.hash` is several times faster to base64). Called
   * with ASCII input only ({@link acceptKey} checks the key; the server's handshake has checked it as
   * base64), where UTF-8 and Latin-1 are the same bytes, so an implementation may hash the string as
   * either.
   */
  sha1Base64?(input: string): string;
  /** MD5 of `input`: the hixie-76 challenge answer. */
  md5(input: Buffer): Buffer;
}

/**
 * The GUID that RFC 6455 §1.3 concatenates to the client's key before hashing.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-1.3
 */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * The `Sec-WebSocket-Accept` value for a `Sec-WebSocket-Key`: base64 of SHA-1 of key + GUID.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.2.2
 */
export function acceptKey(key: string, digest: HandshakeDigest): string {
  // The key, not `key + GUID`: a concatenation is slow to scan (callgrind: 2.4k instructions per
  // handshake, a regular expression on it 1.7k).
  return isAscii(key) ? acceptAsciiKey(key, digest) : digest.sha1(key + WEBSOCKET_GUID).toString('base64');
}

/**
 * {@link acceptKey} of a key known to be ASCII: the server's handshake has checked it as base64
 * (22 characters and `==`) before it gets here, so it skips the scan.
 */
export function acceptAsciiKey(key: string, digest: HandshakeDigest): string {
  const input = key + WEBSOCKET_GUID;
  return digest.sha1Base64 === undefined ? digest.sha1(input).toString('base64') : digest.sha1Base64(input);
}

/** Whether every code unit of `text` is ASCII (the GUID is). */
function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
