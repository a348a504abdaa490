import http from 'node:http';
import v8 from 'node:v8';
const kind = process.argv[2];
const server = http.createServer();
const keep = [];
if (kind === 'sockeye') {
  const { WebSocket } = await import('@sockeye/server');
  server.on('upgrade', (req, socket, head) => { const ws = new WebSocket(req, socket, head); keep.push(ws); if (process.env.DROPREQ) ws.on('open', () => { ws.request = null; }); ws.on('message', (e) => ws.send(e.data)); });
} else {
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => { keep.push(ws); ws.on('message', (d, b) => ws.send(d, { binary: b })); }));
}
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
process.on('message', (m) => {
  if (m === 'snap') {
    global.gc(); global.gc();
    const file = v8.writeHeapSnapshot(`/tmp/p1/${kind}.heapsnapshot`);
    process.send({ file, heap: process.memoryUsage().heapUsed, n: keep.length });
  }
});
