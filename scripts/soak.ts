/**
 * Soak test: many WebSocket connections opened, used and closed in waves for several minutes, with
 * and without permessage-deflate, printing the server process's RSS and heap after each wave. It
 * passes when every connection closed cleanly, the heap returns to the baseline taken after a
 * warm-up wave, and RSS stops growing once the first pass has warmed the allocators up (no leak per
 * connection). At least two passes run.
 * Not a CI test: it takes minutes and measures memory, which a shared CI box makes noisy.
 *
 *   pnpm exec tsx --conditions=sockeye-source scripts/soak.ts                # sources, no build needed
 *   pnpm build && pnpm exec tsx scripts/soak.ts                      # the built dist/
 *   pnpm exec tsx --conditions=sockeye-source scripts/soak.ts --minutes 1 --connections 2000   # a short run
 *
 * Options (all optional):
 *   --connections N   connections per mode and pass (default 10000)
 *   --wave N          connections open at once in one wave (default 1000)
 *   --minutes N       keep making passes (at least two) until this much time has gone by (default 4)
 *   --mode M          plain | deflate | both (default both)
 *   --messages N      messages each connection sends and gets echoed (default 4)
 *   --server S        sockeye | ws: the server under test; ws is the control (default sockeye)
 *   --plugin P        sockeye | npm: the deflate plugin of a sockeye server: its own permessageDeflate()
 *                     or faye's npm permessage-deflate (default sockeye)
 *
 * The server under test runs in this process (what is measured); the clients (`ws`, cheap and
 * independent of the code under test) run in a forked child, so their memory is not counted.
 * Loopback only. Each process needs a file descriptor per open connection: when `ulimit -n` is too
 * low the script raises its soft limit up to the hard limit by re-running itself through `sh`, or
 * stops with a message saying what to run.
 */
import { execFileSync, fork, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo, Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const MiB = 1024 * 1024;

const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: '10000' },
    wave: { type: 'string', default: '1000' },
    minutes: { type: 'string', default: '4' },
    mode: { type: 'string', default: 'both' },
    messages: { type: 'string', default: '4' },
    server: { type: 'string', default: 'sockeye' },
    plugin: { type: 'string', default: 'sockeye' },
    role: { type: 'string', default: 'server' },
  },
  strict: true,
});

