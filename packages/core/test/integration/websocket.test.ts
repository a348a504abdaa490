import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { expectNoEscapes, trapEscapedErrors } from '../../../../test-support/hardening/resources.js';
import {
  type CloseEvent,
  type ErrorEvent,
  encodeFrame,
  type MessageEvent,
  Opcode,
  ProtocolError,
  WebSocket,
} from '../../src/index.js';
import { cleanup, messages, next, open, TestWebSocket, tcpPair, wsPair } from './socket-pair.js';

afterEach(cleanup);

/** A masked client frame, as a raw peer would write it. */
function clientFrame(opcode: Opcode, payload: Buffer | string, fin = true): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return Buffer.concat(encodeFrame(opcode, data, { mask: true, fin }));
}

describe('readyState', () => {
  it('has the constants on the class and on instances', () => {
    const ws = new TestWebSocket('server');
    expect([WebSocket.CONNECTING, WebSocket.OPEN, WebSocket.CLOSING, WebSocket.CLOSED]).toEqual([0, 1, 2, 3]);
    expect([ws.CONNECTING, ws.OPEN, ws.CLOSING, ws.CLOSED]).toEqual([0, 1, 2, 3]);
    expect(ws.readyState).toBe(WebSocket.CONNECTING);
  });

  it('goes OPEN on openWebSocket, with protocol and version set, and fires open', async () => {
    const { serverSocket } = await tcpPair();
    const ws = new TestWebSocket('server');
    const opened = next(ws, 'open');
    open(ws, serverSocket, 'server');
    await opened;
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(ws.protocol).toBe('chat');
    expect(ws.version).toBe('hybi-13');
  });
});

describe('send', () => {
  it('sends strings as text and Buffers, ArrayBuffers, typed arrays and DataViews as binary', async () => {
    const { server, client } = await wsPair();
    const received = messages(server, 6);
    client.send('héllo');
    client.send(Buffer.from([1, 2, 3]));
    client.send(new Uint8Array([4, 5]).buffer);
    client.send(new Uint16Array([0x0102]));
    client.send(new DataView(new Uint8Array([9, 8, 7]).buffer, 1, 2));
    client.send(new Uint8Array([10, 11, 12, 13]).subarray(1, 3));
    const data = await received;
    expect(data[0]).toBe('héllo');
    expect(data.slice(1).map((d) => [...(d as Buffer)])).toEqual([
      [1, 2, 3],
      [4, 5],
      [2, 1],
      [8, 7],
      [11, 12],
    ]);
    expect(Buffer.isBuffer(data[1])).toBe(true);
  });

  it('sends numbers, booleans, arrays and objects as their String() text, as faye does', async () => {
    const { server, client } = await wsPair();
    const received = messages(server, 4);
    client.send(13);
    client.send(false);
    client.send([13, 14, 15]);
    client.send({});
    expect(await received).toEqual(['13', 'false', '13,14,15', '[object Object]']);
  });

  it('queues messages sent before open and flushes them in order after the handshake', async () => {
    const { serverSocket, clientSocket } = await tcpPair();
    const server = new TestWebSocket('server');
    const client = new TestWebSocket('client');
    expect(client.send('one')).toBe(true);
    expect(client.send(Buffer.from('two'))).toBe(true);
    expect(client.ping('p')).toBe(true);
    expect(client.bufferedAmount).toBe(6 + 1);
    const received = messages(server, 3);
    const ping = next<MessageEvent<Buffer>>(server, 'ping');
    open(server, serverSocket, 'server');
    open(client, clientSocket, 'client');
    client.send('three');
    expect(await received).toEqual(['one', Buffer.from('two'), 'three']);
    expect((await ping).data.toString()).toBe('p');
  });

  it('returns false and sends nothing once CLOSING or CLOSED', async () => {
    const { server, client } = await wsPair();
    const closed = Promise.all([next(client, 'close'), next(server, 'close')]);
    client.close();
    expect(client.readyState).toBe(WebSocket.CLOSING);
    expect(client.send('late')).toBe(false);
    await closed;
    expect(client.send('later')).toBe(false);
    expect(client.ping()).toBe(false);
    expect(server.readyState).toBe(WebSocket.CLOSED);
  });

  it('delivers a message that arrived in the same packet as the handshake (head) after open', async () => {
    const { serverSocket } = await tcpPair();
    const ws = new TestWebSocket('server');
    const order: string[] = [];
    ws.on('open', () => order.push('open'));
    const received = messages(ws, 1);
    ws.on('message', (event: MessageEvent) => order.push(`message:${event.data}`));
    open(ws, serverSocket, 'server', clientFrame(Opcode.Text, 'early'));
    expect(await received).toEqual(['early']);
    expect(order).toEqual(['open', 'message:early']);
  });
});

