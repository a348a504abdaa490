import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { expectClosedAfter, fakeTimeouts } from '../../../../test-support/hardening/fake-timeout.js';
import {
  connectRaw,
  draftUpgradeRequest,
  readUntil,
  upgradeRequest,
} from '../../../../test-support/hardening/raw-peer.js';
import { expectNoEscapes } from '../../../../test-support/hardening/resources.js';
import { guardEachTest } from '../../../../test-support/hardening/test-guard.js';
import { within } from '../../../../test-support/hardening/within.js';
import { isWebSocket, type ServerOptions } from '../../src/index.js';
import { type Harness, startHarness } from './server-harness.js';

const require = createRequire(import.meta.url);
const deflate = require('permessage-deflate');

const guard = guardEachTest();
const trap = guard.trap;

/**
 * The harness with a generous `maxHeaderSize`, as an application expecting big headers would set it;
 * the resource baseline is taken first, and the harness closes with `guard.finish()` or after the test.
 */
async function start(options: ServerOptions = {}, protocols: string[] | null = null): Promise<Harness> {
  guard.begin();
  return guard.track(await startHarness(options, () => {}, { maxHeaderSize: 4 << 20 }, protocols));
}

/** Sends `request` on a fresh connection; resolves with the status line and the socket. */
async function ask(port: number, request: string): Promise<{ status: string; head: string; socket: Socket }> {
  const socket = await connectRaw(port);
  socket.write(request);
  const head = (await readUntil(socket, '\r\n\r\n')).toString('latin1');
  return { status: head.slice(0, head.indexOf('\r\n')), head, socket };
}

const KiB = 1024;
const MiB = 1024 * KiB;

describe('server: headers Node did not deliver', () => {
  it('more headers than maxHeadersCount (the CVE-2024-37890 shape): 400, error and close, no crash', async () => {
    const h = await start();
    const filler = Array.from({ length: 2100 }, (_, i) => `X-Filler-${i}: v`);
    const next = h.next();
    const request = [
      'GET / HTTP/1.1',
      'Host: 127.0.0.1',
      ...filler,
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Version: 13',
      '',
      '',
    ].join('\r\n');
    const { status, socket } = await ask(h.port, request);
    const observed = await within(next, 2000, 'the upgrade');
    expect(isWebSocket(h.requests[h.connections.indexOf(observed)]!)).toBe(false);
    expect(status).toMatch(/^HTTP\/1\.1 (400|426) /);
    await within(observed.closed, 2000, 'close');
    expect(observed.events).toEqual(['error', 'close']);
    expect(observed.errors[0]?.code).toMatch(/^WS_ERR_HANDSHAKE_/);
    socket.destroy();
    await guard.finish();
  });
});

describe('server: duplicated and empty handshake headers', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['two Sec-WebSocket-Key lines', ['Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA=='], /^HTTP\/1\.1 400 /],
    ['two Sec-WebSocket-Version lines', ['Sec-WebSocket-Version: 8'], /^HTTP\/1\.1 (400|426) /],
    // RFC 9112 §3.2; Node keeps the first Host in `headers`, so only `rawHeaders` shows the second.
    ['two Host lines', ['Host: evil.example'], /^HTTP\/1\.1 400 /],
  ];
  for (const [name, extra, expected] of cases) {
    it(`${name}: rejected, no crash`, async () => {
      const h = await start();
      const { status, socket } = await ask(h.port, upgradeRequest('/', extra));
      expect(status).toMatch(expected);
      socket.destroy();
      await expectNoEscapes(trap);
    });
  }

  const replaced: Array<[string, string, RegExp]> = [
    ['an empty Sec-WebSocket-Key', 'Sec-WebSocket-Key:', /^HTTP\/1\.1 400 /],
    ['an empty Sec-WebSocket-Version', 'Sec-WebSocket-Version:', /^HTTP\/1\.1 (400|426) /],
    ['a Sec-WebSocket-Key of 15 bytes', 'Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4P', /^HTTP\/1\.1 400 /],
    ['an empty Connection', 'Connection:', /^HTTP\/1\.1 (400|404) /],
    ['an empty Upgrade', 'Upgrade:', /^HTTP\/1\.1 (400|404) /],
    ['an empty Host', 'Host:', /^HTTP\/1\.1 400 /],
  ];
  for (const [name, line, expected] of replaced) {
    it(`${name}: rejected, no crash`, async () => {
      const h = await start();
      const field = line.slice(0, line.indexOf(':'));
      const request = upgradeRequest()
        .split('\r\n')
        .map((l) => (l.toLowerCase().startsWith(`${field.toLowerCase()}:`) ? line : l))
        .join('\r\n');
      const { status, socket } = await ask(h.port, request);
      expect(status).toMatch(expected);
      socket.destroy();
      await expectNoEscapes(trap);
    });
  }
});

describe('server: an upgrade request without Host', () => {
  // RFC 6455 §4.2.1 item 2 and RFC 9112 §3.2; Node's HTTP server answers 400 itself only to
  // requests, and hands an upgrade without Host to the `upgrade` listener.
  it('is answered 400, with an error event and close 1002, and the socket closed', async () => {
    const h = await start();
    const next = h.next();
    const request = upgradeRequest()
      .split('\r\n')
      .filter((line) => !line.toLowerCase().startsWith('host:'))
      .join('\r\n');
    const { status, head, socket } = await ask(h.port, request);
    expect(status).toBe('HTTP/1.1 400 Bad Request');
    expect(head).not.toContain('Sec-WebSocket-Accept');
    const observed = await within(next, 2000, 'the upgrade');
    await within(observed.closed, 2000, 'close');
    expect(observed.events).toEqual(['error', 'close']);
    expect(observed.errors[0]?.code).toBe('WS_ERR_HANDSHAKE_INVALID_REQUEST');
    expect(observed.errors[0]?.message).toBe('Missing handshake request header: Host');
    expect(observed.close).toMatchObject({ code: 1002, wasClean: false });
    await within(new Promise((resolve) => socket.once('close', resolve)), 2000, 'the socket closed');
    await guard.finish();
  });
});

