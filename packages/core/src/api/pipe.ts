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
  on(event: 'drain', listener: () => void): unknown;
  removeListener(event: 'drain', listener: () => void): unknown;
}

/** Options of {@link pipeMessages}. */
export interface PipeOptions {
  /** Call `dest.end()` when the source ends. Default `true`. */
  end?: boolean;
}

/**
 * Legacy `Stream#pipe` for message emitters: every `data` event is written to `dest`; when
 * `dest.write` returns false the source is paused until `dest` emits `drain`, so a slow destination
 * never makes the source buffer without bound. `ws.pipe(ws)` is the faye echo idiom.
 */
export function pipeMessages<T extends MessageSink>(
  source: MessageSource,
  dest: T,
  options: PipeOptions = {},
): T {
  const sink = dest as unknown as { write(data: unknown): boolean; end?(): unknown };
  let waiting = false;
  const onDrain = (): void => {
    if (!waiting) return;
    waiting = false;
    source.resume();
  };
  const onData = (data: unknown): void => {
    if (sink.write(data) === false && !waiting) {
      waiting = true;
      source.pause();
    }
  };
  const onEnd = (): void => {
    cleanup();
    if (options.end !== false && typeof sink.end === 'function') sink.end();
  };
  const cleanup = (): void => {
    source.removeListener('data', onData);
    source.removeListener('end', onEnd);
    dest.removeListener('drain', onDrain);
  };
  source.on('data', onData);
  source.on('end', onEnd);
  dest.on('drain', onDrain);
  return dest;
}