describe('events', () => {
  const trap = trapEscapedErrors();

  it('runs the on<type> handler before emitter listeners, with faye-shaped event objects', async () => {
    const { server, client } = await wsPair();
    const order: string[] = [];
    const done = new Promise<void>((resolve) => {
      server.onmessage = (event) => {
        order.push('onmessage');
        expect(event.type).toBe('message');
        expect(event.target).toBe(server);
        expect(event.eventPhase).toBe(2);
      };
      server.addEventListener('message', () => {
        order.push('listener');
        resolve();
      });
    });
    client.send('x');
    await done;
    expect(order).toEqual(['onmessage', 'listener']);
  });

  it('emits data for each message and end on close (stream surface)', async () => {
    const { server, client } = await wsPair();
    const data: unknown[] = [];
    server.on('data', (d) => data.push(d));
    const ended = next(server, 'end');
    client.send('a');
    client.send(Buffer.from('b'));
    await messages(server, 2);
    client.close();
    await ended;
    expect(data).toEqual(['a', Buffer.from('b')]);
    expect(server.readable).toBe(false);
    expect(server.writable).toBe(false);
  });

  it('keeps delivering messages after a listener throws, and reports the exception as uncaught', async () => {
    const { server, client } = await wsPair();
    const seen: string[] = [];
    // (A throwing listener stops later listeners of the same event, as with any EventEmitter.)
    const received = messages(server, 4);
    server.on('message', (event: MessageEvent) => {
      seen.push(event.data as string);
      if (event.data === '2') throw new Error('listener bug');
    });
    client.send('1');
    client.send('2');
    client.send('3');
    client.send('4');
    await received;
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['1', '2', '3', '4']);
    expect(trap.uncaught).toHaveLength(1);
    expect((trap.uncaught[0] as Error).message).toBe('listener bug');
    trap.uncaught.length = 0;
    // The engine is intact: the connection still works both ways.
    const more = messages(client, 1);
    server.send('still here');
    expect(await more).toEqual(['still here']);
    await expectNoEscapes(trap);
  });
});

describe('ping and pong', () => {
  const trap = trapEscapedErrors();

  it('calls the ping callback when the matching pong arrives and fires ping/pong events with Buffers', async () => {
    const { server, client } = await wsPair();
    const pinged = next<MessageEvent<Buffer>>(server, 'ping');
    const ponged = next<MessageEvent<Buffer>>(client, 'pong');
    const calls: string[] = [];
    const called = new Promise<void>((resolve) => {
      expect(
        client.ping('mic check', () => {
          calls.push('mic check');
          resolve();
        }),
      ).toBe(true);
      client.ping('other', () => calls.push('other'));
    });
    await called;
    expect(calls[0]).toBe('mic check');
    expect((await pinged).data).toEqual(Buffer.from('mic check'));
    expect(Buffer.isBuffer((await ponged).data)).toBe(true);
  });

  it('keys callbacks by payload in a map without prototype ("__proto__" is a payload like any other)', async () => {
    const { server, client } = await wsPair();
    let calls = 0;
    await new Promise<void>((resolve) =>
      client.ping('__proto__', () => {
        calls++;
        resolve();
      }),
    );
    // Unsolicited pongs named like Object.prototype's members: a plain `{}` map would find and
    // call `hasOwnProperty` (which throws without a receiver) and `toString`.
    const pongs = new Promise<string[]>((resolve) => {
      const seen: string[] = [];
      client.on('pong', (event: MessageEvent<Buffer>) => {
        seen.push(event.data.toString());
        if (seen.length === 4) resolve(seen);
      });
    });
    for (const payload of ['hasOwnProperty', 'toString', 'constructor', '__proto__']) server.pong(payload);
    expect(await pongs).toEqual(['hasOwnProperty', 'toString', 'constructor', '__proto__']);
    await expectNoEscapes(trap);
    expect(calls).toBe(1);
  });

  it('throws RangeError for a payload over 125 bytes', async () => {
    const { client } = await wsPair();
    expect(() => client.ping('x'.repeat(126))).toThrow(RangeError);
    expect(client.ping('x'.repeat(125))).toBe(true);
  });

  it('sends automatic pings every `ping` seconds', async () => {
    const { client } = await wsPair(undefined, { ping: 0.02 });
    const payloads: string[] = [];
    const three = new Promise<void>((resolve) => {
      client.on('pong', (event: MessageEvent<Buffer>) => {
        payloads.push(event.data.toString());
        if (payloads.length === 3) resolve();
      });
    });
    await three;
    expect(payloads).toEqual(['1', '2', '3']);
  });

  it('drops a peer that answers no ping within pingTimeout: error WS_ERR_PING_TIMEOUT, close 1006', async () => {
    const { serverSocket, clientSocket } = await tcpPair();
    const server = new TestWebSocket('server', { ping: 0.02, pingTimeout: 50 });
    open(server, serverSocket, 'server');
    clientSocket.pause(); // a peer that reads nothing answers nothing
    const error = next<ErrorEvent>(server, 'error');
    const close = next<CloseEvent>(server, 'close');
    expect(((await error).error as { code: string }).code).toBe('WS_ERR_PING_TIMEOUT');
    const event = await close;
    expect([event.code, event.wasClean]).toEqual([1006, false]);
    expect(serverSocket.destroyed).toBe(true);
  });
});

