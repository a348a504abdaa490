// The echo server of the faye-websocket README, with an EventSource endpoint and a small page.
// Moving from faye-websocket is this one line:
const WebSocket = require('sockeye');
const { EventSource } = WebSocket;
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const page = fs.readFileSync(path.join(__dirname, 'public', 'index.html'));

function createServer() {
  const server = http.createServer();

  server.on('upgrade', (request, socket, body) => {
    if (!WebSocket.isWebSocket(request)) return socket.destroy();
    const ws = new WebSocket(request, socket, body, ['echo'], { ping: 30 });
    ws.pipe(ws); // WebSocket objects are duplex streams: this echoes every message.
  });

  server.on('request', (request, response) => {
    if (EventSource.isEventSource(request)) {
      const es = new EventSource(request, response, { retry: 2, ping: 15 });
      let n = Number(es.lastEventId) || 0;
      const loop = setInterval(() => {
        n += 1;
        es.send(`tick ${n} at ${new Date().toISOString()}`, { event: 'tick', id: String(n) });
      }, 1000);
      es.on('close', () => clearInterval(loop));
    } else {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end(page);
    }
  });

  return server;
}

module.exports = { createServer };

if (require.main === module) {
  const port = Number(process.env.PORT) || 8000;
  createServer().listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}/`));
}
