import http from 'node:http';
const kind = process.argv[2];
const server = http.createServer();
if (kind === 'sockeye') {
  const { WebSocket } = await import('@sockeye/server');
  server.on('upgrade', (req, socket, head) => {
    const ws = new WebSocket(req, socket, head);
    ws.on('message', (e) => ws.send(e.data));
  });
} else {
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 30 });
  server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (d, bin) => ws.send(d, { binary: bin }))));
}
server.listen(0, '127.0.0.1', () => { process.send?.(server.address().port); console.log('port', server.address().port); });
process.on('message', (m) => { if (m === 'stop') { const c = process.cpuUsage(); console.error(kind, 'server cpu ms', ((c.user + c.system) / 1000).toFixed(0)); process.exit(0); } });