describe('closing', () => {
  it('completes the closing handshake: both sides see the initiator code, wasClean true', async () => {
    const { server, client, serverSocket } = await wsPair();
    const serverClose = next<CloseEvent>(server, 'close');
    const clientClose = next<CloseEvent>(client, 'close');
    client.close(4000, 'bye');
    const [s, c] = await Promise.all([serverClose, clientClose]);
    expect([s.code, s.reason, s.wasClean]).toEqual([4000, 'bye', true]);
    expect([c.code, c.reason, c.wasClean]).toEqual([4000, 'bye', true]);
    expect(serverSocket.destroyed).toBe(true);
  });

  it('lets a server close with 1001 or 1011, and defaults to 1000', async () => {
    const first = await wsPair();
    const c1 = next<CloseEvent>(first.client, 'close');
    first.server.close(1001, 'going away');
    expect((await c1).code).toBe(1001);
    const third = await wsPair();
    const c3 = next<CloseEvent>(third.client, 'close');
    third.server.close(1011, 'oops');
    expect([(await c3).code, (await c3).reason]).toEqual([1011, 'oops']);
    const second = await wsPair();
    const c2 = next<CloseEvent>(second.client, 'close');
    second.server.close();
    expect([(await c2).code, (await c2).wasClean]).toEqual([1000, true]);
  });

  it('throws SyntaxError for codes that may not be sent and reasons over 123 bytes', async () => {
    const { client } = await wsPair();
    for (const code of [999, 1004, 1005, 1006, 1015, 2999, 5000, 1005.4]) {
      expect(() => client.close(code)).toThrow(SyntaxError);
    }
    expect(() => client.close(1000, 'é'.repeat(62))).toThrow(SyntaxError);
    expect(client.readyState).toBe(WebSocket.OPEN);
    const closed = next<CloseEvent>(client, 'close');
    client.close(1000, `${'é'.repeat(61)}x`);
    expect((await closed).reason).toBe(`${'é'.repeat(61)}x`);
  });

  it('closing while CONNECTING aborts the handshake without a frame: close 1006, no open', async () => {
    const ws = new TestWebSocket('client');
    const events: string[] = [];
    ws.on('open', () => events.push('open'));
    ws.on('error', () => events.push('error'));
    const closed = next<CloseEvent>(ws, 'close');
    ws.close();
    expect(ws.readyState).toBe(WebSocket.CLOSING);
    expect(ws.aborted).toBe(1);
    const event = await closed;
    expect([event.code, event.wasClean]).toEqual([1006, false]);
    expect(events).toEqual([]);
    expect(ws.readyState).toBe(WebSocket.CLOSED);
    expect(ws.readable).toBe(false);
  });

  it('destroys the socket after closeTimeout when the peer never answers the close: 1006, not clean', async () => {
    const { serverSocket, clientSocket } = await tcpPair();
    const server = new TestWebSocket('server', { closeTimeout: 80 });
    open(server, serverSocket, 'server');
    clientSocket.on('data', () => {}); // reads, never answers
    const closed = next<CloseEvent>(server, 'close');
    server.close(1000);
    const event = await closed;
    expect([event.code, event.reason, event.wasClean]).toEqual([1006, '', false]);
    expect(serverSocket.destroyed).toBe(true);
  });

  it('reports TCP loss without a close frame as 1006 with no reason', async () => {
    const { server, clientSocket } = await wsPair();
    const closed = next<CloseEvent>(server, 'close');
    clientSocket.destroy();
    const event = await closed;
    expect([event.code, event.reason, event.wasClean]).toEqual([1006, '', false]);
  });

  it('reports a reset in the middle of a frame as 1006', async () => {
    const { serverSocket, clientSocket } = await tcpPair();
    const server = new TestWebSocket('server');
    open(server, serverSocket, 'server');
    const closed = next<CloseEvent>(server, 'close');
    const frame = clientFrame(Opcode.Binary, Buffer.alloc(1000));
    clientSocket.write(frame.subarray(0, 500));
    await new Promise((resolve) => setTimeout(resolve, 20));
    clientSocket.resetAndDestroy();
    const event = await closed;
    expect([event.code, event.wasClean]).toEqual([1006, false]);
  });

  it('answers a peer close frame, closes TCP first as the server, and reports the peer code', async () => {
    const { serverSocket, clientSocket } = await tcpPair();
    const server = new TestWebSocket('server');
    open(server, serverSocket, 'server');
    const replies: Buffer[] = [];
    clientSocket.on('data', (chunk: Buffer) => replies.push(chunk));
    const ended = once(clientSocket, 'end'); // the server's FIN
    const closing = new Promise<number>((resolve) => server.on('close', () => resolve(server.readyState)));
    clientSocket.write(clientFrame(Opcode.Close, Buffer.from([0x0f, 0xa0, 0x68, 0x69]))); // 4000 "hi"
    await ended;
    expect(Buffer.concat(replies)).toEqual(Buffer.from([0x88, 0x04, 0x0f, 0xa0, 0x68, 0x69]));
    clientSocket.end();
    expect(await closing).toBe(WebSocket.CLOSED);
  });
});

