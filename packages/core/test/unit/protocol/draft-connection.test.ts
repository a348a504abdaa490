import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, type ProtocolError } from '../../../src/errors.js';
import { nodeDigest } from '../../../src/node/digest.js';
import { DraftConnection, type DraftConnectionOptions } from '../../../src/protocol/draft-connection.js';
import { type EngineHandler, EngineState } from '../../../src/protocol/engine.js';
import { draftKeyNumber } from '../../../src/protocol/handshake-server.js';

// websocket-driver's draft76_spec fixtures.
const KEY1 = '1   38 wZ3f9 23O0 3l 0r';
const KEY2 = '27   0E 6 2  1665:< ;U 1H';
const BODY = Buffer.from([0x91, 0x25, 0x3e, 0xd3, 0xa9, 0xe7, 0x6a, 0x88]);
const ANSWER = Buffer.from([
  0xb4, 0x9c, 0x6e, 0x40, 0x53, 0x04, 0x04, 0x26, 0xe5, 0x1b, 0xbf, 0x6c, 0xb7, 0x9f, 0x1d, 0xf9,
]);
const CHALLENGE = { key1: draftKeyNumber(KEY1), key2: draftKeyNumber(KEY2) };

type Event =
  | ['message', string]
  | ['close', number, string]
  | ['fail', number, string, string]
  | ['open']
  | ['outgoing'];

class Recorder implements EngineHandler {
  events: Event[] = [];
  onMessage(data: string | Buffer, binary: boolean): void {
    expect(binary).toBe(false);
    this.events.push(['message', data as string]);
  }
  onPing(): void {
    throw new Error('drafts have no ping');
  }
  onPong(): void {
    throw new Error('drafts have no pong');
  }
  onClose(code: number, reason: string): void {
    this.events.push(['close', code, reason]);
  }
  onFail(error: ProtocolError): void {
    this.events.push(['fail', error.closeCode, error.code, error.message]);
  }
  onOutgoing(): void {
    this.events.push(['outgoing']);
  }
  of(kind: Event[0]): Event[] {
    return this.events.filter((event) => event[0] === kind);
  }
}

function draft(version: 'hixie-75' | 'hixie-76', options: Partial<DraftConnectionOptions> = {}) {
  const handler = new Recorder();
  const connection = new DraftConnection(handler, {
    version,
    ...(version === 'hixie-76' ? { challenge: CHALLENGE, digest: nodeDigest } : {}),
    onOpen: () => handler.events.push(['open']),
    ...options,
  });
  return { handler, connection };
}

/** A hixie-76 connection that has received its key bytes and whose answer was taken. */
function open76(options: Partial<DraftConnectionOptions> = {}) {
  const result = draft('hixie-76', options);
  result.connection.receiveData(BODY);
  result.connection.takeOutgoing();
  result.handler.events = [];
  return result;
}

function bytes(...parts: Array<number[] | string>): Buffer {
  return Buffer.concat(
    parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))),
  );
}

function out(connection: DraftConnection): Buffer {
  return Buffer.concat(connection.takeOutgoing());
}

