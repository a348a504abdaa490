/**
 * Times sockeye's handling of crafted request headers of growing size — the inputs behind
 * CVE-2020-7662 (websocket-extensions ReDoS), CVE-2021-32640 (ws subprotocol ReDoS) and their kin —
 * and checks that the time grows linearly with the header's length. The hardening tests assert only
 * the outcome (an answer, no crash); timing belongs here, where a loaded CI box cannot make it flaky.
 *
 *   pnpm exec tsx --conditions=source scripts/hostile-headers.ts            # sources
 *   pnpm build && pnpm exec tsx scripts/hostile-headers.ts                  # built dist/
 *
 * Each case sends one request over loopback to a real `http` server (with `maxHeaderSize` raised so
 * Node lets the header through, as an application expecting big headers would) and measures the time
 * from the first byte sent to the first byte of the answer, for 64 KiB, 256 KiB and 1 MiB values; the
 * median of several runs is kept. A benign header of the same size is the baseline (Node's own
 * parsing). Linear growth quadruples the time from 256 KiB to 1 MiB; quadratic growth multiplies it by
 * sixteen. The script exits 1 when a case grows faster than 8× (or takes over a second at 1 MiB).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { pathToFileURL } from 'node:url';

const KiB = 1024;
const SIZES = [64 * KiB, 256 * KiB, 1024 * KiB];
const RUNS = 5;

type Make = (size: number) => string;

interface Case {
  name: string;
  /** `ws` cases go through a WebSocket upgrade, `sse` through an EventSource request. */
  kind: 'ws' | 'sse';
  header: string;
  value: Make;
}

const fill = (unit: string, size: number) => unit.repeat(Math.max(1, Math.floor(size / unit.length)));

const CASES: Case[] = [
  { name: 'baseline: benign X-Filler', kind: 'ws', header: 'X-Filler', value: (n) => fill('a', n) },
  {
    name: 'extensions: unclosed quoted \\c pairs (CVE-2020-7662)',
    kind: 'ws',
    header: 'Sec-WebSocket-Extensions',
    value: (n) => `permessage-deflate; x="${fill('\\c', n)}`,
  },
  {
    name: 'extensions: semicolons',
    kind: 'ws',
    header: 'Sec-WebSocket-Extensions',
    value: (n) => `permessage-deflate${fill(';', n)}`,
  },
  {
    name: 'extensions: spaces then a token',
    kind: 'ws',
    header: 'Sec-WebSocket-Extensions',
    value: (n) => `permessage-deflate${fill(' ', n)}x`,
  },
  {
    name: 'extensions: many valid offers',
    kind: 'ws',
    header: 'Sec-WebSocket-Extensions',
    value: (n) => fill('permessage-deflate; client_max_window_bits, ', n).slice(0, -2),
  },
  {
    name: 'extensions: many parameters',
    kind: 'ws',
    header: 'Sec-WebSocket-Extensions',
    value: (n) => `permessage-deflate${fill('; a=1', n)}`,
  },
  {
    name: 'protocol: b, spaces, x (CVE-2021-32640)',
    kind: 'ws',
    header: 'Sec-WebSocket-Protocol',
    value: (n) => `b${fill(' ', n)}x`,
  },
  {
    name: 'protocol: distinct names',
    kind: 'ws',
    header: 'Sec-WebSocket-Protocol',
    value: (n) => {
      const names: string[] = [];
      for (let i = 0, length = 0; length < n; i++) {
        names.push(`p${i}`);
        length += String(i).length + 3;
      }
      return names.join(', ');
    },
  },
  { name: 'protocol: commas', kind: 'ws', header: 'Sec-WebSocket-Protocol', value: (n) => fill(',', n) },
  {
    name: 'protocol: one name repeated',
    kind: 'ws',
    header: 'Sec-WebSocket-Protocol',
    value: (n) => fill('chat, ', n).slice(0, -2),
  },
  { name: 'Last-Event-ID: digits', kind: 'sse', header: 'Last-Event-ID', value: (n) => fill('9', n) },
  {
    name: 'Last-Event-ID: tabs and spaces',
    kind: 'sse',
    header: 'Last-Event-ID',
    value: (n) => `a${fill('\t ', n)}z`,
  },
];

