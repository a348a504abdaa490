import { deflateRawSync, constants as zlibConstants } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { expectClosedAfter, fakeTimeouts } from '../../../../test-support/hardening/fake-timeout.js';
import {
  frame,
  readUntil,
  startRawServer,
  switchingProtocols,
} from '../../../../test-support/hardening/raw-peer.js';
import { guardEachTest } from '../../../../test-support/hardening/test-guard.js';
import { within } from '../../../../test-support/hardening/within.js';
import { permessageDeflate } from '../../src/index.js';
import { observe } from './client-harness.js';

const guard = guardEachTest();

/** A raw server scripted by `script`, closed when the test ends. */
const raw = async (script: Parameters<typeof startRawServer>[0]) => guard.track(await startRawServer(script));

describe('client: handshake timeout', () => {
  it('a server that accepts TCP and never answers is given up after handshakeTimeout', async () => {
    guard.begin();
    const server = await raw(() => {});
    const started = Date.now();
    const client = observe(server.url, { handshakeTimeout: 200 });
    await within(client.closed, 3000, 'close');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(client.events).toEqual(['error', 'close']);
    expect(client.errors[0]?.code).toBe('WS_ERR_HANDSHAKE_TIMEOUT');
    expect(client.close).toMatchObject({ code: 1006, wasClean: false });
    await guard.finish();
  });

  it('a server that drips its answer a byte at a time is still given up (the limit covers the whole opening)', async () => {
    guard.begin();
    const server = await raw(async (socket) => {
      await readUntil(socket, '\r\n\r\n');
      const head = 'HTTP/1.1 101 Switching Protocols\r\n';
      for (let i = 0; !socket.destroyed; i++) {
        socket.write(i < head.length ? head[i]! : 'X');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    });
    const client = observe(server.url, { handshakeTimeout: 300 });
    await within(client.closed, 3000, 'close');
    expect(client.errors[0]?.code).toBe('WS_ERR_HANDSHAKE_TIMEOUT');
    await guard.finish();
  });

  it('defaults to 10 s (documented in SECURITY.md)', async () => {
    guard.begin();
    const server = await raw(() => {});
    fakeTimeouts();
    const client = observe(server.url);
    await expectClosedAfter(client, 10_000);
    expect(client.events).toEqual(['error', 'close']);
    expect(client.errors[0]?.code).toBe('WS_ERR_HANDSHAKE_TIMEOUT');
    await guard.finish();
  });
});

describe('client: hostile handshake responses', () => {
  it('an endless header line fails at the 8 KiB line limit, not at the server’s leisure', async () => {
    guard.begin();
    let written = 0;
    const server = await raw(async (socket) => {
      await readUntil(socket, '\r\n\r\n');
      socket.write('HTTP/1.1 101 Switching Protocols\r\nX-Long: ');
      const block = Buffer.alloc(16 * 1024, 'a');
      for (let i = 0; i < 4096 && !socket.destroyed; i++) {
        written += block.length;
        if (!socket.write(block))
          await new Promise((resolve) => socket.once('drain', resolve).once('close', resolve));
      }
    });
    const client = observe(server.url);
    await within(client.closed, 5000, 'close');
    expect(client.events).toEqual(['error', 'close']);
    expect(client.errors[0]?.code).toBe('WS_ERR_HANDSHAKE_HEAD_TOO_LARGE');
    expect(written).toBeLessThan(64 << 20);
    await guard.finish();
  });

  it('more than 128 header lines fail the handshake', async () => {
    guard.begin();
    const server = await raw(async (socket) => {
      const request = await readUntil(socket, '\r\n\r\n');
      const filler = Array.from({ length: 130 }, (_, i) => `X-Filler-${i}: v`);
      socket.write(switchingProtocols(request, filler));
    });
    const client = observe(server.url);
    await within(client.closed, 3000, 'close');
    expect(client.events).toEqual(['error', 'close']);
    expect(client.errors[0]?.code).toBe('WS_ERR_HANDSHAKE_HEAD_TOO_LARGE');
    await guard.finish();
  });

  for (const [name, headers] of [
    ['a duplicated Sec-WebSocket-Accept', ['Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=']],
    ['a second, empty Upgrade', ['Upgrade:']],
    ['a Sec-WebSocket-Protocol that was not offered', ['Sec-WebSocket-Protocol: chat']],
    ['an extension that was not offered', ['Sec-WebSocket-Extensions: permessage-deflate']],
    ['a 6 KiB crafted Sec-WebSocket-Extensions', [`Sec-WebSocket-Extensions: x; a="${'\\c'.repeat(3000)}`]],
  ] as const) {
    it(`${name} fails the handshake with a HandshakeError, no crash`, async () => {
      guard.begin();
      const server = await raw(async (socket) => {
        const request = await readUntil(socket, '\r\n\r\n');
        socket.write(switchingProtocols(request, headers));
      });
      const client = observe(server.url);
      await within(client.closed, 3000, 'close');
      expect(client.events).toEqual(['error', 'close']);
      expect(client.errors[0]?.name).toBe('HandshakeError');
      expect(client.close?.code).toBe(1006);
      await guard.finish();
    });
  }
});

describe('client: interim 1xx answers before the 101', () => {
  it('skips 100 Continue and 103 Early Hints, apart or in one packet with the 101 (RFC 9110 §15.2)', async () => {
    guard.begin();
    const server = await raw(async (socket) => {
      const request = await readUntil(socket, '\r\n\r\n');
      socket.write('HTTP/1.1 100 Continue\r\n\r\n');
      await new Promise((resolve) => setTimeout(resolve, 20));
      socket.write(
        `HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n${switchingProtocols(request)}`,
      );
      socket.write(frame(1, 'after the interim answers'));
    });
    const client = observe(server.url);
    const message = new Promise<string>((resolve) =>
      client.ws.on('message', (event) => resolve(String(event.data))),
    );
    await within(client.opened, 3000, 'open');
    expect(await within(message, 3000, 'the first message')).toBe('after the interim answers');
    expect(client.ws.statusCode).toBe(101);
    // The raw server answers no close frame: drop the connection.
    client.ws.terminate();
    await within(client.closed, 3000, 'close');
    await guard.finish();
  });
});

describe('client: a server that ends right after its last frames', () => {
  it('a compressed message, a Close and FIN in one write: the message before close, with the server’s code', async () => {
    // The FIN arrives while the message is still inflating on zlib's thread pool.
    guard.begin();
    const text = 'sockeye '.repeat(64 * 1024);
    const deflated = deflateRawSync(text, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    const server = await raw(async (socket) => {
      const request = await readUntil(socket, '\r\n\r\n');
      socket.write(switchingProtocols(request, ['Sec-WebSocket-Extensions: permessage-deflate']));
      socket.end(
        Buffer.concat([
          frame(1, deflated.subarray(0, deflated.length - 4), { rsv: 4 }),
          frame(8, Buffer.from([0x03, 0xe8])),
        ]),
      );
    });
    const client = observe(server.url, { extensions: [permessageDeflate()] });
    const messages: number[] = [];
    let messagesAtClose = -1;
    client.ws.on('message', (event: { data: string }) => messages.push(event.data.length));
    client.ws.on('close', () => {
      messagesAtClose = messages.length;
    });
    await within(client.closed, 5000, 'close');
    expect(messages).toEqual([text.length]);
    expect(messagesAtClose).toBe(1);
    expect(client.close).toMatchObject({ code: 1000 });
    await guard.finish();
  });
});