function positive(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`--${name} must be a positive integer, got ${raw}`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// The client generator (the forked child).

// ws ships no types of its own (they live in @types/ws, not installed): the little used here, and
// a specifier in a variable so the compiler does not look for them.
const WS: string = 'ws';
interface WsClient {
  on(event: string, listener: (...args: never[]) => void): unknown;
  send(data: string | Buffer, options?: { binary?: boolean }): void;
  close(code?: number): void;
}
type WsClientClass = new (url: string, options: { perMessageDeflate: boolean }) => WsClient;
type WsServerClass = new (
  options: object,
) => {
  handleUpgrade(request: IncomingMessage, socket: Socket, head: Buffer, done: (ws: WsClient) => void): void;
};

interface WaveRequest {
  type: 'wave';
  url: string;
  count: number;
  messages: number;
  deflate: boolean;
}

interface WaveResult {
  type: 'done';
  ok: number;
  failed: number;
  firstError: string | undefined;
}

async function runClient(): Promise<void> {
  const { WebSocket } = (await import(WS)) as { WebSocket: WsClientClass };
  // Text that compresses (as most real traffic does) and binary that does not.
  const text = 'sockeye soak '.repeat(80);
  const binary = Buffer.alloc(8192);
  for (let i = 0; i < binary.length; i++) binary[i] = (i * 2654435761) >>> 24;

  const one = (request: WaveRequest) =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(request.url, { perMessageDeflate: request.deflate });
      let sent = 0;
      const sendNext = () => {
        if (sent === request.messages) {
          ws.close(1000);
          return;
        }
        ws.send(sent % 2 === 0 ? text : binary);
        sent++;
      };
      ws.on('open', sendNext);
      ws.on('message', sendNext);
      ws.on('error', reject);
      ws.on('close', (code: number) => {
        if (code === 1000 && sent === request.messages) resolve();
        else reject(new Error(`closed with ${code} after ${sent} messages`));
      });
    });

  process.on('message', async (request: WaveRequest | { type: 'exit' }) => {
    if (request.type === 'exit') process.exit(0);
    let ok = 0;
    let failed = 0;
    let firstError: string | undefined;
    // Open in slices so the listen backlog is not overrun, but keep the whole wave open at once.
    const pending: Promise<void>[] = [];
    for (let i = 0; i < request.count; i++) {
      pending.push(
        one(request).then(
          () => {
            ok++;
          },
          (error: Error) => {
            failed++;
            firstError ??= error.message;
          },
        ),
      );
      if (i % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(pending);
    const result: WaveResult = { type: 'done', ok, failed, firstError };
    process.send?.(result);
  });
  process.send?.({ type: 'ready' });
}

// ---------------------------------------------------------------------------------------------
// The server under test (this process).

type UpgradeHandler = (request: IncomingMessage, socket: Socket, head: Buffer, deflate: boolean) => void;

/** Loads the server side of `sockeye` (sources or dist, by the conditions in force) or of `ws`. */
async function loadServer(kind: string): Promise<UpgradeHandler> {
  if (kind === 'ws') {
    const { WebSocketServer } = (await import(WS)) as { WebSocketServer: WsServerClass };
    const plain = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });
    const deflating = new WebSocketServer({ noServer: true, perMessageDeflate: true, clientTracking: false });
    return (request, socket, head, deflate) => {
      const wss = deflate ? deflating : plain;
      wss.handleUpgrade(request, socket, head, (ws) => {
        ws.on('message', (data: Buffer, isBinary: boolean) => ws.send(data, { binary: isBinary }));
        ws.on('error', () => {});
      });
    };
  }
  if (kind !== 'sockeye') throw new Error(`--server must be sockeye or ws, got ${kind}`);
  // The umbrella depends on every package, so resolve from there: `--conditions=sockeye-source` picks the
  // TypeScript sources, no condition picks the built dist/.
  const require = createRequire(new URL('../packages/sockeye/package.json', import.meta.url));
  const server = (await import(pathToFileURL(require.resolve('@sockeye/server')).href)) as Record<
    string,
    unknown
  >;
  const WebSocket = (server.WebSocket ?? server.default) as new (
    request: IncomingMessage,
    socket: Socket,
    head: Buffer,
    protocols: string[] | null,
    options: object,
  ) => {
    on(event: string, listener: (event: { data: string | Buffer }) => void): unknown;
    send(data: string | Buffer): boolean;
  };
  if (typeof WebSocket !== 'function') throw new Error('@sockeye/server exports no WebSocket class');
  let deflateExtension: object;
  if (args.plugin === 'npm') {
    deflateExtension = createRequire(import.meta.url)('permessage-deflate') as object;
  } else if (args.plugin === 'sockeye') {
    deflateExtension = (server.permessageDeflate as () => object)();
  } else {
    throw new Error(`--plugin must be sockeye or npm, got ${args.plugin}`);
  }
  return (request, socket, head, deflate) => {
    const ws = new WebSocket(request, socket, head, null, deflate ? { extensions: [deflateExtension] } : {});
    ws.on('message', (event) => ws.send(event.data));
  };
}

