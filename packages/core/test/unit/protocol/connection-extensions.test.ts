import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import Extensions from 'websocket-extensions';
import { ErrorCode } from '../../../src/errors.js';
import { EngineState } from '../../../src/protocol/engine.js';
import type { Extension, ExtensionMessage, ExtensionPipeline } from '../../../src/protocol/extension.js';
import { Opcode } from '../../../src/protocol/opcode.js';
import { Role } from '../../../src/protocol/role.js';
import { clientFrame, closePayload, Harness, readFrames } from './engine-harness.js';

// npm permessage-deflate ships no types: it is the faye plugin users pass today, used as is.
const deflate = createRequire(import.meta.url)('permessage-deflate') as Extension;

/** A client and a server `Extensions`, negotiated as in a real handshake. */
function negotiate(options: { maxLength?: number } = {}) {
  const clientExtensions = new Extensions(options);
  clientExtensions.add(deflate);
  const serverExtensions = new Extensions(options);
  serverExtensions.add(deflate);
  const offer = clientExtensions.generateOffer();
  expect(offer).toContain('permessage-deflate');
  const response = serverExtensions.generateResponse(offer!);
  expect(response).toContain('permessage-deflate');
  clientExtensions.activate(response!);
  return { clientExtensions, serverExtensions };
}

/**
 * Two Connections wired back to back: whatever one queues is delivered to the other on a later
 * microtask, as a socket would. `wire` records every frame header byte seen in each direction.
 */
function backToBack(options: { serverMaxLength?: number } = {}) {
  const { clientExtensions, serverExtensions } = negotiate();
  const client = new Harness(Role.Client, { extensions: clientExtensions });
  const server = new Harness(Role.Server, {
    extensions: serverExtensions,
    ...(options.serverMaxLength === undefined ? {} : { maxLength: options.serverMaxLength }),
  });
  const wire = { toServer: [] as Buffer[], toClient: [] as Buffer[] };
  const pump = (from: Harness, to: Harness, log: Buffer[]) => {
    from.onOutgoing = () => {
      queueMicrotask(() => {
        const bytes = Buffer.concat(from.connection.takeOutgoing());
        if (bytes.length === 0) return;
        log.push(Buffer.from(bytes));
        to.connection.receiveData(bytes);
      });
    };
  };
  pump(client, server, wire.toServer);
  pump(server, client, wire.toClient);
  return { client, server, wire };
}