describe('server: 1 MiB crafted negotiation headers are handled in linear time', () => {
  // Each is answered (101 or 400) within the test's time; scripts/hostile-headers.ts times them.
  const extensionValues: Array<[string, string]> = [
    [
      'an unclosed quoted parameter of \\c pairs (CVE-2020-7662)',
      `permessage-deflate; x="${'\\c'.repeat(MiB / 2)}`,
    ],
    ['a million semicolons', `permessage-deflate${';'.repeat(MiB)}`],
    ['a million commas', `${','.repeat(MiB)}permessage-deflate`],
    ['a megabyte of spaces before a token', `permessage-deflate${' '.repeat(MiB)}x`],
    ['30,000 valid offers', 'permessage-deflate; client_max_window_bits, '.repeat(30_000).slice(0, -2)],
    ['a megabyte of parameters', `permessage-deflate${'; a=1'.repeat(MiB / 6)}`],
  ];
  for (const [name, value] of extensionValues) {
    it(`Sec-WebSocket-Extensions: ${name}`, async () => {
      const h = await start({ extensions: [deflate] });
      const { status, socket } = await ask(
        h.port,
        upgradeRequest('/', [`Sec-WebSocket-Extensions: ${value}`]),
      );
      expect(status).toMatch(/^HTTP\/1\.1 (101|400) /);
      socket.destroy();
      await expectNoEscapes(trap);
    });
  }

  const protocolValues: Array<[string, string]> = [
    ['b, a megabyte of spaces, x (CVE-2021-32640)', `b${' '.repeat(MiB)}x`],
    ['100,000 distinct names', Array.from({ length: 100_000 }, (_, i) => `p${i}`).join(', ')],
    ['a megabyte of commas', ','.repeat(MiB)],
    ['the same name 150,000 times', 'chat, '.repeat(150_000).slice(0, -2)],
  ];
  for (const [name, value] of protocolValues) {
    it(`Sec-WebSocket-Protocol: ${name}`, async () => {
      const h = await start({}, ['chat', 'superchat']);
      const { status, head, socket } = await ask(
        h.port,
        upgradeRequest('/', [`Sec-WebSocket-Protocol: ${value}`]),
      );
      expect(status).toMatch(/^HTTP\/1\.1 (101|400) /);
      if (status.includes('101')) {
        const chosen = /\r\nSec-WebSocket-Protocol: *([^\r\n]*)/i.exec(head)?.[1];
        expect(chosen === undefined || chosen === 'chat' || chosen === 'superchat').toBe(true);
      }
      socket.destroy();
      await expectNoEscapes(trap);
    });
  }
});

describe('server: time limits on the upgrade', () => {
  it('a draft-76 client that never sends its 8 key bytes is dropped after handshakeTimeout', async () => {
    const h = await start({ allowDrafts: true, handshakeTimeout: 200 });
    const next = h.next();
    const socket = await connectRaw(h.port);
    socket.write(draftUpgradeRequest());
    const observed = await within(next, 2000, 'the upgrade');
    const started = Date.now();
    await within(observed.closed, 3000, 'close');
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(observed.events).not.toContain('open');
    expect(observed.errors[0]?.code).toBe('WS_ERR_HANDSHAKE_TIMEOUT');
    await new Promise<void>((resolve) =>
      socket.destroyed ? resolve() : socket.once('close', () => resolve()),
    );
    await guard.finish();
  });

  it('defaults to 10 s', async () => {
    const h = await start({ allowDrafts: true });
    const next = h.next();
    const socket = await connectRaw(h.port);
    fakeTimeouts();
    socket.write(draftUpgradeRequest());
    const observed = await next;
    await expectClosedAfter(observed, 10_000);
    expect(observed.errors[0]?.code).toBe('WS_ERR_HANDSHAKE_TIMEOUT');
    socket.destroy();
    await guard.finish();
  });
});

describe('server: draft length overflow (CVE-2026-54466)', () => {
  for (const draft of ['hixie-75', 'hixie-76'] as const) {
    it(`${draft}: an endless length prefix closes the connection once it passes maxLength`, async () => {
      const h = await start({ allowDrafts: true, maxLength: 1024 });
      const next = h.next();
      const socket = await connectRaw(h.port);
      socket.write(`${draftUpgradeRequest(draft)}${draft === 'hixie-76' ? '^n:ds[4U' : ''}`);
      const head = await readUntil(socket, '\r\n\r\n');
      expect(head.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
      const observed = await within(next, 2000, 'the upgrade');
      // 0x80 starts a length-prefixed frame; every 0xFF adds 7 bits to the length and continues it.
      socket.write(Buffer.concat([Buffer.from([0x80]), Buffer.alloc(64, 0xff)]));
      await within(observed.closed, 3000, 'close');
      expect(observed.events).toContain('close');
      await expectNoEscapes(trap);
    });
  }
});
