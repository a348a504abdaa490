/**
 * zlib streams shared by every connection of the process, for the directions where no LZ77
 * window has to outlive a message: a compressor (sockeye may always compress a message on its
 * own, whatever was negotiated) and an inflater for a peer that agreed to `*_no_context_takeover`.
 *
 * A dedicated compressor holds its window, hash chains and output buffer for the connection's
 * life (about 100 KiB at windowBits 12 / memLevel 5, 290 KiB at zlib's defaults, which `ws` uses);
 * a shared one costs nothing per connection. The price is compression ratio on small similar
 * messages, which could have referred back to the previous ones. uWebSockets makes the same
 * trade by default (its `SHARED_COMPRESSOR`).
 *
 * Each pool holds {@link POOL_SIZE} codecs per settings. A session is pinned to one of them (its
 * messages stay in order: a codec is a FIFO) and sessions are spread round-robin, so the pool
 * also caps how many zlib jobs these directions put on libuv's thread pool at once.
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.1.1
 */
import { type DeflaterSettings, MessageDeflater, MessageInflater } from './permessage-deflate-codec.js';

/**
 * Codecs per settings. libuv's thread pool has four threads by default; twice as many codecs keep
 * a job queued for each thread while the main thread collects a finished one (four measured
 * 25 % fewer messages per second on the bench's deflate echo). Their memory is fixed: about
 * 100 KiB each at the default settings, for the whole process.
 */
const POOL_SIZE = 8;

interface Pool<C> {
  codecs: C[];
  next: number;
}

const deflaters = new Map<string, Pool<MessageDeflater>>();
const inflaters = new Map<number, Pool<MessageInflater>>();

function take<K, C>(pools: Map<K, Pool<C>>, key: K, create: () => C): C {
  let pool = pools.get(key);
  if (pool === undefined) {
    pool = { codecs: [], next: 0 };
    pools.set(key, pool);
  }
  const index = pool.next;
  pool.next = (index + 1) % POOL_SIZE;
  let codec = pool.codecs[index];
  if (codec === undefined) {
    codec = create();
    pool.codecs[index] = codec;
  }
  return codec;
}

/**
 * A shared compressor for these zlib settings; it resets its stream after every message. Never
 * close it: other sessions use it.
 */
export function sharedDeflater(settings: Omit<DeflaterSettings, 'noContextTakeover'>): MessageDeflater {
  const { level, memLevel, windowBits } = settings;
  return take(
    deflaters,
    `${level}/${memLevel}/${windowBits}`,
    () =>
      new MessageDeflater({
        level,
        memLevel,
        windowBits,
        noContextTakeover: true,
      }),
  );
}

/**
 * A shared inflater for a peer window of `windowBits`, for a peer that compresses each message on
 * its own; it resets its stream after every message. Never close it: other sessions use it.
 */
export function sharedInflater(windowBits: number): MessageInflater {
  return take(inflaters, windowBits, () => new MessageInflater({ windowBits, noContextTakeover: true }));
}