/** Waits until `predicate` holds, polling across event-loop turns (zlib works off-thread). */
async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('RFC 7692 permessage-deflate through npm websocket-extensions', () => {
  it('round-trips text and binary messages compressed, in order, both ways', async () => {
    const { client, server, wire } = backToBack();
    const big = Buffer.alloc(300_000, 'abcdefgh');
    client.connection.sendText('hello, compressed world');
    client.connection.sendBinary(big);
    client.connection.sendText('');
    client.connection.sendText('κόσμε'.repeat(100));
    expect(client.connection.pendingBytes).toBeGreaterThan(300_000);
    await until(() => server.events.length === 4, 'four messages at the server');
    expect(client.connection.pendingBytes).toBe(0);
    const received = server.take();
    expect(received[0]).toEqual({ type: 'message', data: 'hello, compressed world', binary: false });
    expect(received[1]?.type === 'message' && big.equals(received[1].data as Buffer)).toBe(true);
    expect(received[2]).toEqual({ type: 'message', data: '', binary: false });
    expect(received[3]).toEqual({ type: 'message', data: 'κόσμε'.repeat(100), binary: false });

    // Every data frame went out with RSV1 set and masked; the big one shrank on the wire.
    const frames = readFrames(Buffer.concat(wire.toServer));
    expect(frames.map((f) => [f.opcode, f.rsv, f.masked])).toEqual([
      [Opcode.Text, 0x40, true],
      [Opcode.Binary, 0x40, true],
      [Opcode.Text, 0x40, true],
      [Opcode.Text, 0x40, true],
    ]);
    expect(frames[1]!.payload.length).toBeLessThan(5000);

    server.connection.sendText('and back');
    await until(() => client.events.length === 1, 'the reply');
    expect(client.take()).toEqual([{ type: 'message', data: 'and back', binary: false }]);
  });

  it('sends the close frame after every message accepted before it, and completes the handshake', async () => {
    const { client, server, wire } = backToBack();
    for (let i = 0; i < 20; i++) client.connection.sendText(`message ${i}`);
    client.connection.sendClose(1000, 'done');
    expect(client.connection.state).toBe(EngineState.Closing);
    expect(client.connection.sendText('too late')).toBe(false);
    await until(() => client.connection.state === EngineState.Closed, 'the closing handshake');
    const events = server.take();
    expect(events.slice(0, 20)).toEqual(
      Array.from({ length: 20 }, (_, i) => ({ type: 'message', data: `message ${i}`, binary: false })),
    );
    expect(events[20]).toEqual({ type: 'close', code: 1000, reason: 'done' });
    expect(client.take()).toEqual([{ type: 'close', code: 1000, reason: 'done' }]);
    const toServer = readFrames(Buffer.concat(wire.toServer));
    expect(toServer.at(-1)?.opcode).toBe(Opcode.Close);
    expect(toServer.filter((f) => f.opcode === Opcode.Close)).toHaveLength(1);
  });

  it('reports the peer close only after the messages received before it are inflated', async () => {
    const { serverExtensions, clientExtensions } = negotiate();
    const server = new Harness(Role.Server, { extensions: serverExtensions });
    // The client side only compresses: collect its frames, then feed them with a close in one chunk.
    const client = new Harness(Role.Client, { extensions: clientExtensions });
    client.connection.sendText('first');
    client.connection.sendText('second');
    const compressed: Buffer[] = [];
    await until(() => {
      compressed.push(...client.connection.takeOutgoing());
      return client.connection.pendingBytes === 0;
    }, 'compression');
    server.receive(Buffer.concat([...compressed, clientFrame(Opcode.Close, closePayload(1001))]));
    await until(() => server.connection.state === EngineState.Closed, 'the close');
    expect(server.take()).toEqual([
      { type: 'message', data: 'first', binary: false },
      { type: 'message', data: 'second', binary: false },
      { type: 'close', code: 1001, reason: '' },
    ]);
    expect(readFrames(server.sent()).map((f) => f.opcode)).toEqual([Opcode.Close]);
  });

  it('fails with 1009 on a 1:1000 decompression bomb, checked on the inflated size', async () => {
    const { client, server, wire } = backToBack({ serverMaxLength: 1 << 20 });
    // 8 MiB of zeros deflate to about 8 KiB: well under maxLength on the wire, 8× over it inflated.
    client.connection.sendBinary(Buffer.alloc(8 << 20));
    await until(() => server.events.length > 0, 'the failure');
    expect(server.take()).toMatchObject([
      { type: 'fail', closeCode: 1009, code: ErrorCode.UnsupportedMessageLength },
    ]);
    const compressed = readFrames(Buffer.concat(wire.toServer))[0]!;
    expect(compressed.payload.length).toBeLessThan((8 << 20) / 1000);
    await until(() => client.events.length > 0, 'the close at the client');
    expect(client.take()).toMatchObject([{ type: 'close', code: 1009 }]);
  });

  it('fails with 1009 before inflating when the compressed message already exceeds maxLength', () => {
    const { serverExtensions } = negotiate();
    const server = new Harness(Role.Server, { extensions: serverExtensions, maxLength: 1000 });
    const random = randomBytes(4000);
    const payload = deflateRawSync(random).subarray(0, -4);
    expect(payload.length).toBeGreaterThan(1000);
    server.receive(clientFrame(Opcode.Binary, payload, { rsv: 0x40 }));
    // Synchronously: no inflation was started.
    expect(server.take()).toMatchObject([{ type: 'fail', closeCode: 1009 }]);
  });

  it('fails with 1010 when the extension cannot decode a message (websocket-driver 0.8 behaviour)', async () => {
    const { serverExtensions } = negotiate();
    const server = new Harness(Role.Server, { extensions: serverExtensions });
    server.receive(clientFrame(Opcode.Text, Buffer.from('not deflate data at all'), { rsv: 0x40 }));
    await until(() => server.events.length > 0, 'the failure');
    expect(server.take()).toMatchObject([{ type: 'fail', closeCode: 1010, code: ErrorCode.Extension }]);
    expect(readFrames(server.sent()).map((f) => f.payload.readUInt16BE(0))).toEqual([1010]);
  });

  it('fails with 1007 on invalid UTF-8 revealed by inflation', async () => {
    const { serverExtensions } = negotiate();
    const server = new Harness(Role.Server, { extensions: serverExtensions });
    const payload = deflateRawSync(Buffer.from('cebae1bdb9cf83cebcceb5eda080', 'hex')).subarray(0, -4);
    server.receive(clientFrame(Opcode.Text, payload, { rsv: 0x40 }));
    await until(() => server.events.length > 0, 'the failure');
    expect(server.take()).toMatchObject([{ type: 'fail', closeCode: 1007, code: ErrorCode.InvalidUtf8 }]);
  });

  it('accepts an uncompressed message (RSV1 clear) on a deflate connection', async () => {
    const { serverExtensions } = negotiate();
    const server = new Harness(Role.Server, { extensions: serverExtensions });
    server.receive(clientFrame(Opcode.Text, 'plain'));
    await until(() => server.events.length > 0, 'the message');
    expect(server.take()).toEqual([{ type: 'message', data: 'plain', binary: false }]);
  });

  it('fails with 1002 on RSV2, which permessage-deflate does not claim', () => {
    const { serverExtensions } = negotiate();
    const server = new Harness(Role.Server, { extensions: serverExtensions });
    server.receive(clientFrame(Opcode.Text, 'x', { rsv: 0x20 }));
    expect(server.take()).toMatchObject([
      { type: 'fail', closeCode: 1002, code: ErrorCode.UnexpectedRsv2Or3 },
    ]);
  });

  it('names RSV2 as the bit at fault on a compressed frame that also sets it', () => {
    const { serverExtensions } = negotiate();
    const server = new Harness(Role.Server, { extensions: serverExtensions });
    server.receive(clientFrame(Opcode.Text, 'x', { rsv: 0x60 }));
    expect(server.take()).toMatchObject([
      { type: 'fail', closeCode: 1002, code: ErrorCode.UnexpectedRsv2Or3, message: /RSV2 and RSV3/ },
    ]);
  });

  it('fails with 1002 on RSV1 on a ping, since extensions only claim data frames', () => {
    const { serverExtensions } = negotiate();
    const server = new Harness(Role.Server, { extensions: serverExtensions });
    server.receive(clientFrame(Opcode.Ping, 'x', { rsv: 0x40 }));
    expect(server.take()).toMatchObject([{ type: 'fail', closeCode: 1002, code: ErrorCode.UnexpectedRsv1 }]);
  });
});

