/**
 * Times sockeye's handling of crafted request headers of growing size — the inputs behind
 * CVE-2020-7662 (websocket-extensions ReDoS), CVE-2021-32640 (ws subprotocol ReDoS) and their kin —
 * and checks that the time grows linearly with the header's length. The hardening tests assert only
 * the outcome (an answer, no crash); timing belongs here, where a loaded CI box cannot make it flaky.
 *
 *   pnpm exec tsx --conditions=sockeye-source scripts/hostile-headers.ts            # sources
 *   pnpm build && pnpm exec tsx scripts/hostile-headers.ts                  # built dist/
 *
 * Each case runs the server's handshake (`acceptHandshake`, with permessage-deflate registered and
 * two subprotocols, as `@sockeye/server` calls it) or builds an `EventSource`, on a request object
 * carrying the crafted header at 64 KiB, 256 KiB and 1 MiB, in process: no socket, so only sockeye's
 * parsing is timed (Node's own parser is linear and not ours to test; the hardening tests send the
 * same headers over real sockets and check the outcome). The best of several batches is kept. Linear
 * growth multiplies the time by about 16 from 64 KiB to 1 MiB; quadratic growth by 256. The script
 * exits 1 when a case grows by more than 64× (the geometric middle), or takes over a second at 1 MiB.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const KiB = 1024;
const SIZES = [64 * KiB, 256 * KiB, 1024 * KiB];
const BATCHES = 5;

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

/** Loads a workspace package the way the umbrella resolves it (sources under `--conditions=sockeye-source`). */
async function load(name: string): Promise<Record<string, unknown>> {
  const require = createRequire(new URL('../packages/sockeye/package.json', import.meta.url));
  return (await import(pathToFileURL(require.resolve(name)).href)) as Record<string, unknown>;
}

// A full collection before each batch, so garbage from the previous size does not bill this one.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Milliseconds per call of `fn`: the best of several batches, each long enough to time reliably. */
function time(fn: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let batch = 0; batch < BATCHES; batch++) {
    gc();
    let calls = 0;
    const started = performance.now();
    let elapsed = 0;
    do {
      fn();
      calls++;
      elapsed = performance.now() - started;
    } while (elapsed < 20);
    best = Math.min(best, elapsed / calls);
  }
  return best;
}

async function main(): Promise<void> {
  const core = await load('@sockeye/core');
  const eventsource = await load('@sockeye/eventsource');
  const acceptHandshake = core.acceptHandshake as (
    request: object,
    options: object,
    digest: unknown,
  ) => {
    ok: boolean;
  };
  const digest = core.nodeDigest;
  const EventSource = eventsource.EventSource as new (
    request: object,
    response: object,
    options: object,
  ) => { close(): void; lastEventId: string };
  const deflate = createRequire(import.meta.url)('permessage-deflate') as object;
  const options = { protocols: ['chat', 'superchat'], extensions: [deflate] };

  // What the server code reads of a request and writes to a response: no socket, so only the
  // parsing is timed, not the network.
  const handshake = (header: string, value: string) => {
    const request = {
      method: 'GET',
      url: '/',
      headers: {
        host: '127.0.0.1',
        upgrade: 'websocket',
        connection: 'Upgrade',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-version': '13',
        [header.toLowerCase()]: value,
      },
    };
    return () => {
      acceptHandshake(request, options, digest);
    };
  };
  const eventSource = (header: string, value: string) => {
    const request = {
      method: 'GET',
      url: '/events',
      httpVersionMajor: 1,
      httpVersionMinor: 1,
      headers: { host: '127.0.0.1', accept: 'text/event-stream', [header.toLowerCase()]: value },
      socket: { setNoDelay() {} },
    };
    const response = {
      headersSent: false,
      writableLength: 0,
      destroyed: false,
      setHeader() {},
      writeHead() {},
      flushHeaders() {},
      write: () => true,
      end() {},
      destroy() {},
      setTimeout() {},
      on() {},
    };
    return () => {
      const es = new EventSource(request, response, { ping: 0 });
      if (es.lastEventId.length !== value.length) throw new Error('Last-Event-ID was not read');
      es.close();
    };
  };

  console.log(
    `${'case'.padEnd(56)}${SIZES.map((s) => `${s / KiB} KiB`.padStart(11)).join('')}   ×(1 MiB / 64 KiB)`,
  );
  let failures = 0;
  for (const c of CASES) {
    const ms = SIZES.map((size) => {
      const value = c.value(size);
      return time(c.kind === 'ws' ? handshake(c.header, value) : eventSource(c.header, value));
    });
    // 16 times the bytes: linear work takes ~16× as long, quadratic ~256×; the collector's noise on
    // a shared box stays well under the 64× line between them. Below 50 µs the ratio is noise: such
    // a case is linear by any measure.
    const growth = ms[2]! < 0.05 ? 16 : ms[2]! / Math.max(ms[0]!, 0.001);
    const bad = growth > 64 || ms[2]! > 1000;
    if (bad) failures++;
    console.log(
      `${c.name.padEnd(56)}${ms.map((m) => `${m.toFixed(3)} ms`.padStart(11)).join('')}   ${growth
        .toFixed(1)
        .padStart(5)}${bad ? '  NOT LINEAR' : ''}`,
    );
  }
  console.log(
    failures === 0
      ? 'hostile-headers: every case grows linearly'
      : `hostile-headers: ${failures} case(s) grow faster than linearly`,
  );
  process.exitCode = failures === 0 ? 0 : 1;
}

await main();
