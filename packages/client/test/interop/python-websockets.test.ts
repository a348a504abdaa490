import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate, type TlsFixture } from '../../../../test-support/tls-fixture.js';
import { Client } from '../../src/client.js';
import { echo, outcome } from '../support/events.js';
import { type RunningProxy, startSquid } from '../support/proxies.js';
import { type PythonServer, startPythonServer } from '../support/python-server.js';

let certificate: TlsFixture;
let dir: string;
let plain: PythonServer;
let secure: PythonServer;
let squid: RunningProxy;

beforeAll(async () => {
  certificate = selfSignedCertificate();
  dir = mkdtempSync(join(tmpdir(), 'sockeye-python-'));
  writeFileSync(join(dir, 'cert.pem'), certificate.cert);
  writeFileSync(join(dir, 'key.pem'), certificate.key);
  [plain, secure, squid] = await Promise.all([
    startPythonServer(),
    startPythonServer({ certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') }),
    startSquid(),
  ]);
}, 30_000);

afterAll(async () => {
  await Promise.all([plain, secure, squid].map((s) => s?.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('Client against Python websockets', () => {
  it('echoes text and binary over ws:, with the subprotocol selected', async () => {
    const ws = new Client(`ws://127.0.0.1:${plain.port}/`, ['echo']);
    ws.once('open', () => expect(ws.protocol).toBe('echo'));
    const big = 'x'.repeat(100_000);
    expect(await echo(ws, ['hello python', Buffer.from([0, 1, 2, 255]), big])).toEqual([
      'hello python',
      Buffer.from([0, 1, 2, 255]),
      big,
    ]);
  });

  it('echoes over wss: trusted through tls.ca', async () => {
    const ws = new Client(`wss://localhost:${secure.port}/`, ['echo'], { tls: { ca: certificate.cert } });
    expect(await echo(ws, ['hello secure python'])).toEqual(['hello secure python']);
  });

  it('refuses the wss: server without the certificate', async () => {
    const ws = new Client(`wss://localhost:${secure.port}/`);
    const result = await outcome(ws);
    expect(result.events).toEqual(['error', 'close']);
    expect(result.close.code).toBe(1006);
  });

  it('echoes over wss: through squid', async () => {
    const ws = new Client(`wss://localhost:${secure.port}/`, ['echo'], {
      ca: certificate.cert,
      proxy: { origin: squid.url },
    });
    expect(await echo(ws, ['python via squid'])).toEqual(['python via squid']);
  });

  it('answers the server’s close with a clean close', async () => {
    const ws = new Client(`ws://127.0.0.1:${plain.port}/`, ['echo']);
    await new Promise((resolve) => ws.once('open', resolve));
    const closed = outcome(ws);
    ws.close(4000, 'custom');
    const result = await closed;
    expect(result.close.code).toBe(4000);
    expect(result.close.reason).toBe('custom');
    expect(result.close.wasClean).toBe(true);
  });
});
