/**
 * @sockeye/server's `listen()` as a server subject: a port of its own, whose connections sockeye
 * reads from the first byte of the request head, with no `http.Server` in between. Measured on
 * handshakes and idle connections, where that is the difference.
 */
import { runServer } from './harness.js';

await runServer(async (_server, config, stats) => {
  if (config.scenario !== 'echo') return 'listen() is measured on handshakes and idle connections';
  const { listen } = await import('@sockeye/server');
  const handle = await listen({ host: '127.0.0.1', backlog: 4096 }, (ws) => {
    stats.connections++;
    ws.on('message', (event: { data: string | Buffer }) => {
      stats.messages++;
      ws.send(event.data);
    });
    ws.on('error', () => stats.errors++);
    ws.on('close', () => stats.connections--);
  });
  return { port: handle.port };
});
