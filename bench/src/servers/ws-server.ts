/**
 * ws as a server subject. `WS_NO_BUFFER_UTIL=1` (set by the orchestrator for the `ws` subject) makes
 * ws mask and unmask in JavaScript; without it (`ws-native`) ws uses the bufferutil addon.
 */
import { WebSocketServer } from 'ws';
import { runServer } from './harness.js';

await runServer((server, config, stats) => {
  if (config.scenario === 'sse') return 'ws has no EventSource';
  // The ws README's way: attach to an HTTP server; compression only when asked for.
  const wss = new WebSocketServer({ server, perMessageDeflate: config.scenario === 'deflate' });
  const broadcast = config.scenario === 'broadcast';
  wss.on('connection', (ws) => {
    stats.connections++;
    ws.on('message', (data, isBinary) => {
      stats.messages++;
      if (!broadcast) ws.send(data, { binary: isBinary });
      // The ws README's broadcast example.
      else
        for (const client of wss.clients)
          if (client.readyState === 1) client.send(data, { binary: isBinary });
    });
    ws.on('error', () => stats.errors++);
    ws.on('close', () => stats.connections--);
  });
  return undefined;
});
