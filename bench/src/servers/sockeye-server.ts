/**
 * @sockeye/server as a server subject on Node's HTTP server, the way its README starts:
 * `attach(server, options, onConnection)`, whose handle tracks the clients (as ws's
 * `WebSocketServer({ server })` does). Broadcast uses the documented encode-once path:
 * `WebSocket.prepare(data)` once, then `ws.sendPrepared(message)` per client.
 */
import { runServer } from './harness.js';

await runServer(async (server, config, stats) => {
  if (config.scenario === 'sse') return 'the SSE subject is @sockeye/eventsource (sockeye-sse-server.ts)';
  const { WebSocket, attach } = await import('@sockeye/server');
  // sockeye's built-in permessage-deflate with its defaults (faye's npm plugin: the faye subject).
  const { permessageDeflate } = await import('@sockeye/core');
  const options = config.scenario === 'deflate' ? { extensions: [permessageDeflate()] } : {};
  const broadcast = config.scenario === 'broadcast';
  const handle = attach(server, options, (ws) => {
    stats.connections++;
    ws.on('message', (event: { data: string | Buffer }) => {
      stats.messages++;
      if (!broadcast) {
        ws.send(event.data);
        return;
      }
      const message = WebSocket.prepare(event.data);
      for (const client of handle.clients) client.sendPrepared(message);
    });
    ws.on('error', () => stats.errors++);
    ws.on('close', () => stats.connections--);
  });
  return undefined;
});
