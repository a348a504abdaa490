import { fork } from 'node:child_process';
import WebSocket from 'ws';
const kind = process.argv[2]; const size = Number(process.argv[3] ?? 4 << 20); const conns = Number(process.argv[4] ?? 4);
const child = fork(new URL('./srv.mjs', import.meta.url), [kind], { execArgv: process.argv[5] ? ['--cpu-prof', '--cpu-prof-dir=/tmp/p1/prof2'] : [] });
const port = await new Promise((r) => child.once('message', r));
const payload = Buffer.alloc(size, 0x61);
let n = 0;
for (let i = 0; i < conns; i++) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { maxPayload: 1 << 30 });
  ws.on('open', () => ws.send(payload));
  ws.on('message', () => { n++; ws.send(payload); });
}
await new Promise((r) => setTimeout(r, 1000));
const c0 = n; const t0 = Date.now();
await new Promise((r) => setTimeout(r, 4000));
const rate = ((n - c0) * 1000) / (Date.now() - t0);
console.log(kind, size, rate.toFixed(1), 'msg/s', ((rate * size) / 1e9).toFixed(3), 'GB/s');
child.send('stop');
child.on('exit', () => process.exit(0));
