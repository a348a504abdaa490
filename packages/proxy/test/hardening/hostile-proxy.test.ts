import { once } from 'node:events';
import type { Socket } from 'node:net';
import { ErrorCode, NetworkError, ProxyError, WebSocketError } from '@sockeye/core';
import { describe, expect, it } from 'vitest';
import { startDyingProxy } from '../../../../test-support/hardening/dying-proxy.js';
import { type RawServer, startRawServer } from '../../../../test-support/hardening/raw-peer.js';
import { expectNoEscapes } from '../../../../test-support/hardening/resources.js';
import { guardEachTest } from '../../../../test-support/hardening/test-guard.js';
import { openTunnel } from '../../src/index.js';

const guard = guardEachTest();
const trap = guard.trap;

/** A fake proxy that reads the CONNECT request and answers with whatever `script` writes. */
async function scriptedProxy(script: (socket: Socket) => void | Promise<void>): Promise<RawServer> {
  const server = await startRawServer(async (socket) => {
    await new Promise<void>((resolve) => {
      let head = '';
      const onData = (chunk: Buffer) => {
        head += chunk.toString('latin1');
        if (head.includes('\r\n\r\n')) {
          socket.off('data', onData);
          resolve();
        }
      };
      socket.on('data', onData);
    });
    await script(socket);
  });
  return guard.track(server);
}

const target = { host: '127.0.0.1', port: 9 };

describe('proxy that dies mid-tunnel', () => {
  it('a reset on CONNECT rejects with a NetworkError or ProxyError, leaving nothing behind', async () => {
    guard.begin();
    const proxy = guard.track(await startDyingProxy({ when: 'connect' }));
    const error = await openTunnel({ proxy: proxy.url, target }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WebSocketError);
    expect(error instanceof NetworkError || error instanceof ProxyError).toBe(true);
    await guard.finish();
  });

  it('a reset in the middle of the 200 answer rejects, leaving nothing behind', async () => {
    guard.begin();
    const proxy = await scriptedProxy((socket) => {
      socket.write('HTTP/1.1 200 Connection est', () => socket.resetAndDestroy());
    });
    const error = await openTunnel({ proxy: `http://127.0.0.1:${proxy.port}`, target }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WebSocketError);
    await guard.finish();
  });

  it('a proxy that closes before answering rejects with WS_ERR_PROXY_CLOSED', async () => {
    const proxy = await scriptedProxy((socket) => {
      socket.end();
    });
    await expect(openTunnel({ proxy: `http://127.0.0.1:${proxy.port}`, target })).rejects.toMatchObject({
      code: ErrorCode.ProxyClosed,
    });
    await expectNoEscapes(trap);
  });
});

describe('hostile proxy answers', () => {
  it('an endless status line stops at the line limit, long before the proxy is done sending', async () => {
    let written = 0;
    const proxy = await scriptedProxy(async (socket) => {
      socket.write('HTTP/1.1 200 ');
      const block = Buffer.alloc(64 * 1024, 'a');
      // 64 MiB of reason phrase: a parser that buffered it all would show in the test's memory.
      for (let i = 0; i < 1024 && !socket.destroyed; i++) {
        written += block.length;
        if (!socket.write(block)) await Promise.race([once(socket, 'drain'), once(socket, 'close')]);
      }
    });
    const error = await openTunnel({ proxy: `http://127.0.0.1:${proxy.port}`, target }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProxyError);
    expect((error as ProxyError).code).toBe(ErrorCode.ProxyInvalidResponse);
    expect(written).toBeLessThan(64 * 1024 * 1024);
    await expectNoEscapes(trap);
  });

  it('more header lines than the limit are refused', async () => {
    const proxy = await scriptedProxy((socket) => {
      const lines = Array.from({ length: 129 }, (_, i) => `x-h${i}: v`).join('\r\n');
      socket.write(`HTTP/1.1 200 OK\r\n${lines}\r\n\r\n`);
    });
    await expect(openTunnel({ proxy: `http://127.0.0.1:${proxy.port}`, target })).rejects.toMatchObject({
      code: ErrorCode.ProxyInvalidResponse,
    });
    await expectNoEscapes(trap);
  });

  it('exactly the limit of header lines is accepted', async () => {
    const proxy = await scriptedProxy((socket) => {
      const lines = Array.from({ length: 128 }, (_, i) => `x-h${i}: v`).join('\r\n');
      socket.write(`HTTP/1.1 200 OK\r\n${lines}\r\n\r\n`);
    });
    const socket = await openTunnel({ proxy: `http://127.0.0.1:${proxy.port}`, target });
    socket.destroy();
    await expectNoEscapes(trap);
  });

  it('a proxy that never answers is given up after `timeout`, and the timer and socket are released', async () => {
    guard.begin();
    const proxy = await scriptedProxy(() => {});
    const started = Date.now();
    await expect(
      openTunnel({ proxy: `http://127.0.0.1:${proxy.port}`, target, timeout: 150 }),
    ).rejects.toMatchObject({
      code: ErrorCode.ProxyTimeout,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await guard.finish();
  });

  it('garbage instead of HTTP is refused as an invalid response', async () => {
    const proxy = await scriptedProxy((socket) => {
      socket.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x0d, 0x0a, 0x0d, 0x0a]));
    });
    await expect(openTunnel({ proxy: `http://127.0.0.1:${proxy.port}`, target })).rejects.toMatchObject({
      code: ErrorCode.ProxyInvalidResponse,
    });
    await expectNoEscapes(trap);
  });
});
