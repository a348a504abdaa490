/**
 * faye-websocket-node's client_spec (spec/faye/websocket/client_spec.js), whose one block runs for six
 * combinations: {no proxy, plain proxy, TLS proxy} × {ws server, wss server}, protocols
 * ["foo", "echo"], an echo server that pipes (`ws.pipe(ws)`), TLS trusted through `tls.ca`,
 * `proxy.tls.ca` or the legacy `ca`. Rewritten against this client; the assertions are faye's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate, type TlsFixture } from '../../../../test-support/tls-fixture.js';
import { Client, type ClientOptions } from '../../src/index.js';
import { nextMessage, opened, outcome } from '../support/events.js';
import { type RunningProxy, startNpmProxy } from '../support/proxies.js';
import { type RunningServer, startEchoServer } from '../support/servers.js';

let certificate: TlsFixture;
let plainServer: RunningServer;
let secureServer: RunningServer;
let plainProxy: RunningProxy;
let secureProxy: RunningProxy;

beforeAll(async () => {
  certificate = selfSignedCertificate();
  [plainServer, secureServer, plainProxy, secureProxy] = await Promise.all([
    startEchoServer(),
    startEchoServer(certificate),
    startNpmProxy(),
    startNpmProxy({ tls: certificate }),
  ]);
});

afterAll(async () => {
  await Promise.all([plainServer, secureServer, plainProxy, secureProxy].map((s) => s?.close()));
});

type Combination = [string, () => string, () => ClientOptions];

const combinations: Combination[] = [
  ['no proxy, ws server', () => `ws://127.0.0.1:${plainServer.port}/`, () => ({})],
  [
    'no proxy, wss server',
    () => `wss://localhost:${secureServer.port}/`,
    () => ({ tls: { ca: certificate.cert } }),
  ],
  [
    'plain proxy, ws server',
    () => `ws://127.0.0.1:${plainServer.port}/`,
    () => ({ proxy: { origin: plainProxy.url } }),
  ],
  [
    'plain proxy, wss server',
    () => `wss://localhost:${secureServer.port}/`,
    () => ({ proxy: { origin: plainProxy.url }, ca: certificate.cert }),
  ],
  [
    'TLS proxy, ws server',
    () => `ws://127.0.0.1:${plainServer.port}/`,
    () => ({ proxy: { origin: `https://localhost:${secureProxy.port}`, tls: { ca: certificate.cert } } }),
  ],
  [
    'TLS proxy, wss server',
    () => `wss://localhost:${secureServer.port}/`,
    () => ({
      proxy: { origin: `https://localhost:${secureProxy.port}`, tls: { ca: certificate.cert } },
      tls: { ca: certificate.cert },
    }),
  ],
];

describe.each(combinations)('faye client spec: %s', (_name, url, options) => {
  const protocols = ['foo', 'echo'];

  it('can open a connection', async () => {
    const ws = new Client(url(), protocols, options());
    await opened(ws);
    expect(ws.statusCode).toBe(101);
    expect(ws.headers?.upgrade).toBe('websocket');
    expect(ws.protocol).toBe('echo');
    ws.close();
    await outcome(ws);
  });

  it('can close the connection', async () => {
    const ws = new Client(url(), protocols, options());
    await opened(ws);
    expect(ws.readable).toBe(true);
    const closed = outcome(ws);
    ws.close();
    await closed;
    expect(ws.readable).toBe(false);
  });

  describe('in the OPEN state', () => {
    it('can send and receive messages', async () => {
      const ws = new Client(url(), protocols, options());
      await opened(ws);
      ws.send('I expect this to be echoed');
      expect(await nextMessage(ws)).toBe('I expect this to be echoed');
      ws.close();
      await outcome(ws);
    });

    it('sends numbers as strings', async () => {
      const ws = new Client(url(), protocols, options());
      await opened(ws);
      ws.send(13 as never);
      expect(await nextMessage(ws)).toBe('13');
      ws.close();
      await outcome(ws);
    });

    it('sends booleans as strings', async () => {
      const ws = new Client(url(), protocols, options());
      await opened(ws);
      ws.send(false as never);
      expect(await nextMessage(ws)).toBe('false');
      ws.close();
      await outcome(ws);
    });

    it('sends arrays as strings', async () => {
      const ws = new Client(url(), protocols, options());
      await opened(ws);
      ws.send([13, 14, 15] as never);
      expect(await nextMessage(ws)).toBe('13,14,15');
      ws.close();
      await outcome(ws);
    });
  });

  describe('in the CLOSED state', () => {
    it('cannot send and receive messages', async () => {
      const ws = new Client(url(), protocols, options());
      await opened(ws);
      let messages = 0;
      ws.on('message', () => messages++);
      const closed = outcome(ws);
      ws.close();
      await closed;
      expect(ws.send('I expect this to be echoed')).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(messages).toBe(0);
    });
  });

  it('can be closed before connecting', async () => {
    const ws = new Client(url(), protocols, options());
    let opens = 0;
    ws.onopen = () => opens++;
    let closes = 0;
    ws.onclose = () => closes++;
    const closed = outcome(ws);
    ws.close();
    await closed;
    expect(closes).toBe(1);
    expect(opens).toBe(0);
    expect(ws.readable).toBe(false);
  });
});