/** A pipeline whose processing the test drives by hand. */
function manualPipeline() {
  const incoming: Array<[ExtensionMessage, (e: Error | null, m: ExtensionMessage | null) => void]> = [];
  const outgoing: Array<[ExtensionMessage, (e: Error | null, m: ExtensionMessage | null) => void]> = [];
  let closed = 0;
  const pipeline: ExtensionPipeline = {
    validFrameRsv: (f) => (f.opcode === 1 || f.opcode === 2) && !f.rsv2 && !f.rsv3,
    processIncomingMessage: (m, cb) => void incoming.push([m, cb]),
    processOutgoingMessage: (m, cb) => void outgoing.push([m, cb]),
    close: (cb) => {
      closed++;
      cb?.();
    },
  };
  return { pipeline, incoming, outgoing, closed: () => closed };
}

/** Counts the harness's `onEnd` calls. */
function countEnds(h: Harness): () => number {
  let ends = 0;
  h.onEnd = () => {
    ends++;
  };
  return () => ends;
}

describe('Extension pipeline contract', () => {
  it('maps an extension error type to its close code, as websocket-driver 0.8 does', () => {
    for (const [type, code] of [
      ['too_large', 1009],
      ['encoding_error', 1007],
      [1008, 1008],
      ['no_such_type', 1010],
      [999, 1010],
    ] as const) {
      const p = manualPipeline();
      const h = new Harness(Role.Server, { extensions: p.pipeline });
      h.receive(clientFrame(Opcode.Binary, 'x', { rsv: 0x40 }));
      p.incoming[0]![1](Object.assign(new Error('nope'), { type }), null);
      expect(h.take()).toMatchObject([{ type: 'fail', closeCode: code, code: ErrorCode.Extension }]);
      expect(p.closed()).toBe(1);
    }
  });

  it('fails with 1011 when an extension returns no message', () => {
    const p = manualPipeline();
    const h = new Harness(Role.Server, { extensions: p.pipeline });
    h.receive(clientFrame(Opcode.Binary, 'x'));
    p.incoming[0]![1](null, null);
    expect(h.take()).toMatchObject([{ type: 'fail', closeCode: 1011, code: ErrorCode.Internal }]);
    expect(readFrames(h.sent())[0]!.payload.length).toBe(2);
  });

  it('keeps outgoing order when the pipeline completes, and holds pre-encoded frames and the close behind it', () => {
    const p = manualPipeline();
    const h = new Harness(Role.Server, { extensions: p.pipeline });
    h.connection.sendText('a');
    h.connection.sendEncoded([Buffer.from([0x81, 0x01, 0x62])]);
    h.connection.sendBinary(new Uint8Array([1, 2]));
    h.connection.sendPing(Buffer.from('p'));
    h.connection.sendClose(1000);
    // Control frames may overtake data in the pipeline (§5.4); nothing else may.
    expect(readFrames(h.sent()).map((f) => f.opcode)).toEqual([Opcode.Ping]);
    expect(h.connection.pendingBytes).toBe(3 + 1 + 2 + 4);
    const [[m1, cb1], [m2, cb2]] = p.outgoing as [(typeof p.outgoing)[0], (typeof p.outgoing)[0]];
    cb1(null, { ...m1, rsv1: true });
    expect(h.outgoingCalls).toBe(2);
    expect(readFrames(h.sent()).map((f) => [f.opcode, f.rsv, f.payload.toString('hex')])).toEqual([
      [Opcode.Text, 0x40, '61'],
      [Opcode.Text, 0, '62'],
    ]);
    cb2(null, m2);
    expect(readFrames(h.sent()).map((f) => f.opcode)).toEqual([Opcode.Binary, Opcode.Close]);
    expect(h.connection.pendingBytes).toBe(0);
  });

  it('fails from an outgoing extension error and drops what was in flight', () => {
    const p = manualPipeline();
    const h = new Harness(Role.Client, { extensions: p.pipeline });
    h.connection.sendText('a');
    h.connection.sendText('b');
    p.outgoing[0]![1](new Error('deflate broke'), null);
    expect(h.take()).toMatchObject([{ type: 'fail', closeCode: 1010 }]);
    p.outgoing[1]![1](null, p.outgoing[1]![0]);
    expect(readFrames(h.sent()).map((f) => f.opcode)).toEqual([Opcode.Close]);
    expect(h.connection.pendingBytes).toBe(0);
  });

  it('fails with 1011 when the pipeline throws while sending', () => {
    const p = manualPipeline();
    p.pipeline.processOutgoingMessage = () => {
      throw new Error('no pipeline');
    };
    const h = new Harness(Role.Server, { extensions: p.pipeline });
    expect(h.connection.sendText('a')).toBe(true);
    expect(h.take()).toMatchObject([{ type: 'fail', closeCode: 1011 }]);
  });

  it('delivers a message received before EOF that was still decoding, then ends', () => {
    const p = manualPipeline();
    const h = new Harness(Role.Server, { extensions: p.pipeline });
    const ends = countEnds(h);
    h.receive(clientFrame(Opcode.Text, 'x'));
    h.connection.receiveEof();
    expect(h.connection.state).toBe(EngineState.Open);
    expect(p.closed()).toBe(0);
    // Bytes after the end of stream are not read.
    h.receive(clientFrame(Opcode.Text, 'late'));
    expect(p.incoming).toHaveLength(1);
    p.incoming[0]![1](null, p.incoming[0]![0]);
    expect(h.take()).toEqual([{ type: 'message', data: 'x', binary: false }]);
    expect(h.connection.state).toBe(EngineState.Closed);
    expect(ends()).toBe(1);
    expect(p.closed()).toBe(1);
  });

  // RFC 6455 §7.1.7: after a violation an endpoint "MUST NOT continue to attempt to process data".
  it('handles a frame behind a decoding message only once that message is delivered', () => {
    const p = manualPipeline();
    const h = new Harness(Role.Server, { extensions: p.pipeline });
    h.receive(Buffer.concat([clientFrame(Opcode.Text, 'x'), clientFrame(0x3, 'reserved opcode')]));
    expect(h.take()).toEqual([]);
    expect(h.sent()).toHaveLength(0);
    p.incoming[0]![1](null, p.incoming[0]![0]);
    expect(h.take()).toMatchObject([
      { type: 'message', data: 'x', binary: false },
      { type: 'fail', closeCode: 1002, code: ErrorCode.InvalidOpcode },
    ]);
  });

  it('answers a ping behind a decoding message after it, and not at all when the message fails', () => {
    const p = manualPipeline();
    const h = new Harness(Role.Server, { extensions: p.pipeline });
    h.receive(Buffer.concat([clientFrame(Opcode.Text, 'x'), clientFrame(Opcode.Ping, 'p')]));
    expect(h.sent()).toHaveLength(0);
    p.incoming[0]![1](null, p.incoming[0]![0]);
    expect(readFrames(h.sent()).map((f) => f.opcode)).toEqual([Opcode.Pong]);

    const q = manualPipeline();
    const failing = new Harness(Role.Server, { extensions: q.pipeline });
    failing.receive(Buffer.concat([clientFrame(Opcode.Text, 'bomb'), clientFrame(Opcode.Ping, 'p')]));
    q.incoming[0]![1](Object.assign(new Error('too big once inflated'), { type: 'too_large' }), null);
    expect(failing.take()).toMatchObject([{ type: 'fail', closeCode: 1009 }]);
    expect(readFrames(failing.sent()).map((f) => f.opcode)).toEqual([Opcode.Close]);
  });

  it('reads the frames that arrived behind a decoding message, one message at a time', () => {
    const p = manualPipeline();
    const h = new Harness(Role.Server, { extensions: p.pipeline });
    h.receive(Buffer.concat(['a', 'b', 'c'].map((text) => clientFrame(Opcode.Text, text))));
    for (const text of ['a', 'b', 'c']) {
      expect(p.incoming).toHaveLength(1);
      const [message, done] = p.incoming.shift()!;
      done(null, message);
      expect(h.take()).toEqual([{ type: 'message', data: text, binary: false }]);
    }
    expect(p.incoming).toHaveLength(0);
  });

  it('completes a close frame that waited behind a decoding message when EOF came after both', () => {
    const p = manualPipeline();
    const h = new Harness(Role.Server, { extensions: p.pipeline });
    const ends = countEnds(h);
    h.receive(Buffer.concat([clientFrame(Opcode.Text, 'x'), clientFrame(Opcode.Close, closePayload(1000))]));
    h.connection.receiveEof();
    p.incoming[0]![1](null, p.incoming[0]![0]);
    expect(h.take()).toEqual([
      { type: 'message', data: 'x', binary: false },
      { type: 'close', code: 1000, reason: '' },
    ]);
    expect(ends()).toBe(0);
    expect(readFrames(h.sent()).map((f) => f.opcode)).toEqual([Opcode.Close]);
  });

  it('sends the messages it accepted before the peer violated the protocol, then the close frame', () => {
    const p = manualPipeline();
    const h = new Harness(Role.Server, { extensions: p.pipeline });
    h.connection.sendText('accepted');
    h.receive(clientFrame(0x3, 'reserved opcode'));
    expect(h.take()).toMatchObject([{ type: 'fail', closeCode: 1002 }]);
    expect(h.sent()).toHaveLength(0);
    expect(h.connection.pendingBytes).toBeGreaterThan(0);
    p.outgoing[0]![1](null, p.outgoing[0]![0]);
    expect(readFrames(h.sent()).map((f) => f.opcode)).toEqual([Opcode.Text, Opcode.Close]);
    expect(h.connection.pendingBytes).toBe(0);
  });

  it('sends its close frame at once when the extension fails on a message it was sending', () => {
    const p = manualPipeline();
    const h = new Harness(Role.Server, { extensions: p.pipeline });
    h.connection.sendText('first');
    h.connection.sendText('second');
    h.receive(clientFrame(0x3, 'reserved opcode'));
    p.outgoing[0]![1](new Error('deflate failed'), null);
    expect(readFrames(h.sent()).map((f) => f.opcode)).toEqual([]);
    p.outgoing[1]![1](null, p.outgoing[1]![0]);
    // The failed message is lost; the one behind it and the close frame still go out.
    expect(readFrames(h.sent()).map((f) => f.opcode)).toEqual([Opcode.Text, Opcode.Close]);
  });

  it('counts no message in flight once it failed from this side, so the driver reads on to the FIN', () => {
    const p = manualPipeline();
    const h = new Harness(Role.Server, { extensions: p.pipeline });
    h.receive(clientFrame(Opcode.Text, 'x'));
    expect(h.connection.incomingInFlight).toBe(1);
    h.connection.fail(1011);
    expect(h.connection.incomingInFlight).toBe(0);
    p.incoming[0]![1](null, p.incoming[0]![0]);
    expect(h.connection.incomingInFlight).toBe(0);
    expect(h.take()).toEqual([]);
  });

  it('drops results that arrive after destroy()', () => {
    const p = manualPipeline();
    const h = new Harness(Role.Server, { extensions: p.pipeline });
    h.receive(clientFrame(Opcode.Text, 'x'));
    h.connection.receiveEof();
    h.connection.destroy();
    p.incoming[0]![1](null, p.incoming[0]![0]);
    expect(h.take()).toEqual([]);
    expect(h.connection.state).toBe(EngineState.Closed);
    expect(p.closed()).toBe(1);
  });

  it('survives a pipeline whose close throws', () => {
    const p = manualPipeline();
    p.pipeline.close = () => {
      throw new Error('close failed');
    };
    const h = new Harness(Role.Server, { extensions: p.pipeline });
    h.receive(clientFrame(Opcode.Close));
    expect(h.take()).toEqual([{ type: 'close', code: 1005, reason: '' }]);
  });
});