/** `global.gc`, turned on at run time so the script needs no `--expose-gc` flag. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    // Several passes: zlib and socket objects are freed through weak callbacks over a few cycles.
    for (let i = 0; i < 4; i++) gc();
  };
}

interface Sample {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

function sample(): Sample {
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, external, arrayBuffers };
}

const mib = (bytes: number) => (bytes / MiB).toFixed(1).padStart(7);
const delta = (bytes: number) => `${bytes >= 0 ? '+' : ''}${(bytes / MiB).toFixed(1)}`.padStart(7);

/** Makes sure this process may hold `needed` descriptors; re-runs itself under a raised limit if it can. */
function ensureFileLimit(needed: number): void {
  const read = (flag: string) =>
    Number(
      spawnSync('sh', ['-c', `ulimit ${flag}`], { encoding: 'utf8' })
        .stdout.trim()
        .replace('unlimited', 'Infinity'),
    );
  const soft = read('-Sn');
  const hard = read('-Hn');
  if (soft >= needed) return;
  if (hard >= needed && !process.env.SOCKEYE_SOAK_RAISED) {
    console.log(`soak: ulimit -n is ${soft}, raising the soft limit to ${needed} and starting again`);
    const argv = [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
    execFileSync('sh', ['-c', `ulimit -n ${needed} && exec "$@"`, 'sh', ...argv], {
      stdio: 'inherit',
      env: { ...process.env, SOCKEYE_SOAK_RAISED: '1' },
    });
    process.exit(0);
  }
  console.error(
    `soak: a wave needs about ${needed} file descriptors but ulimit -n is ${soft} (hard limit ${hard}).\n` +
      `      Run it with a smaller --wave, or raise the limit first (as root: ulimit -Hn ${needed}).`,
  );
  process.exit(2);
}

async function runServer(): Promise<void> {
  const perPass = positive('connections', args.connections);
  const wave = Math.min(positive('wave', args.wave), perPass);
  const minutes = Number(args.minutes);
  if (!(minutes >= 0)) throw new Error(`--minutes must be a number, got ${args.minutes}`);
  const messages = positive('messages', args.messages);
  const modes =
    args.mode === 'both'
      ? [false, true]
      : args.mode === 'deflate'
        ? [true]
        : args.mode === 'plain'
          ? [false]
          : null;
  if (!modes) throw new Error(`--mode must be plain, deflate or both, got ${args.mode}`);

  ensureFileLimit(wave + 256);
  const gc = collector();
  const live = { count: 0 };
  const handleUpgrade = await loadServer(args.server);

  const http = createServer((_request, response) => response.writeHead(404).end());
  http.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    // The TCP socket's own close is what counts: a connection is gone only when its handle is.
    live.count++;
    socket.once('close', () => {
      live.count--;
    });
    handleUpgrade(request, socket, head, request.url === '/deflate');
  });
  http.listen({ host: '127.0.0.1', port: 0, backlog: 4096 });
  await once(http, 'listening');
  const { port } = http.address() as AddressInfo;

  const child = fork(new URL(import.meta.url), ['--role', 'client'], {
    execArgv: process.execArgv,
    stdio: 'inherit',
  });
  await new Promise<void>((resolve) => child.once('message', () => resolve()));

  const runWave = async (deflate: boolean): Promise<WaveResult> => {
    const request: WaveRequest = {
      type: 'wave',
      url: `ws://127.0.0.1:${port}/${deflate ? 'deflate' : 'plain'}`,
      count: wave,
      messages,
      deflate,
    };
    child.send(request);
    const [result] = (await once(child, 'message')) as [WaveResult];
    // Server-side close events can trail the client's by a tick or two.
    const deadline = Date.now() + 30_000;
    while (live.count > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    return result;
  };

  console.log(
    `soak: server=${args.server}${args.server === 'sockeye' ? ` plugin=${args.plugin}` : ''} wave=${wave} connections/mode/pass=${perPass} messages=${messages} ` +
      `minutes=${minutes} modes=${modes.map((m) => (m ? 'deflate' : 'plain')).join(',')} pid=${process.pid}`,
  );
  // Warm-up: JIT, zlib and socket pools reach their working size before the baseline is taken.
  for (const deflate of modes) await runWave(deflate);
  gc();
  const baseline = sample();
  let peak = baseline;
  // RSS after the first pass: the allocators' working set (zlib's memory comes from malloc, which
  // keeps freed pages for reuse), against which later passes must show no growth.
  let settled: Sample | null = null;
  console.log(
    `baseline      rss ${mib(baseline.rss)} MiB  heap ${mib(baseline.heapUsed)} MiB  ` +
      `external ${mib(baseline.external)} MiB  arrayBuffers ${mib(baseline.arrayBuffers)} MiB`,
  );
  console.log('pass wave mode     conns  failed  left   secs      rss  Δrss     heap Δheap  external');

  const started = Date.now();
  let failures = 0;
  let total = 0;
  // At least two passes: the second shows whether memory keeps growing once the first has warmed up.
  for (let pass = 1; pass <= 2 || Date.now() - started < minutes * 60_000; pass++) {
    for (const deflate of modes) {
      for (let done = 0, index = 1; done < perPass; done += wave, index++) {
        const result = await runWave(deflate);
        failures += result.failed;
        total += result.ok + result.failed;
        const peakNow = sample();
        if (peakNow.rss > peak.rss) peak = peakNow;
        gc();
        const now = sample();
        console.log(
          `${String(pass).padStart(4)} ${String(index).padStart(4)} ${(deflate ? 'deflate' : 'plain').padEnd(7)} ` +
            `${String(result.ok + result.failed).padStart(6)} ${String(result.failed).padStart(7)} ` +
            `${String(live.count).padStart(5)} ${((Date.now() - started) / 1000).toFixed(0).padStart(6)} ` +
            `${mib(now.rss)} ${delta(now.rss - baseline.rss)} ${mib(now.heapUsed)} ${delta(now.heapUsed - baseline.heapUsed)} ` +
            `${mib(now.external)}`,
        );
        if (result.firstError) console.log(`          first failure: ${result.firstError}`);
      }
    }
    if (pass === 1) {
      settled = sample();
      console.log(`after pass 1  rss ${mib(settled.rss)} MiB: the working set later passes are held to`);
    }
  }

  child.send({ type: 'exit' });
  await once(child, 'exit');
  await new Promise<void>((resolve) => http.close(() => resolve()));
  gc();
  const end = sample();
  const heapGrowth = end.heapUsed - baseline.heapUsed;
  const rssGrowth = end.rss - baseline.rss;
  const rssDrift = end.rss - settled!.rss;
  // The heap must come back to the warm-up baseline: every object of every connection was freed.
  // RSS must not drift after the first pass; it may stay above the warm-up baseline, since malloc
  // (zlib's allocator) keeps freed pages for reuse instead of handing them back to the system.
  const heapOk = heapGrowth <= Math.max(8 * MiB, baseline.heapUsed * 0.2);
  const rssOk = rssDrift <= Math.max(32 * MiB, settled!.rss * 0.1);
  console.log(
    `end           rss ${mib(end.rss)} MiB (${delta(rssGrowth)} since warm-up, ${delta(rssDrift)} since pass 1, ` +
      `peak ${mib(peak.rss)})  heap ${mib(end.heapUsed)} MiB (${delta(heapGrowth)})  ` +
      `connections ${total}, failed ${failures}, left open ${live.count}`,
  );
  const verdict = heapOk && rssOk && failures === 0 && live.count === 0;
  console.log(
    verdict
      ? 'soak: PASS: memory returned to its baseline and every connection closed cleanly'
      : `soak: FAIL:${heapOk ? '' : ' heap did not return to baseline;'}${rssOk ? '' : ' RSS kept growing after the first pass;'}` +
          `${failures === 0 ? '' : ` ${failures} connections failed;`}${live.count === 0 ? '' : ` ${live.count} left open;`}`,
  );
  process.exitCode = verdict ? 0 : 1;
}

if (args.role === 'client') await runClient();
else await runServer();
