import { fork } from 'node:child_process';
import net from 'node:net';
const kind = process.argv[2]; const N = Number(process.argv[3] ?? 3000); const prof = process.argv[4];
const child = fork(new URL('./srv.mjs', import.meta.url), [kind], { execArgv: prof ? ['--cpu-prof', '--cpu-prof-dir=/tmp/p1/hsprof'] : [] , stdio: ['ignore','ignore','inherit','ipc']});
const port = await new Promise((r) => child.once('message', r));
const req = Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
const close = Buffer.from([0x88, 0x82, 1, 2, 3, 4, 0x03 ^ 1, 0xe8 ^ 2]);
let started = 0, done = 0;
const t0 = Date.now();
await new Promise((resolve) => {
  const one = () => {
    if (started >= N) return;
    started++;
    const s = net.connect(port, '127.0.0.1', () => s.write(req));
    let got = false;
    s.on('data', () => { if (!got) { got = true; s.write(close); } });
    s.on('error', () => {});
    s.on('close', () => { done++; if (done === N) resolve(); else one(); });
  };
  for (let i = 0; i < 50; i++) one();
});
const ms = Date.now() - t0;
child.send('stop');
child.on('message', () => {});
await new Promise((r) => child.on('exit', r));
console.log(kind, (N * 1000 / ms).toFixed(0), 'hs/s');
