import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import WS, { WebSocketServer } from 'ws';
import { type PermessageDeflateOptions, permessageDeflate } from '../../src/index.js';
import { type CoreWebSocket, closeAll, sockeyeClient, sockeyeServer } from './permessage-deflate-support.js';

/** ws's `perMessageDeflate` options (ws ships no types here). */
interface PerMessageDeflateOptions {
  serverNoContextTakeover?: boolean;
  clientNoContextTakeover?: boolean;
  serverMaxWindowBits?: number;
  clientMaxWindowBits?: number;
  threshold?: number;
}

// sockeye's built-in permessage-deflate against ws's, over TCP on 127.0.0.1, both directions,
// with each of RFC 7692's four parameters asked for by either end and with thresholds.

const peers: Array<{ close(): void }> = [];
afterEach(() => {
  for (const peer of peers.splice(0)) peer.close();
});
afterAll(closeAll);

/** The RFC 7692 §7.1 parameters, by the option that asks for each in ws and in sockeye (the same). */
const OPTION_OF = {
  server_no_context_takeover: 'serverNoContextTakeover',
  client_no_context_takeover: 'clientNoContextTakeover',
  server_max_window_bits: 'serverMaxWindowBits',
  client_max_window_bits: 'clientMaxWindowBits',
} as const;

/** Options both libraries read the same way: one RFC 7692 parameter asked for. */
type RfcOptions = PerMessageDeflateOptions & PermessageDeflateOptions;

/**
 * The case of one end asking for `param`, written as the header carries it
 * (`server_no_context_takeover`, `server_max_window_bits=10`): its name, the options that ask for it,
 * and the response header that grants it as asked.
 */
function asking(param: `${keyof typeof OPTION_OF}${'' | `=${number}`}`): [string, RfcOptions, string] {
  const [name, bits] = param.split('=') as [keyof typeof OPTION_OF, string | undefined];
  const options: RfcOptions = { [OPTION_OF[name]]: bits === undefined ? true : Number(bits) };
  return [param, options, `permessage-deflate; ${param}`];
}

/** Text that compresses, of `size` bytes; binary that does too. */
function payloads(size: number): Array<string | Buffer> {
  const line = 'The quick brown fox jumps over the lazy dog. ';
  const text = line.repeat(Math.ceil(size / line.length)).slice(0, size);
  const binary = Buffer.alloc(size);
  for (let i = 0; i < size; i++) binary[i] = (i * 7) % 251 === 0 ? i & 0xff : 0x42;
  return [text, binary];
}
const SIZES = [0, 20, 1023, 1024, 5000, 70_000, 300_000];

function same(a: string | Buffer, b: unknown): boolean {
  return typeof a === 'string' ? a === b : Buffer.isBuffer(b) && a.equals(b);
}

