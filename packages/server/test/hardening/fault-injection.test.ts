import { createServer } from 'node:http';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  connectRaw,
  draftUpgradeRequest,
  frame,
  parseFrames,
  readUntil,
  reset,
  upgradeRequest,
} from '../../../../test-support/hardening/raw-peer.js';
import { guardEachTest } from '../../../../test-support/hardening/test-guard.js';
import { within } from '../../../../test-support/hardening/within.js';
import { listenLoopback } from '../../../../test-support/loopback-port.js';
import { attach } from '../../src/index.js';
import { type Harness, startHarness } from './server-harness.js';

const guard = guardEachTest();

/** Starts the harness after taking the resource baseline; `guard.finish()` closes it. */
async function start(...args: Parameters<typeof startHarness>): Promise<Harness> {
  guard.begin();
  return guard.track(await startHarness(...args));
}

/** Opens a raw client through the handshake; resolves once the 101 head has been read. */
async function openRaw(port: number) {
  const socket = await connectRaw(port);
  socket.write(upgradeRequest());
  const head = await readUntil(socket, '\r\n\r\n');
  expect(head.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
  return socket;
}

describe('server: the peer resets the TCP connection', () => {
  it('mid-handshake (request sent, reset before the 101 is written): close 1006, nothing left behind', async () => {
    const h = await start();
    const socket = await connectRaw(h.port);
    const next = h.next();
    await new Promise<void>((resolve) => socket.write(upgradeRequest(), () => resolve()));
    reset(socket);
    const observed = await within(next, 2000, 'the upgrade');
    await within(observed.closed, 2000, 'the close event');
    expect(observed.close?.code).toBe(1006);
    expect(observed.close?.wasClean).toBe(false);
    expect(observed.events.filter((e) => e === 'close')).toHaveLength(1);
    expect(observed.ws.readyState).toBe(3);
    await guard.finish();
  });

  it('mid-handshake of a draft-76 client waiting for its key: the handshake timer is released', async () => {
    const h = await start({ allowDrafts: true, handshakeTimeout: 60_000 });
    const socket = await connectRaw(h.port);
    const next = h.next();
    socket.write(draftUpgradeRequest());
    const observed = await within(next, 2000, 'the upgrade');
    // The 8 key bytes never come; the peer resets instead.
    await new Promise((resolve) => setTimeout(resolve, 50));
    reset(socket);
    await within(observed.closed, 2000, 'the close event');
    expect(observed.events).not.toContain('open');
    await guard.finish();
  });

  it('mid-frame (half a payload received): close 1006, not clean, nothing left behind', async () => {
    const h = await start();
    const next = h.next();
    const socket = await openRaw(h.port);
    const observed = await next;
    const whole = frame(2, Buffer.alloc(100, 1), { mask: true });
    await new Promise<void>((resolve) => socket.write(whole.subarray(0, 60), () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 20));
    reset(socket);
    await within(observed.closed, 2000, 'the close event');
    expect(observed.close).toMatchObject({ code: 1006, wasClean: false });
    await guard.finish();
  });

  it('mid-close (server sent its close frame, the peer resets instead of answering): close fires, timer released', async () => {
    // A long close timeout: the test passes only if the reset, not the timer, ends the connection.
    const h = await start({ closeTimeout: 60_000 });
    const next = h.next();
    const socket = await openRaw(h.port);
    const observed = await next;
    if (observed.ws.readyState === 0) await new Promise((resolve) => observed.ws.once('open', resolve));
    observed.ws.close(1000, 'bye');
    const bytes = await readUntil(socket, Buffer.from([0x88]));
    expect(bytes.includes(0x88)).toBe(true);
    reset(socket);
    await within(observed.closed, 2000, 'the close event');
    expect(observed.close?.wasClean).toBe(false);
    expect(observed.close?.code).toBe(1006);
    await guard.finish();
  });

  it('mid-close (the peer sent its close frame, then resets): the peer code is reported, nothing left', async () => {
    const h = await start({ closeTimeout: 60_000 });
    const next = h.next();
    const socket = await openRaw(h.port);
    const observed = await next;
    const payload = Buffer.from([0x03, 0xe8, 0x62, 0x79, 0x65]);
    await new Promise<void>((resolve) => socket.write(frame(8, payload, { mask: true }), () => resolve()));
    reset(socket);
    await within(observed.closed, 2000, 'the close event');
    expect([1000, 1006]).toContain(observed.close?.code);
    await guard.finish();
  });
});

describe('server: an error listener that throws', () => {
  it('still ends with close; the only escaped error is the listener’s own', async () => {
    const boom = new Error('listener bug');
    const h = await start({}, (ws) => {
      ws.on('error', () => {
        throw boom;
      });
    });
    const next = h.next();
    const socket = await openRaw(h.port);
    const observed = await next;
    // An unmasked client frame: the server must fail the connection with 1002.
    socket.write(frame(1, 'hello', { mask: false }));
    const bytes = await readUntil(socket, Buffer.from([0x88]));
    await within(observed.closed, 2000, 'the close event');
    const close = parseFrames(bytes).find((f) => f.opcode === 8);
    expect(close?.payload.readUInt16BE(0)).toBe(1002);
    expect(observed.events).toEqual(['open', 'error', 'close']);
    expect(observed.close?.code).toBe(1002);
    socket.destroy();
    await guard.expectNoLeaks();
    // sockeye reports a listener's exception as Node's EventTarget does (on a later tick); nothing else escapes.
    await new Promise((resolve) => setImmediate(resolve));
    expect(guard.trap.uncaught).toEqual([boom]);
    expect(guard.trap.unhandled).toEqual([]);
  });
});

describe('server: streams piped into and out of a socket', () => {
  it('readable.pipe(ws) and a failing connection: close, nothing thrown (pipe re-emits the error)', async () => {
    guard.begin();
    const source = new PassThrough();
    // No `error` listener of the application's (the harness would add one): only pipe's.
    const server = createServer();
    const closed = new Promise<number>((resolve) => {
      attach(server, {}, (ws) => {
        source.pipe(ws as unknown as Writable);
        ws.on('close', (event: { code: number }) => resolve(event.code));
      });
    });
    const port = await listenLoopback(server);
    guard.defer(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const socket = await openRaw(port);
    // An unmasked client frame: the server fails the connection; Node's pipe removes its own
    // `error` listener and emits the error again on the socket, which nobody else listens to.
    socket.write(frame(1, 'hello', { mask: false }));
    expect(await within(closed, 2000, 'the close event')).toBe(1002);
    socket.destroy();
    source.destroy();
    await guard.finish();
  });

  it('a throwing message listener does not keep the message from ws.pipe()', async () => {
    const boom = new Error('listener bug');
    const piped: string[] = [];
    const h = await start({}, (ws) => {
      ws.on('message', () => {
        throw boom;
      });
      ws.pipe(
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            piped.push(chunk.toString());
            callback();
          },
        }),
      );
    });
    const next = h.next();
    const socket = await openRaw(h.port);
    const observed = await next;
    socket.write(frame(1, 'one', { mask: true }));
    await within(
      new Promise<void>((resolve) => {
        const check = () => (piped.length > 0 ? resolve() : setTimeout(check, 10));
        check();
      }),
      2000,
      'the piped message',
    );
    expect(piped).toEqual(['one']);
    expect(observed.ws.readyState).toBe(1);
    socket.destroy();
    await within(observed.closed, 2000, 'the close event');
    await guard.expectNoLeaks();
    await new Promise((resolve) => setImmediate(resolve));
    expect(guard.trap.uncaught).toEqual([boom]);
  });
});
