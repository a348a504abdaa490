// Every code sample of the faye-websocket README, run against `require('sockeye')` (the built
// CommonJS package, as an application loads it). The sample bodies are the README's, apart from the
// module name, the port (0 on 127.0.0.1 instead of 8000) and the URL the client dials.
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { EventSource as EventSourceClient } from 'eventsource';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as WsClient } from 'ws';
import { listenLoopback } from '../../../../test-support/loopback-port.js';

const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: the samples are untyped JavaScript.
type Any = any;

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

async function listen(server: http.Server): Promise<number> {
  const port = await listenLoopback(server);
  cleanups.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return port;
}

function wsClient(url: string, protocols?: string[]): Promise<Any> {
  const client = new WsClient(url, protocols);
  cleanups.push(() => client.terminate());
  return once(client, 'open').then(() => client);
}

describe('faye-websocket README: Handling WebSocket connections in Node', () => {
  it('the echo server echoes and logs the close code and reason', async () => {
    const closes: Array<[number, string]> = [];
    // --- sample ---
    var WebSocket = require('sockeye'),
      http_ = http;
    var server = http_.createServer();
    server.on('upgrade', (request: Any, socket: Any, body: Any) => {
      if (WebSocket.isWebSocket(request)) {
        var ws = new WebSocket(request, socket, body);
        ws.on('message', (event: Any) => {
          ws.send(event.data);
        });
        ws.on('close', (event: Any) => {
          closes.push([event.code, event.reason]);
          ws = null;
        });
      }
    });
    // --- end of sample ---
    const port = await listen(server);
    const client = await wsClient(`ws://127.0.0.1:${port}/`);
    client.send('Hello, world!');
    const [text] = await once(client, 'message');
    expect(text.toString()).toBe('Hello, world!');
    client.send(Buffer.from([1, 2, 3]));
    const [binary, isBinary] = await once(client, 'message');
    expect(isBinary).toBe(true);
    expect([...binary]).toEqual([1, 2, 3]);
    client.close(4000, 'bye');
    const [code, reason] = await once(client, 'close');
    expect([code, reason.toString()]).toEqual([4000, 'bye']);
    expect(closes).toEqual([[4000, 'bye']]);
  });

  it('ws.pipe(ws) echoes', async () => {
    var WebSocket = require('sockeye');
    var server = http.createServer();
    server.on('upgrade', (request: Any, socket: Any, body: Any) => {
      if (WebSocket.isWebSocket(request)) {
        var ws = new WebSocket(request, socket, body);
        ws.pipe(ws);
      }
    });
    const port = await listen(server);
    const client = await wsClient(`ws://127.0.0.1:${port}/`);
    const received: string[] = [];
    client.on('message', (data: Buffer) => received.push(data.toString()));
    for (const m of ['one', 'two', 'three']) client.send(m);
    await expect.poll(() => received).toEqual(['one', 'two', 'three']);
  });

  it('ws.ping() fires its callback when the matching pong arrives, and returns true', async () => {
    var WebSocket = require('sockeye');
    const server = http.createServer();
    const result = new Promise<boolean>((resolve) => {
      server.on('upgrade', (request: Any, socket: Any, body: Any) => {
        const ws = new WebSocket(request, socket, body);
        ws.on('open', () => {
          let sent = false;
          // --- sample ---
          sent = ws.ping('Mic check, one, two', () => {
            // fires when pong is received
            resolve(sent);
          });
          // --- end of sample ---
        });
      });
    });
    const port = await listen(server);
    const client = new WsClient(`ws://127.0.0.1:${port}/`);
    cleanups.push(() => client.terminate());
    const [payload] = await once(client, 'ping');
    expect(payload.toString()).toBe('Mic check, one, two');
    expect(await result).toBe(true);
  });
});

