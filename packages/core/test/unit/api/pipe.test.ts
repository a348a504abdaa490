import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type PipeOptions, pipeMessages } from '../../../src/api/pipe.js';

class Source extends EventEmitter {
  paused = false;
  pause() {
    this.paused = true;
  }
  resume() {
    this.paused = false;
  }
}

class Sink extends EventEmitter {
  writable = true;
  written: unknown[] = [];
  ended = 0;
  full = false;
  write(data: unknown): boolean {
    this.written.push(data);
    return !this.full;
  }
  end() {
    this.ended++;
  }
}

/** A source piped into a fresh sink. */
function piped(options?: PipeOptions): { source: Source; sink: Sink } {
  const source = new Source();
  const sink = new Sink();
  pipeMessages(source, sink, options);
  return { source, sink };
}

/** Makes the sink refuse writes and sends one message, which pauses the source. */
function fill({ source, sink }: { source: Source; sink: Sink }): void {
  sink.full = true;
  source.emit('data', 1);
  expect(source.paused).toBe(true);
}

describe('pipeMessages', () => {
  it('writes every data event and ends the destination on end', () => {
    const source = new Source();
    const sink = new Sink();
    expect(pipeMessages(source, sink)).toBe(sink);
    source.emit('data', 'a');
    source.emit('data', Buffer.from('b'));
    source.emit('end');
    expect(sink.written).toEqual(['a', Buffer.from('b')]);
    expect(sink.ended).toBe(1);
    source.emit('data', 'after end');
    expect(sink.written).toHaveLength(2);
  });

  it("emits pipe on the destination with the source, as Node's pipe() (and faye's legacy Stream#pipe)", () => {
    const source = new Source();
    const dest = new PassThrough({ objectMode: true });
    const sources: unknown[] = [];
    dest.on('pipe', (from) => sources.push(from));
    pipeMessages(source, dest);
    expect(sources).toEqual([source]);
    source.emit('data', 'a');
    expect(dest.read()).toBe('a');
    dest.destroy();
  });

  it('pauses the source while the destination is full and resumes on drain', () => {
    const { source, sink } = piped();
    fill({ source, sink });
    sink.full = false;
    sink.emit('drain');
    expect(source.paused).toBe(false);
  });

  it('skips a destination that is no longer writable instead of pausing the source for good', () => {
    const { source, sink } = piped();
    sink.writable = false;
    sink.full = true;
    source.emit('data', 'to a closed socket');
    expect(sink.written).toEqual([]);
    expect(source.paused).toBe(false);
  });

  it('lets the source read again when the destination closes while it waits for drain', () => {
    const { source, sink } = piped();
    fill({ source, sink });
    sink.emit('close');
    expect(source.paused).toBe(false);
    source.emit('data', 2);
    expect(sink.written).toEqual([1]);
  });

  it('does not end the destination with end: false', () => {
    const { source, sink } = piped({ end: false });
    source.emit('end');
    expect(sink.ended).toBe(0);
  });
});