describe('failures', () => {
  it('fires error (ProtocolError, once) then close with its code when the peer breaks the protocol', async () => {
    const { serverSocket, clientSocket } = await tcpPair();
    const server = new TestWebSocket('server');
    open(server, serverSocket, 'server');
    const events: string[] = [];
    let error: ErrorEvent | undefined;
    server.on('error', (event: ErrorEvent) => {
      events.push('error');
      error = event;
    });
    const closed = new Promise<CloseEvent>((resolve) =>
      server.on('close', (event: CloseEvent) => {
        events.push('close');
        resolve(event);
      }),
    );
    clientSocket.on('data', () => {});
    // An unmasked frame from a client, then a second violation that must not fire error again.
    clientSocket.write(Buffer.from([0x81, 0x02, 0x68, 0x69, 0x83, 0x00]));
    clientSocket.end();
    const event = await closed;
    expect(events).toEqual(['error', 'close']);
    expect(error?.error).toBeInstanceOf(ProtocolError);
    expect(error?.message).toBe((error?.error as Error | undefined)?.message);
    expect([event.code, event.wasClean]).toEqual([1002, false]);
  });

  it('an error listener is optional: an unhandled error never throws', async () => {
    const { serverSocket, clientSocket } = await tcpPair();
    const server = new TestWebSocket('server');
    open(server, serverSocket, 'server');
    clientSocket.on('data', () => {});
    const closed = next<CloseEvent>(server, 'close');
    clientSocket.end(clientFrame(Opcode.Text, Buffer.from([0xff])));
    expect((await closed).code).toBe(1007);
  });

  it('an onerror handler alone gets the error, and nothing throws', async () => {
    const { serverSocket, clientSocket } = await tcpPair();
    const server = new TestWebSocket('server');
    const seen: string[] = [];
    server.onerror = (event: ErrorEvent) => seen.push(event.message);
    open(server, serverSocket, 'server');
    expect(server.listenerCount('error')).toBe(0);
    clientSocket.on('data', () => {});
    const closed = next<CloseEvent>(server, 'close');
    clientSocket.end(clientFrame(Opcode.Text, Buffer.from([0xff])));
    expect((await closed).code).toBe(1007);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/UTF-8/);
  });
});

