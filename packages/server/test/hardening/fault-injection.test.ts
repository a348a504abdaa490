import { afterEach, describe, expect, it } from 'vitest';
import {
  connectRaw,
  frame,
  parseFrames,
  readUntil,
  reset,
  upgradeRequest,
} from '../../../../test-support/hardening/raw-peer.js';
import {
  activeResources,
  expectNoEscapes,
  expectNoLeaks,
  type ResourceCounts,
  trapEscapedErrors,
} from '../../../../test-support/hardening/resources.js';
import { type Harness, startHarness, within } from './server-harness.js';

const trap = trapEscapedErrors();
let harness: Harness | null = null;
let before: ResourceCounts = {};

async function start(...args: Parameters<typeof startHarness>): Promise<Harness> {
  before = activeResources();
  harness = await startHarness(...args);
  return harness;
}

afterEach(async () => {
  await harness?.close();
  harness = null;
});

/** Closes the harness, then checks that nothing escaped and nothing is left running. */
async function finish(): Promise<void> {
  await harness?.close();
  harness = null;
  await expectNoLeaks(before);
  await expectNoEscapes(trap);
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
    await finish();
  });

  it('mid-handshake of a draft-76 client waiting for its key: the handshake timer is released', async () => {
    const h = await start({ allowDrafts: true, handshakeTimeout: 60_000 });
    const socket = await connectRaw(h.port);
    const next = h.next();
    socket.write(
      [
        'GET /chat HTTP/1.1',
        'Host: 127.0.0.1',
        'Upgrade: WebSocket',
        'Connection: Upgrade',
        'Origin: http://127.0.0.1',
        'Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5',
        'Sec-WebSocket-Key2: 12998 5 Y3 1  .P00',
        '',
        '',
      ].join('\r\n'),
    );
    const observed = await within(next, 2000, 'the upgrade');
    // The 8 key bytes never come; the peer resets instead.
    await new Promise((resolve) => setTimeout(resolve, 50));
    reset(socket);
    await within(observed.closed, 2000, 'the close event');
    expect(observed.events).not.toContain('open');
    await finish();
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
    await finish();
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
    await finish();
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
    await finish();
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
    await harness?.close();
    harness = null;
    await expectNoLeaks(before);
    // sockeye reports a listener's exception as Node's EventTarget does (on a later tick); nothing else escapes.
    await new Promise((resolve) => setImmediate(resolve));
    expect(trap.uncaught).toEqual([boom]);
    expect(trap.unhandled).toEqual([]);
  });
});
