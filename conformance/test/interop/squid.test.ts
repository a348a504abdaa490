import { Client } from '@sockeye/client';
import { type ErrorEvent, ProxyError } from '@sockeye/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningProxy, startSquid } from '../../../packages/client/test/support/proxies.js';
import { freePort } from '../../../test-support/loopback-port.js';
import { selfSignedCertificate } from '../../../test-support/tls-fixture.js';
import { clientPair } from './support/client-pair.js';
import { STEP_MS } from './support/conversation.js';
import { within } from './support/inbox.js';
import { describePair } from './support/matrix.js';
import { type PeerServer, wsServer } from './support/node-peers.js';

// The sockeye client through squid (a generated config, the client package's helper) as its HTTP
// CONNECT proxy, to a ws server over ws: and over wss: (TLS inside the tunnel).

const certificate = selfSignedCertificate();
let squid: RunningProxy;
let plain: PeerServer;
let secure: PeerServer;

beforeAll(async () => {
  [squid, plain, secure] = await Promise.all([startSquid(), wsServer(), wsServer(certificate)]);
}, 30_000);

afterAll(async () => {
  await Promise.all([squid?.close(), plain?.close(), secure?.close()]);
});

describe('the tunnel', () => {
  it('goes through squid: a target nobody listens on is squid’s 503, not ECONNREFUSED', async () => {
    const port = await freePort();
    const ws = new Client(`ws://127.0.0.1:${port}/`, ['echo'], { proxy: { origin: squid.url } });
    const error = await within(
      new Promise<ErrorEvent>((resolve) => ws.once('error', resolve)),
      STEP_MS,
      'error event',
    );
    expect(error.error).toBeInstanceOf(ProxyError);
    expect((error.error as ProxyError).statusCode).toBe(503);
  });
});

describe.each([false, true])('permessage-deflate %s', (compress) => {
  describePair(
    clientPair('squid → ws server (ws:)', compress, {
      url: (id) => `ws://127.0.0.1:${plain.port}/${id}`,
      server: () => plain,
      options: () => ({ proxy: { origin: squid.url } }),
    }),
  );
  describePair(
    clientPair('squid → ws server (wss:, TLS in the tunnel)', compress, {
      url: (id) => `wss://localhost:${secure.port}/${id}`,
      server: () => secure,
      options: () => ({ proxy: { origin: squid.url }, ca: certificate.cert }),
    }),
  );
});
