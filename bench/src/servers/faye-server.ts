/** faye-websocket (and its EventSource) as a server subject. */
import WebSocket from 'faye-websocket';
import deflate from 'permessage-deflate';
import { eventPayload, runServer } from './harness.js';

await runServer((server, config, stats) => {
  if (config.scenario === 'sse') {
    const sources = new Set<InstanceType<typeof WebSocket.EventSource>>();
    const payload = eventPayload(config.payloadSize);
    server.on('request', (request, response) => {
      if (WebSocket.EventSource.isEventSource(request)) {
        const es = new WebSocket.EventSource(request, response);
        sources.add(es);
        stats.connections++;
        es.on('close', () => {
          sources.delete(es);
          stats.connections--;
        });
        return;
      }
      stats.messages++;
      for (const es of sources) es.send(payload);
      response.writeHead(204).end();
    });
    return undefined;
  }
  const options = config.scenario === 'deflate' ? { extensions: [deflate] } : {};
  const clients = new Set<WebSocket>();
  const broadcast = config.scenario === 'broadcast';
  server.on('upgrade', (request, socket, body) => {
    if (!WebSocket.isWebSocket(request)) {
      socket.destroy();
      return;
    }
    const ws = new WebSocket(request, socket, body, [], options);
    clients.add(ws);
    stats.connections++;
    ws.on('message', (event) => {
      stats.messages++;
      if (!broadcast) ws.send(event.data);
      else for (const client of clients) client.send(event.data);
    });
    ws.on('close', () => {
      clients.delete(ws);
      stats.connections--;
    });
  });
  return undefined;
});