/** Loads a workspace package the way the umbrella resolves it (sources under `--conditions=source`). */
async function load(name: string): Promise<Record<string, unknown>> {
  const require = createRequire(new URL('../packages/sockeye/package.json', import.meta.url));
  return (await import(pathToFileURL(require.resolve(name)).href)) as Record<string, unknown>;
}

async function main(): Promise<void> {
  const server = await load('@sockeye/server');
  const eventsource = await load('@sockeye/eventsource');
  const WebSocket = server.WebSocket as new (
    request: IncomingMessage,
    socket: Socket,
    head: Buffer,
    protocols: string[],
    options: object,
  ) => { on(event: string, listener: () => void): unknown; close(): void };
  const EventSource = eventsource.EventSource as new (
    request: IncomingMessage,
    response: ServerResponse,
    options: object,
  ) => { close(): void };
  const deflate = createRequire(import.meta.url)('permessage-deflate') as object;

  const http = createServer({ maxHeaderSize: 8 * 1024 * KiB }, (request, response) => {
    const es = new EventSource(request, response, { ping: 0 });
    es.close();
  });
  http.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const ws = new WebSocket(request, socket, head, ['chat', 'superchat'], { extensions: [deflate] });
    ws.on('open', () => ws.close());
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const { port } = http.address() as AddressInfo;

  /** Milliseconds from sending the request to the first byte of the answer. */
  const time = (request: string) =>
    new Promise<number>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.on('error', reject);
      // No answer in 10 s counts as 10 s: far past the limit, and the run goes on.
      socket.setTimeout(10_000, () => {
        resolve(10_000);
        socket.destroy();
      });
      socket.on('connect', () => {
        const started = process.hrtime.bigint();
        socket.once('data', () => {
          resolve(Number(process.hrtime.bigint() - started) / 1e6);
          socket.destroy();
        });
        socket.write(request);
      });
    });

  const request = (kind: Case['kind'], header: string, value: string) =>
    kind === 'ws'
      ? [
          'GET / HTTP/1.1',
          'Host: 127.0.0.1',
          'Upgrade: websocket',
          'Connection: Upgrade',
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Version: 13',
          `${header}: ${value}`,
          '',
          '',
        ].join('\r\n')
      : [
          'GET /events HTTP/1.1',
          'Host: 127.0.0.1',
          'Accept: text/event-stream',
          `${header}: ${value}`,
          '',
          '',
        ].join('\r\n');

  // Warm-up: JIT and the server's first-request costs out of the measurements.
  for (let i = 0; i < 20; i++) await time(request('ws', 'X-Filler', 'a'.repeat(64 * KiB)));

  console.log(
    `${'case'.padEnd(56)}${SIZES.map((s) => `${s / KiB} KiB`.padStart(11)).join('')}   ×(1 MiB / 256 KiB)`,
  );
  let failures = 0;
  for (const c of CASES) {
    const medians: number[] = [];
    for (const size of SIZES) {
      const value = c.value(size);
      const samples: number[] = [];
      for (let i = 0; i < RUNS; i++) samples.push(await time(request(c.kind, c.header, value)));
      samples.sort((a, b) => a - b);
      medians.push(samples[Math.floor(RUNS / 2)]!);
    }
    const growth = medians[2]! / Math.max(medians[1]!, 0.05);
    const bad = growth > 8 || medians[2]! > 1000;
    if (bad) failures++;
    console.log(
      `${c.name.padEnd(56)}${medians.map((m) => `${m.toFixed(2)} ms`.padStart(11)).join('')}   ${growth
        .toFixed(1)
        .padStart(5)}${bad ? '  NOT LINEAR' : ''}`,
    );
  }
  http.close();
  console.log(
    failures === 0
      ? 'hostile-headers: every case grows linearly'
      : `hostile-headers: ${failures} case(s) grow faster than linearly`,
  );
  process.exitCode = failures === 0 ? 0 : 1;
}

await main();
