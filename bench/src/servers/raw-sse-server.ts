/**
 * The SSE floor: what writing each event straight to every subscriber's socket costs, with the
 * event encoded once. Anything an EventSource library adds is measured against this.
 */
import type { Socket } from 'node:net';
import { eventPayload, runServer } from './harness.js';

const HEAD =
  'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache, no-store\r\n' +
  'Connection: close\r\n\r\n';

await runServer((server, config, stats) => {
  if (config.scenario !== 'sse') return 'the raw baseline serves SSE only';
  const sockets = new Set<Socket>();
  const frame = Buffer.from(`data: ${eventPayload(config.payloadSize)}\n\n`);
  server.on('request', (request, response) => {
    if (request.url === '/events') {
      const socket = request.socket;
      socket.write(HEAD);
      sockets.add(socket);
      stats.connections++;
      socket.on('close', () => {
        sockets.delete(socket);
        stats.connections--;
      });
      return;
    }
    stats.messages++;
    for (const socket of sockets) socket.write(frame);
    response.writeHead(204).end();
  });
  return undefined;
});
