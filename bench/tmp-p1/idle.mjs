import { fork } from 'node:child_process';
import net from 'node:net';
const kind = process.argv[2]; const N = Number(process.argv[3] ?? 1000);
const child = fork(new URL('./idle-srv.mjs', import.meta.url), [kind], { execArgv: ['--expose-gc', ...(process.env.SRC ? ['--conditions=source', '--conditions=sockeye-source', '--import=tsx'] : [])] });
const port = await new Promise((r) => child.once('message', r));
const sockets = [];
for (let i = 0; i < N; i++) {
  await new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.write(`GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    s.once('data', () => resolve());
    sockets.push(s);
  });
}
child.send('snap');
const res = await new Promise((r) => child.once('message', r));
console.log(kind, res);
child.kill(); for (const s of sockets) s.destroy();