describe('faye-websocket README: Using the WebSocket client', () => {
  it('the client sample opens, sends, receives and closes', async () => {
    const server = http.createServer();
    const Sockeye = require('sockeye');
    server.on('upgrade', (request: Any, socket: Any, body: Any) => {
      const ws = new Sockeye(request, socket, body);
      ws.pipe(ws);
    });
    const port = await listen(server);
    const log: unknown[][] = [];
    const console = { log: (...args: unknown[]) => log.push(args) };
    const done = new Promise<void>((resolve) => {
      // --- sample ---
      var WebSocket = require('sockeye'),
        ws = new WebSocket.Client(`ws://127.0.0.1:${port}/`);
      ws.on('open', (_event: Any) => {
        console.log('open');
        ws.send('Hello, world!');
      });
      ws.on('message', (event: Any) => {
        console.log('message', event.data);
        ws.close(); // not in the sample, which leaves the connection open
      });
      ws.on('close', (event: Any) => {
        console.log('close', event.code, event.reason);
        ws = null;
        resolve();
      });
      // --- end of sample ---
    });
    await done;
    expect(log).toEqual([['open'], ['message', 'Hello, world!'], ['close', 1000, '']]);
  });

  it('exposes statusCode and headers of the handshake response', async () => {
    const Sockeye = require('sockeye');
    const server = http.createServer();
    server.on('upgrade', (request: Any, socket: Any, body: Any) => new Sockeye(request, socket, body));
    const port = await listen(server);
    var WebSocket = require('sockeye'),
      ws = new WebSocket.Client(`ws://127.0.0.1:${port}/`);
    cleanups.push(() => ws.close());
    await once(ws, 'open');
    expect(ws.statusCode).toBe(101);
    expect(ws.headers.upgrade.toLowerCase()).toBe('websocket');
  });

  it('connects through a proxy with origin, credentials, headers and tls options', async () => {
    const { createProxy } = await import('proxy');
    const proxyServer = createProxy(http.createServer());
    const connects: Array<{ auth: string | undefined; agent: string | undefined }> = [];
    proxyServer.authenticate = (req: http.IncomingMessage) => {
      connects.push({ auth: req.headers['proxy-authorization'], agent: req.headers['user-agent'] });
      return (
        req.headers['proxy-authorization'] === `Basic ${Buffer.from('username:password').toString('base64')}`
      );
    };
    const proxyPort = await listen(proxyServer);
    const Sockeye = require('sockeye');
    const server = http.createServer();
    server.on('upgrade', (request: Any, socket: Any, body: Any) => {
      const ws = new Sockeye(request, socket, body);
      ws.pipe(ws);
    });
    const port = await listen(server);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockeye-readme-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.writeFileSync(path.join(dir, 'client.crt'), '');
    const cwd = process.cwd();
    process.chdir(dir); // the sample reads 'client.crt' from the working directory
    cleanups.push(() => process.chdir(cwd));
    var WebSocket = require('sockeye');
    // --- sample ---
    var ws = new WebSocket.Client(`ws://127.0.0.1:${port}/`, [], {
      proxy: {
        origin: `http://username:password@127.0.0.1:${proxyPort}`,
        headers: { 'User-Agent': 'node' },
        tls: { cert: fs.readFileSync('client.crt') },
      },
    });
    // --- end of sample ---
    cleanups.push(() => ws.close());
    await once(ws, 'open');
    ws.send('through the proxy');
    const [event] = await once(ws, 'message');
    expect(event.data).toBe('through the proxy');
    expect(connects).toEqual([{ auth: 'Basic dXNlcm5hbWU6cGFzc3dvcmQ=', agent: 'node' }]);
  });
});

describe('faye-websocket README: Subprotocol negotiation and extensions', () => {
  it('both sides expose the protocol they agreed on', async () => {
    var WebSocket = require('sockeye');
    var server = http.createServer();
    const serverSide = new Promise<string>((resolve) => {
      server.on('upgrade', (request: Any, socket: Any, body: Any) => {
        // --- sample ---
        var ws = new WebSocket(request, socket, body, ['irc', 'amqp']);
        // --- end of sample ---
        ws.on('open', () => resolve(ws.protocol));
      });
    });
    const port = await listen(server);
    // --- sample ---
    var ws = new WebSocket.Client(`ws://127.0.0.1:${port}/`, ['irc', 'amqp']);
    // --- end of sample ---
    cleanups.push(() => ws.close());
    await once(ws, 'open');
    expect(ws.protocol).toBe('irc');
    expect(await serverSide).toBe('irc');
  });

  it('permessage-deflate from npm compresses both ways', async () => {
    var WebSocket = require('sockeye');
    // --- sample ---
    var deflate = require('permessage-deflate');
    // --- end of sample ---
    const server = http.createServer();
    server.on('upgrade', (request: Any, socket: Any, body: Any) => {
      // --- sample ---
      var ws = new WebSocket(request, socket, body, [], { extensions: [deflate] });
      // --- end of sample ---
      ws.pipe(ws);
    });
    const port = await listen(server);
    const client = new WsClient(`ws://127.0.0.1:${port}/`, { perMessageDeflate: true });
    cleanups.push(() => client.terminate());
    await once(client, 'open');
    expect(client.extensions).toMatch(/^permessage-deflate/);
    const big = 'compress me '.repeat(10_000);
    client.send(big);
    const [data] = await once(client, 'message');
    expect(data.toString()).toBe(big);
  });
});

