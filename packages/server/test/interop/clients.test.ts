import { execFile } from 'node:child_process';
import { once } from 'node:events';
import Faye from 'faye-websocket';
import deflate from 'permessage-deflate';
import type { Browser } from 'playwright-core';
import { WebSocket as UndiciWebSocket } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import WS from 'ws';
import { launchChromium } from '../../../../test-support/chromium.js';
import type { ServerOptions, WebSocket as ServerWebSocket } from '../../src/index.js';
import { closeServers, startServer } from '../support/servers.js';

afterEach(closeServers);

interface CloseInfo {
  code: number;
  reason: string;
  wasClean: boolean;
}

/** An echo server (`ws.pipe(ws)`) that records each connection's extensions and close event. */
async function echoServer(options: ServerOptions = {}) {
  const closes: Promise<CloseInfo>[] = [];
  const server = await startServer({
    protocols: ['echo'],
    ws: options,
    onSocket: (ws: ServerWebSocket) => {
      ws.pipe(ws);
      closes.push(
        new Promise((resolve) =>
          ws.once('close', (e: CloseInfo) =>
            resolve({ code: e.code, reason: e.reason, wasClean: e.wasClean }),
          ),
        ),
      );
    },
  });
  return { server, closes };
}

const withDeflate = { extensions: [deflate] };