/** Sends every payload from `send`, awaiting the echoes on `received`, in order. */
async function echoAll(send: (data: string | Buffer) => void, received: unknown[]): Promise<void> {
  const all = SIZES.flatMap(payloads);
  for (const data of all) send(data);
  const deadline = Date.now() + 10_000;
  while (received.length < all.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  expect(received).toHaveLength(all.length);
  all.forEach((data, i) => {
    expect(same(data, received[i]), `message ${i} (${data.length} bytes)`).toBe(true);
  });
}

describe('sockeye server, ws client', () => {
  async function serve(
    options: PermessageDeflateOptions = {},
  ): Promise<{ port: number; header: () => string }> {
    let header = '';
    const port = await sockeyeServer([permessageDeflate(options)], (ws, response) => {
      header = response;
      ws.on('message', (event: { data: string | Buffer }) => ws.send(event.data));
    });
    return { port, header: () => header };
  }

  async function connect(port: number, options: PerMessageDeflateOptions) {
    const client = new WS(`ws://127.0.0.1:${port}`, { perMessageDeflate: options });
    peers.push(client);
    await once(client, 'open');
    const received: unknown[] = [];
    client.on('message', (data: Buffer, isBinary: boolean) =>
      received.push(isBinary ? data : data.toString()),
    );
    return { client, received };
  }

  it.each<[string, PerMessageDeflateOptions, string]>([
    ['default offer', {}, 'permessage-deflate'],
    asking('server_no_context_takeover'),
    asking('client_no_context_takeover'),
    asking('server_max_window_bits=10'),
    asking('server_max_window_bits=8'),
    ['client_max_window_bits=9', { clientMaxWindowBits: 9 }, 'permessage-deflate'],
    ['threshold 0 (ws compresses everything)', { threshold: 0 }, 'permessage-deflate'],
  ])('ws offering %s: negotiated and every message echoed', async (_what, options, expected) => {
    const server = await serve();
    const { client, received } = await connect(server.port, options);
    expect(server.header()).toBe(expected);
    // ws lists only the names of the extensions it accepted.
    expect(client.extensions).toBe('permessage-deflate');
    await echoAll((data) => client.send(data), received);
  });

  it.each<[string, PermessageDeflateOptions, string]>([
    asking('server_no_context_takeover'),
    asking('client_no_context_takeover'),
    asking('server_max_window_bits=11'),
    asking('client_max_window_bits=10'),
    [
      'threshold 0, level 9, windowBits 15',
      { threshold: 0, level: 9, windowBits: 15, memLevel: 8 },
      'permessage-deflate',
    ],
  ])('sockeye asking for %s: negotiated and every message echoed', async (_what, options, expected) => {
    const server = await serve(options);
    const { client, received } = await connect(server.port, {});
    expect(server.header()).toBe(expected);
    await echoAll((data) => client.send(data), received);
  });

  it('compresses on the wire: a 300 KB text echo costs the client a few KB of reading', async () => {
    const server = await serve();
    const { client, received } = await connect(server.port, {});
    const socket = (client as unknown as { _socket: { bytesRead: number } })._socket;
    const before = socket.bytesRead;
    const text = 'abcdefghij'.repeat(30_000);
    client.send(text);
    while (received.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(received[0]).toBe(text);
    expect(socket.bytesRead - before).toBeLessThan(10_000);
  });
});

describe('sockeye client, ws server', () => {
  let wss: InstanceType<typeof WebSocketServer> | null = null;
  afterEach(async () => {
    if (wss) {
      // Inner hooks run first: end the connections, or the server waits for them.
      for (const socket of wss.clients) socket.terminate();
      await new Promise((resolve) => wss!.close(resolve));
    }
    wss = null;
  });

  async function wsServer(options: PerMessageDeflateOptions): Promise<string> {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: options });
    await once(wss, 'listening');
    wss.on('connection', (socket: InstanceType<typeof WS>) => {
      socket.on('message', (data: Buffer, isBinary: boolean) => socket.send(data, { binary: isBinary }));
    });
    return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
  }

  async function connect(url: string, options: PermessageDeflateOptions) {
    const { ws, responseExtensions } = await sockeyeClient(url, [permessageDeflate(options)]);
    peers.push(ws);
    const received: unknown[] = [];
    ws.on('message', (event: { data: string | Buffer }) => received.push(event.data));
    return { ws, responseExtensions, received };
  }

  it.each<[string, PermessageDeflateOptions, string]>([
    ['default offer', {}, 'permessage-deflate'],
    asking('server_no_context_takeover'),
    asking('client_no_context_takeover'),
    asking('server_max_window_bits=10'),
    asking('client_max_window_bits=11'),
    ['threshold 0', { threshold: 0 }, 'permessage-deflate'],
  ])('sockeye offering %s: negotiated and every message echoed', async (_what, options, expected) => {
    const url = await wsServer({ threshold: 0 });
    const { ws, responseExtensions, received } = await connect(url, options);
    expect(responseExtensions).toBe(expected);
    await echoAll((data) => ws.send(data), received);
  });

  it.each<[string, PerMessageDeflateOptions, string]>([
    asking('server_no_context_takeover'),
    asking('client_no_context_takeover'),
    asking('server_max_window_bits=9'),
    asking('client_max_window_bits=9'),
  ])('ws answering with %s: accepted and every message echoed', async (_what, options, expected) => {
    const url = await wsServer(options);
    const { ws, responseExtensions, received } = await connect(url, {});
    expect(responseExtensions).toBe(expected);
    await echoAll((data) => ws.send(data), received);
  });

  it('accepts a server_max_window_bits the client did not ask for (§7.1.2.1 MAY)', async () => {
    const url = await wsServer({ serverMaxWindowBits: 10 });
    const { ws, responseExtensions, received } = await connect(url, {});
    expect(responseExtensions).toBe('permessage-deflate; server_max_window_bits=10');
    await echoAll((data) => ws.send(data), received);
  });
});

describe('limits over TCP', () => {
  it('a ws client sending a message that inflates past maxLength is closed with 1009', async () => {
    const closed: CoreWebSocket[] = [];
    const port = await sockeyeServer(
      [permessageDeflate()],
      (ws) => {
        closed.push(ws);
        ws.on('error', () => {});
      },
      1 << 20,
    );
    const client = new WS(`ws://127.0.0.1:${port}`, { perMessageDeflate: {} });
    peers.push(client);
    await once(client, 'open');
    client.send(Buffer.alloc(8 << 20));
    const [code] = (await once(client, 'close')) as [number];
    expect(code).toBe(1009);
  });
});