describe.each(['hixie-75', 'hixie-76'] as const)('%s framing (draft75_examples)', (version) => {
  const make = () => (version === 'hixie-75' ? draft(version) : open76());

  it('parses a text frame', () => {
    const { handler, connection } = make();
    connection.receiveData(bytes([0x00], 'Hello', [0xff]));
    expect(handler.of('message')).toEqual([['message', 'Hello']]);
  });

  it('parses two frames in one packet', () => {
    const { handler, connection } = make();
    connection.receiveData(bytes([0x00], 'Hello', [0xff, 0x00], 'World', [0xff]));
    expect(handler.of('message')).toEqual([
      ['message', 'Hello'],
      ['message', 'World'],
    ]);
  });

  it('parses text frames whose type byte is any value below 0x80', () => {
    const { handler, connection } = make();
    connection.receiveData(bytes([0x66], 'Hi', [0xff, 0x7f, 0xff]));
    expect(handler.of('message')).toEqual([
      ['message', 'Hi'],
      ['message', ''],
    ]);
  });

  it('skips length-prefixed frames, then parses the next text frame', () => {
    const { handler, connection } = make();
    connection.receiveData(bytes([0x80, 0x02, 0x41, 0x42, 0x00], 'Hello', [0xff]));
    connection.receiveData(bytes([0x81, 0x81, 0x01], 'x'.repeat(129), [0x00], 'After', [0xff]));
    expect(handler.of('message')).toEqual([
      ['message', 'Hello'],
      ['message', 'After'],
    ]);
  });

  it('skips an empty length-prefixed frame', () => {
    const { handler, connection } = make();
    connection.receiveData(bytes([0x80, 0x00, 0x00], 'Hi', [0xff]));
    expect(handler.of('message')).toEqual([['message', 'Hi']]);
  });

  it('decodes multibyte UTF-8, split anywhere', () => {
    const { handler, connection } = make();
    const frame = bytes([0x00], 'Apple = \uf8ff', [0xff]);
    for (const byte of frame) connection.receiveData(Buffer.from([byte]));
    expect(handler.of('message')).toEqual([['message', 'Apple = \uf8ff']]);
  });

  it('replaces invalid UTF-8 with U+FFFD (the drafts define no failure)', () => {
    const { handler, connection } = make();
    connection.receiveData(bytes([0x00, 0xc3, 0x28, 0xff]));
    expect(handler.of('message')).toEqual([['message', '\ufffd(']]);
  });

  it('frames outgoing text as 00 <utf8> FF', () => {
    const { connection } = make();
    expect(connection.sendText('Hello')).toBe(true);
    expect(connection.sendText('\uf8ff')).toBe(true);
    expect(out(connection)).toEqual(bytes([0x00], 'Hello', [0xff, 0x00], '\uf8ff', [0xff]));
  });

  it('has no binary, ping or pong', () => {
    const { connection } = make();
    expect(connection.sendBinary(Buffer.from('x'))).toBe(false);
    expect(connection.sendPing()).toBe(false);
    expect(connection.sendPong(Buffer.from('x'))).toBe(false);
    expect(connection.takeOutgoing()).toEqual([]);
  });

  it('calls onOutgoing when the queue stops being empty, once per receiveData', () => {
    const { handler, connection } = make();
    connection.sendText('a');
    connection.sendText('b');
    expect(handler.of('outgoing')).toHaveLength(1);
    connection.takeOutgoing();
    connection.sendText('c');
    expect(handler.of('outgoing')).toHaveLength(2);
  });

  it('fails with 1009 on a text frame longer than maxLength, even before its end', () => {
    const { handler, connection } =
      version === 'hixie-75' ? draft(version, { maxLength: 4 }) : open76({ maxLength: 4 });
    connection.receiveData(bytes([0x00], 'abcd', [0xff, 0x00], 'abc'));
    connection.receiveData(bytes('de'));
    expect(handler.of('message')).toEqual([['message', 'abcd']]);
    expect(handler.of('fail')).toEqual([
      ['fail', 1009, ErrorCode.UnsupportedMessageLength, 'WebSocket frame length too large'],
    ]);
    expect(connection.state).toBe(EngineState.Closed);
    connection.receiveData(bytes([0x00], 'x', [0xff]));
    expect(handler.of('message')).toHaveLength(1);
    expect(out(connection)).toEqual(version === 'hixie-76' ? Buffer.from([0xff, 0x00]) : Buffer.alloc(0));
  });

  // CVE-2026-54466: an endless run of length digits must not grow the accumulator unbounded.
  it('bounds the length-prefix accumulator by maxLength (CVE-2026-54466)', () => {
    const { handler, connection } =
      version === 'hixie-75' ? draft(version, { maxLength: 1000 }) : open76({ maxLength: 1000 });
    connection.receiveData(bytes([0x80, 0x87]));
    expect(handler.of('fail')).toEqual([]);
    connection.receiveData(bytes([0xe8])); // 7 * 128 + 0x68 = 1000: still within bounds
    expect(handler.of('fail')).toEqual([]);
    connection.receiveData(bytes([0xff]));
    expect(handler.of('fail')).toEqual([
      ['fail', 1009, ErrorCode.UnsupportedMessageLength, 'WebSocket frame length too large'],
    ]);
  });

  it('fails at once on megabytes of 0xFF length digits with the default maxLength', () => {
    const { handler, connection } = make();
    connection.receiveData(Buffer.concat([Buffer.from([0x80]), Buffer.alloc(1 << 20, 0xff)]));
    expect(handler.of('fail')).toHaveLength(1);
    expect(connection.state).toBe(EngineState.Closed);
  });

  it('gives the same events for any split of the stream', () => {
    const stream = bytes(
      [0x00],
      'one',
      [0xff, 0x80, 0x03, 0x01, 0x02, 0x03, 0x42],
      'two\u00e9',
      [0xff, 0x80, 0x81, 0x00],
      'z'.repeat(128),
      [0x00, 0xff],
    );
    const run = (chunks: Buffer[]) => {
      const { handler, connection } = make();
      for (const chunk of chunks) connection.receiveData(Buffer.from(chunk));
      return handler.of('message');
    };
    const whole = run([stream]);
    expect(whole).toEqual([
      ['message', 'one'],
      ['message', 'two\u00e9'],
      ['message', ''],
    ]);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 20 }),
        (cuts) => {
          const points = [0, ...cuts.sort((a, b) => a - b), stream.length];
          const chunks = points.slice(1).map((end, i) => stream.subarray(points[i], end));
          expect(run(chunks)).toEqual(whole);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('ignores input after end of stream', () => {
    const { handler, connection } = make();
    connection.receiveEof();
    connection.receiveData(bytes([0x00], 'x', [0xff]));
    expect(handler.of('message')).toEqual([]);
    expect(connection.state).toBe(EngineState.Closed);
  });
});

describe('hixie-75 lifecycle', () => {
  it('is ready from the start and never calls onOpen', () => {
    const { handler, connection } = draft('hixie-75');
    expect(connection.ready).toBe(true);
    expect(connection.version).toBe('hixie-75');
    expect(connection.state).toBe(EngineState.Open);
    connection.receiveData(bytes([0x00], 'x', [0xff]));
    expect(handler.of('open')).toEqual([]);
  });

  it('closes without a closing handshake: nothing sent, onClose(1005) at once', () => {
    const { handler, connection } = draft('hixie-75');
    expect(connection.sendClose(1000, 'bye')).toBe(true);
    expect(handler.events).toEqual([['close', 1005, '']]);
    expect(connection.takeOutgoing()).toEqual([]);
    expect(connection).toMatchObject({ state: EngineState.Closed, closeSent: true, closeReceived: true });
    expect(connection.sendClose()).toBe(false);
    expect(connection.sendText('late')).toBe(false);
  });

  it('treats FF 00 as an empty length-prefixed frame, not a close', () => {
    const { handler, connection } = draft('hixie-75');
    connection.receiveData(bytes([0xff, 0x00, 0x00], 'still open', [0xff]));
    expect(handler.of('close')).toEqual([]);
    expect(handler.of('message')).toEqual([['message', 'still open']]);
  });

  it('fail() stops input and sends nothing', () => {
    const { handler, connection } = draft('hixie-75');
    connection.fail(1011);
    connection.receiveData(bytes([0x00], 'x', [0xff]));
    expect(handler.events).toEqual([]);
    expect(connection.takeOutgoing()).toEqual([]);
    expect(connection.state).toBe(EngineState.Closed);
    connection.fail(1011);
  });
});

describe('hixie-76 opening: the challenge answer (draft76_spec)', () => {
  it('answers the eight key bytes with the MD5 of the spec, then opens', () => {
    const { handler, connection } = draft('hixie-76');
    expect(connection.ready).toBe(false);
    expect(connection.version).toBe('hixie-76');
    connection.receiveData(BODY);
    expect(out(connection)).toEqual(ANSWER);
    // Inside receiveData, onOutgoing comes once at the end, after whatever onOpen queued.
    expect(handler.events).toEqual([['open'], ['outgoing']]);
    expect(connection.ready).toBe(true);
  });

  it('waits for key bytes arriving in pieces (HAProxy delays them)', () => {
    const { handler, connection } = draft('hixie-76');
    connection.receiveData(Buffer.alloc(0));
    connection.receiveData(BODY.subarray(0, 3));
    connection.receiveData(BODY.subarray(3, 7));
    expect(handler.events).toEqual([]);
    expect(connection.takeOutgoing()).toEqual([]);
    connection.receiveData(BODY.subarray(7));
    expect(out(connection)).toEqual(ANSWER);
    expect(handler.of('open')).toHaveLength(1);
  });

  it('queues messages sent before the key bytes after the answer, counting them as pending', () => {
    const { handler, connection } = draft('hixie-76');
    expect(connection.sendText('hello')).toBe(true);
    expect(connection.pendingBytes).toBe(7);
    expect(connection.takeOutgoing()).toEqual([]);
    expect(handler.of('outgoing')).toEqual([]);
    connection.receiveData(BODY);
    expect(connection.pendingBytes).toBe(0);
    expect(out(connection)).toEqual(Buffer.concat([ANSWER, bytes([0x00], 'hello', [0xff])]));
  });

  it('delivers frames that follow the key bytes after onOpen', () => {
    const { handler, connection } = draft('hixie-76');
    connection.receiveData(Buffer.concat([BODY, bytes([0x00], 'Hi', [0xff])]));
    expect(handler.events).toEqual([['open'], ['message', 'Hi'], ['outgoing']]);
  });

  it('lets onOpen fail the connection before the following frames', () => {
    const handler = new Recorder();
    const connection: DraftConnection = new DraftConnection(handler, {
      version: 'hixie-76',
      challenge: CHALLENGE,
      digest: nodeDigest,
      onOpen: () => connection.fail(1001),
    });
    connection.receiveData(Buffer.concat([BODY, bytes([0x00], 'Hi', [0xff])]));
    expect(handler.of('message')).toEqual([]);
    expect(out(connection)).toEqual(Buffer.concat([ANSWER, Buffer.from([0xff, 0x00])]));
  });

  it('closes before the key bytes without sending anything, dropping queued messages', () => {
    const { handler, connection } = draft('hixie-76');
    connection.sendText('never');
    expect(connection.sendClose()).toBe(true);
    expect(handler.events).toEqual([['close', 1005, '']]);
    expect(connection.pendingBytes).toBe(0);
    connection.receiveData(BODY);
    expect(connection.takeOutgoing()).toEqual([]);
    expect(handler.of('open')).toEqual([]);
  });

  it('fails before the key bytes without sending anything', () => {
    const { connection } = draft('hixie-76');
    connection.sendText('never');
    connection.fail(1001);
    connection.receiveData(BODY);
    expect(connection.takeOutgoing()).toEqual([]);
    expect(connection.pendingBytes).toBe(0);
  });

  it('needs the challenge and a digest', () => {
    const handler = new Recorder();
    expect(() => new DraftConnection(handler, { version: 'hixie-76' })).toThrow(TypeError);
    expect(() => new DraftConnection(handler, { version: 'hixie-76', challenge: CHALLENGE })).toThrow(
      TypeError,
    );
    expect(() => new DraftConnection(handler, { version: 'hybi-13' as 'hixie-75' })).toThrow(
      'Invalid draft version: hybi-13',
    );
    expect(
      () => new DraftConnection(handler, { version: 'hixie-75', mask: true } as DraftConnectionOptions),
    ).toThrow('Unrecognized option: mask');
  });
});

describe('hixie-76 closing', () => {
  it('answers the peer FF 00 with FF 00 and reports 1005', () => {
    const { handler, connection } = open76();
    connection.receiveData(bytes([0xff, 0x00, 0x00], 'after', [0xff]));
    expect(handler.events).toEqual([['close', 1005, ''], ['outgoing']]);
    expect(out(connection)).toEqual(Buffer.from([0xff, 0x00]));
    expect(connection).toMatchObject({ state: EngineState.Closed, closeSent: true, closeReceived: true });
    expect(connection.sendText('late')).toBe(false);
  });

  it('sends FF 00 on sendClose and waits for the peer', () => {
    const { handler, connection } = open76();
    expect(connection.sendClose(1000, 'ignored')).toBe(true);
    expect(out(connection)).toEqual(Buffer.from([0xff, 0x00]));
    expect(connection.state).toBe(EngineState.Closing);
    expect(connection.sendClose()).toBe(false);
    expect(connection.sendText('late')).toBe(false);
    connection.receiveData(bytes([0x00], 'in flight', [0xff]));
    connection.receiveData(bytes([0xff, 0x00]));
    expect(handler.events).toEqual([['outgoing'], ['message', 'in flight'], ['close', 1005, '']]);
    expect(connection.takeOutgoing()).toEqual([]);
    expect(connection.state).toBe(EngineState.Closed);
  });

  it('skips a non-empty FF frame instead of closing', () => {
    const { handler, connection } = open76();
    connection.receiveData(bytes([0xff, 0x01, 0x61, 0x00], 'x', [0xff]));
    expect(handler.events).toEqual([['message', 'x']]);
  });

  it('fail() sends FF 00 once', () => {
    const { connection } = open76();
    connection.fail(1011);
    connection.fail(1011);
    expect(out(connection)).toEqual(Buffer.from([0xff, 0x00]));
    expect(connection.state).toBe(EngineState.Closed);
  });

  it('fail() after sendClose sends nothing more', () => {
    const { connection } = open76();
    connection.sendClose();
    connection.takeOutgoing();
    connection.fail(1011);
    expect(connection.takeOutgoing()).toEqual([]);
  });
});