function run(file: string, args: string[], timeout = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

describe.each([
  ['without permessage-deflate', false],
  ['with permessage-deflate', true],
])('interop %s', (_name, compress) => {
  const options = compress ? withDeflate : {};

  it('ws client', async () => {
    const { server, closes } = await echoServer(options);
    const client = new WS(`${server.origin}/`, ['echo'], { perMessageDeflate: compress });
    await once(client, 'open');
    expect(client.extensions).toBe(compress ? 'permessage-deflate' : '');
    expect(server.accepted[0]!.extensions.startsWith('permessage-deflate')).toBe(compress);
    const received: Array<[string, boolean]> = [];
    const done = new Promise<void>((resolve) =>
      client.on('message', (data: Buffer, binary: boolean) => {
        received.push([binary ? data.toString('hex') : data.toString(), binary]);
        if (received.length === 3) resolve();
      }),
    );
    client.send('hello ws');
    client.send(Buffer.from([0, 1, 2, 255]));
    client.send('x'.repeat(100_000));
    await done;
    expect(received[0]).toEqual(['hello ws', false]);
    expect(received[1]).toEqual(['000102ff', true]);
    expect(received[2]![0]).toBe('x'.repeat(100_000));
    client.close(1000, 'bye');
    expect(await closes[0]).toEqual({ code: 1000, reason: 'bye', wasClean: true });
  });

  it('faye-websocket client', async () => {
    const { server, closes } = await echoServer(options);
    const client = new Faye.Client(`${server.origin}/`, ['echo'], compress ? { extensions: [deflate] } : {});
    await new Promise((resolve) => client.on('open', resolve));
    expect(client.protocol).toBe('echo');
    expect(Boolean(client.headers['sec-websocket-extensions'])).toBe(compress);
    const received: unknown[] = [];
    const done = new Promise<void>((resolve) =>
      client.on('message', (event: { data: unknown }) => {
        received.push(event.data);
        if (received.length === 2) resolve();
      }),
    );
    client.send('hello faye');
    client.send(Buffer.from([9, 8, 7]));
    await done;
    expect(received).toEqual(['hello faye', Buffer.from([9, 8, 7])]);
    const closed = new Promise<{ code: number }>((resolve) => client.on('close', resolve));
    client.close(1000, 'faye done');
    expect((await closed).code).toBe(1000);
    expect(await closes[0]).toEqual({ code: 1000, reason: 'faye done', wasClean: true });
  });

  it('undici WebSocket (the implementation behind Node’s global WebSocket)', async () => {
    const { server, closes } = await echoServer(options);
    const client = new UndiciWebSocket(`${server.origin}/`, ['echo']);
    client.binaryType = 'arraybuffer';
    await new Promise((resolve, reject) => {
      client.onopen = resolve;
      client.onerror = reject;
    });
    expect(client.extensions.startsWith('permessage-deflate')).toBe(compress);
    const received: unknown[] = [];
    const done = new Promise<void>((resolve) => {
      client.onmessage = (event) => {
        received.push(typeof event.data === 'string' ? event.data : [...new Uint8Array(event.data)]);
        if (received.length === 2) resolve();
      };
    });
    client.send('hello undici');
    client.send(new Uint8Array([1, 2, 3]));
    await done;
    expect(received).toEqual(['hello undici', [1, 2, 3]]);
    const closed = new Promise<{ code: number; wasClean: boolean }>((resolve) => {
      client.onclose = resolve as never;
    });
    client.close(1000, 'undici done');
    const event = await closed;
    expect([event.code, event.wasClean]).toEqual([1000, true]);
    expect(await closes[0]).toEqual({ code: 1000, reason: 'undici done', wasClean: true });
  });

  it('Node 20’s built-in WebSocket (--experimental-websocket, in a child process)', async () => {
    const { server, closes } = await echoServer(options);
    const script = `
      const ws = new WebSocket(${JSON.stringify(`${server.origin}/`)}, ['echo']);
      ws.binaryType = 'arraybuffer';
      const got = [];
      ws.onopen = () => { ws.send('hello node'); ws.send(new Uint8Array([4, 5])); };
      ws.onmessage = (e) => {
        got.push(typeof e.data === 'string' ? e.data : [...new Uint8Array(e.data)]);
        if (got.length === 2) ws.close(1000, 'node done');
      };
      ws.onclose = (e) => { console.log(JSON.stringify({ got, code: e.code, wasClean: e.wasClean, ext: ws.extensions })); };
      ws.onerror = (e) => { console.error('error', e.message); process.exit(1); };
    `;
    const out = JSON.parse(
      await run(process.execPath, ['--experimental-websocket', '--no-warnings', '-e', script]),
    );
    expect(out.got).toEqual(['hello node', [4, 5]]);
    expect([out.code, out.wasClean]).toEqual([1000, true]);
    expect(await closes[0]).toEqual({ code: 1000, reason: 'node done', wasClean: true });
  });

  it('Python websockets', async () => {
    const { server, closes } = await echoServer(options);
    const script = `
import asyncio, json, sys, websockets
async def main():
    async with websockets.connect(sys.argv[1], subprotocols=['echo'], compression=${compress ? "'deflate'" : 'None'}) as ws:
        await ws.send('hello python')
        text = await ws.recv()
        await ws.send(bytes([7, 7, 7]))
        data = await ws.recv()
        ext = ws.response_headers.get('Sec-WebSocket-Extensions', '')
        await ws.close(1000, 'python done')
        print(json.dumps({'text': text, 'data': list(data), 'ext': ext, 'code': ws.close_code}))
asyncio.run(main())
`;
    const out = JSON.parse(await run('/usr/bin/python3', ['-c', script, `${server.origin}/`]));
    expect(out.text).toBe('hello python');
    expect(out.data).toEqual([7, 7, 7]);
    expect(out.ext.startsWith('permessage-deflate')).toBe(compress);
    expect(out.code).toBe(1000);
    expect(await closes[0]).toEqual({ code: 1000, reason: 'python done', wasClean: true });
  });
});

describe('interop with headless Chromium', () => {
  let browser: Browser | undefined;

  afterAll(async () => {
    await browser?.close();
  });

  it.each([
    ['without permessage-deflate', false],
    ['with permessage-deflate', true],
  ])('exchanges messages and closes cleanly %s', async (_name, compress) => {
    const { server, closes } = await echoServer(compress ? withDeflate : {});
    browser ??= await launchChromium();
    const page = await browser.newPage();
    try {
      const out = await page.evaluate(async (url: string) => {
        const ws = new WebSocket(url, ['echo']);
        ws.binaryType = 'arraybuffer';
        const got: unknown[] = [];
        return await new Promise<object>((resolve, reject) => {
          ws.onopen = () => {
            ws.send('hello chromium');
            ws.send(new Uint8Array([3, 1, 4]));
          };
          ws.onmessage = (e) => {
            got.push(typeof e.data === 'string' ? e.data : Array.from(new Uint8Array(e.data)));
            if (got.length === 2) ws.close(1000, 'chromium done');
          };
          ws.onclose = (e) => resolve({ got, code: e.code, wasClean: e.wasClean, ext: ws.extensions });
          ws.onerror = () => reject(new Error('websocket error'));
        });
      }, `${server.origin}/`);
      expect(out).toMatchObject({ got: ['hello chromium', [3, 1, 4]], code: 1000, wasClean: true });
      expect((out as { ext: string }).ext.startsWith('permessage-deflate')).toBe(compress);
      expect(await closes[0]).toEqual({ code: 1000, reason: 'chromium done', wasClean: true });
    } finally {
      await page.close();
    }
  });
});
