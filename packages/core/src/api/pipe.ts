import type { EventEmitter } from 'node:events';

/** A message source as {@link pipeMessages} drives it: emits `data` and `end`, can pause and resume. */
export interface MessageSource extends EventEmitter {
  pause(): unknown;
  resume(): unknown;
}

/** A destination: a writable stream, or another WebSocket (`write` returns false to ask for a pause). */
export interface MessageSink {
  write(data: never): boolean;
  end?(...args: never[]): unknown;
  /** False once the destination takes nothing more (a closed WebSocket, an ended stream). */
  readonly writable?: boolean;
  on(event: 'drain' | 'close', listener: () => void): unknown;
  removeListener(event: 'drain' | 'close', listener: () => void): unknown;
}

/** Options of {@link pipeMessages}. */
export interface PipeOptions {
  /** Call `dest.end()` when the source ends. Default `true`. */
  end?: boolean;
}

/**
 * Legacy `Stream#pipe` for message emitters: every `data` event is written to `dest`; when
 * `dest.write` returns false the source is paused until `dest` emits `drain`, so a slow destination
 * never makes the source buffer without bound. `ws.pipe(ws)` is the faye echo idiom. `dest` gets
 * a `pipe` event with the source as its argument, as from Node's `pipe()`.
 *
 * As Node's legacy `pipe()` (which faye's sockets inherit), a destination that is no longer
 * `writable` is skipped rather than written to: its `write` would return false for a `drain` that
 * never comes, and the source would stop reading for good. A destination that closes while the
 * source waits for its `drain` ends the pipe and lets the source read again.
 */
export function pipeMessages<T extends MessageSink>(
  source: MessageSource,
  dest: T,
  options: PipeOptions = {},
): T {
  const sink = dest as unknown as { write(data: unknown): boolean; end?(): unknown; writable?: boolean };
  let waiting = false;
  const onDrain = (): void => {
    if (!waiting) return;
    waiting = false;
    source.resume();
  };
  const onData = (data: unknown): void => {
    if (sink.writable === false) return;
    if (sink.write(data) === false && !waiting) {
      waiting = true;
      source.pause();
    }
  };
  const onClose = (): void => {
    cleanup();
    onDrain();
  };
  const onEnd = (): void => {
    cleanup();
    if (options.end !== false && typeof sink.end === 'function') sink.end();
  };
  const cleanup = (): void => {
    source.removeListener('data', onData);
    source.removeListener('end', onEnd);
    dest.removeListener('drain', onDrain);
    dest.removeListener('close', onClose);
  };
  source.on('data', onData);
  source.on('end', onEnd);
  dest.on('drain', onDrain);
  dest.on('close', onClose);
  // As Node's `pipe()` (legacy and Readable): the destination hears of its new source, which a
  // Writable's `pipe` listener (and faye's sockets, through the legacy `Stream#pipe`) relies on.
  const emitter = dest as unknown as { emit?: (event: string, source: MessageSource) => unknown };
  if (typeof emitter.emit === 'function') emitter.emit('pipe', source);
  return dest;
}