describe('faye-websocket README: Initialization options', () => {
  it('headers, maxLength and ping act as documented', async () => {
    var WebSocket = require('sockeye');
    const server = http.createServer();
    const closed = new Promise<number>((resolve) => {
      server.on('upgrade', (request: Any, socket: Any, body: Any) => {
        var options = { headers: { 'X-Powered-By': 'sockeye' }, maxLength: 16, ping: 0.05 };
        var ws = new WebSocket(request, socket, body, null, options);
        ws.on('close', (event: Any) => resolve(event.code));
      });
    });
    const port = await listen(server);
    const client = new WsClient(`ws://127.0.0.1:${port}/`);
    cleanups.push(() => client.terminate());
    const upgraded = once(client, 'upgrade');
    const pinged = once(client, 'ping'); // the `ping` option, in seconds
    const [response] = await upgraded;
    expect(response.headers['x-powered-by']).toBe('sockeye');
    await pinged;
    client.send('x'.repeat(17)); // one byte over maxLength
    const [code] = await once(client, 'close');
    expect(code).toBe(1009);
    expect(await closed).toBe(1009);
  });

  it('unknown option keys throw', () => {
    var WebSocket = require('sockeye');
    expect(() => new WebSocket.Client('ws://127.0.0.1:1/', [], { pign: 10 })).toThrow(
      'Unrecognized option: pign',
    );
  });
});

describe('faye-websocket README: Handling EventSource connections in Node', () => {
  it('the EventSource sample streams messages and serves plain requests', async () => {
    const opened: Array<[string, string]> = [];
    let closed = false;
    // --- sample ---
    var WebSocket = require('sockeye'),
      EventSource = WebSocket.EventSource;
    var server = http.createServer();
    server.on('request', (request: Any, response: Any) => {
      if (EventSource.isEventSource(request)) {
        var es = new EventSource(request, response);
        opened.push([es.url, es.lastEventId]);
        // Periodically send messages
        var loop = setInterval(() => {
          es.send('Hello');
        }, 20);
        es.on('close', () => {
          clearInterval(loop);
          es = null;
          closed = true;
        });
      } else {
        // Normal HTTP request
        response.writeHead(200, { 'Content-Type': 'text/plain' });
        response.end('Hello');
      }
    });
    // --- end of sample ---
    const port = await listen(server);
    const plain = await fetch(`http://127.0.0.1:${port}/`);
    expect(await plain.text()).toBe('Hello');

    const source = new EventSourceClient(`http://127.0.0.1:${port}/stream`, {
      fetch: (input, init) =>
        fetch(input, { ...init, headers: { ...(init?.headers as object), 'Last-Event-ID': '41' } }),
    });
    cleanups.push(() => source.close());
    const messages: string[] = [];
    await new Promise<void>((resolve) => {
      source.onmessage = (event) => {
        messages.push(event.data);
        if (messages.length === 2) resolve();
      };
    });
    expect(messages).toEqual(['Hello', 'Hello']);
    expect(opened).toEqual([[`http://127.0.0.1:${port}/stream`, '41']]);
    source.close();
    await expect.poll(() => closed).toBe(true);
  });

  it('send() with event and id, options, and ping() reach the wire as documented', async () => {
    var WebSocket = require('sockeye'),
      EventSource = WebSocket.EventSource;
    const server = http.createServer((request: Any, response: Any) => {
      // --- sample ---
      var es = new EventSource(request, response, {
        headers: { 'Access-Control-Allow-Origin': '*' },
        ping: 15,
        retry: 10,
      });
      // --- end of sample ---
      // --- sample ---
      es.send('Breaking News!', { event: 'notification', id: '99' });
      // --- end of sample ---
      es.ping();
      cleanups.push(() => es.close());
    });
    const port = await listen(server);
    const response = await fetch(`http://127.0.0.1:${port}/`, { headers: { Accept: 'text/event-stream' } });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    let text = '';
    while (!/\n:[^\n]*\n\n/.test(text.split('data: Breaking News!')[1] ?? '')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
    }
    await reader.cancel();
    expect(text).toMatch(/^retry: 10000\r?\n/);
    expect(text).toMatch(/event: notification\r?\nid: 99\r?\ndata: Breaking News!\r?\n\r?\n/);
  });
});
