/**
 * @sockeye/server as a server subject, used the way a faye-websocket user would: `new
 * WebSocket(request, socket, head)` in the `upgrade` listener. Broadcast uses the documented
 * encode-once path: `WebSocket.prepare(data)` once, then `ws.sendPrepared(message)` per client.
 */
import { runServer } from './harness.js';

await runServer(async (server, config, stats) => {
  if (config.scenario === 'sse') return 'the SSE subject is @sockeye/eventsource (sockeye-sse-server.ts)';
  const { WebSocket, isWebSocket } = await import('@sockeye/server');
  // sockeye's built-in permessage-deflate with its defaults (faye's npm plugin: the faye subject).
  const { permessageDeflate } = await import('@sockeye/core');
  const options = config.scenario === 'deflate' ? { extensions: [permessageDeflate()] } : {};
  const clients = new Set<InstanceType<typeof WebSocket>>();
  const broadcast = config.scenario === 'broadcast';
  server.on('upgrade', (request, socket, head) => {
    if (!isWebSocket(request)) {
      socket.destroy();
      return;
    }
    const ws = new WebSocket(request, socket, head, null, options);
    clients.add(ws);
    stats.connections++;
    ws.on('message', (event: { data: string | Buffer }) => {
      stats.messages++;
      if (!broadcast) {
        ws.send(event.data);
        return;
      }
      const message = WebSocket.prepare(event.data);
      for (const client of clients) client.sendPrepared(message);
    });
    ws.on('error', () => stats.errors++);
    ws.on('close', () => {
      clients.delete(ws);
      stats.connections--;
    });
  });
  return undefined;
});