describe('backpressure', () => {
  it('counts bufferedAmount for real, returns false past highWaterMark and fires drain below it', async () => {
    const { server, client, clientSocket } = await wsPair({ highWaterMark: 64 * 1024 });
    clientSocket.pause(); // the client stops reading
    const chunk = Buffer.alloc(16 * 1024, 1);
    let sent = 0;
    while (server.send(chunk)) sent++;
    sent++;
    expect(server.bufferedAmount).toBeGreaterThanOrEqual(64 * 1024);
    const drained = next(server, 'drain');
    const all = messages(client, sent);
    clientSocket.resume();
    await drained;
    expect(server.bufferedAmount).toBeLessThan(64 * 1024);
    expect((await all).length).toBe(sent);
  });

  it('with highWaterMark 0, every send() returns false and drain fires once the buffer is empty', async () => {
    // As a Node Writable with highWaterMark 0: write() is always false, 'drain' at length 0.
    const { server, client } = await wsPair({ highWaterMark: 0 });
    const received = messages(client, 2);
    let drained = next(server, 'drain');
    expect(server.send('one')).toBe(false);
    await drained; // after a single send too: the socket itself emits no drain below its own mark
    drained = next(server, 'drain');
    expect(server.send('two')).toBe(false);
    await drained;
    expect(server.bufferedAmount).toBe(0);
    expect(await received).toEqual(['one', 'two']);
  });

  it('fires drain for bytes held below the socket’s own mark, which emits no drain of its own', async () => {
    const { server, client, serverSocket, clientSocket } = await wsPair({ highWaterMark: 1024 });
    clientSocket.pause(); // the client stops reading, until the kernel's buffers are full
    const chunk = Buffer.alloc(2048, 1);
    let sent = 0;
    // Until the kernel takes no more: then 2 KiB wait in the socket, under its 16 KiB mark.
    while (server.bufferedAmount === 0) {
      server.send(chunk);
      sent++;
    }
    expect(serverSocket.writableNeedDrain).toBe(false);
    expect(server.send(chunk)).toBe(false);
    sent++;
    const drained = next(server, 'drain');
    const all = messages(client, sent);
    clientSocket.resume();
    await drained;
    expect((await all).length).toBe(sent);
  });

  it('pause() stops reading: no message while paused, all of them after resume()', async () => {
    const { server, client } = await wsPair();
    server.pause();
    expect(server.isPaused).toBe(true);
    let count = 0;
    server.on('message', () => count++);
    for (let i = 0; i < 10; i++) client.send(`m${i}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(count).toBe(0);
    const rest = messages(server, 10);
    server.resume();
    expect((await rest).length).toBe(10);
  });

  it('pipe(ws) echoes, in order', async () => {
    const { server, client } = await wsPair();
    server.pipe(server);
    const echoed = messages(client, 100);
    for (let i = 0; i < 100; i++) client.send(i % 2 === 0 ? `t${i}` : Buffer.from([i]));
    const data = await echoed;
    expect(data[0]).toBe('t0');
    expect(data[1]).toEqual(Buffer.from([1]));
    expect(data[98]).toBe('t98');
  });
});

describe('broadcast', () => {
  it('sendPrepared writes one pre-encoded frame to several server sockets, and falls back on clients', async () => {
    const a = await wsPair();
    const b = await wsPair();
    const text = WebSocket.prepare('to everyone');
    const binary = WebSocket.prepare(new Uint8Array(2000).fill(7));
    const ra = messages(a.client, 2);
    const rb = messages(b.client, 2);
    for (const ws of [a.server, b.server]) {
      expect(ws.sendPrepared(text)).toBe(true);
      expect(ws.sendPrepared(binary)).toBe(true);
    }
    for (const data of [await ra, await rb]) {
      expect(data[0]).toBe('to everyone');
      expect(data[1]).toEqual(Buffer.alloc(2000, 7));
    }
    const back = messages(a.server, 1);
    expect(a.client.sendPrepared(text)).toBe(true); // masked by the client, not the prepared bytes
    expect(await back).toEqual(['to everyone']);
  });
});
