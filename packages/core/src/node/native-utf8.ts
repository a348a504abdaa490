import { isUtf8 } from 'node:buffer';
import { setUtf8Validator } from '../protocol/utf8.js';

/**
 * Hands the protocol layer Node's native UTF-8 check (`buffer.isUtf8`, simdutf: memory speed)
 * for text split across fragments or TCP reads, instead of its `TextDecoder` fallback. The
 * protocol layer cannot import `node:` modules itself. Idempotent; the socket driver calls it
 * when it loads.
 */
export function installNativeUtf8(): void {
  setUtf8Validator(isUtf8);
}
