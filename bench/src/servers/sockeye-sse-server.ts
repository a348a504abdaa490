/**
 * @sockeye/eventsource as the SSE subject. Fan-out uses the documented encode-once path:
 * `EventSource.encode(data)` then `es.sendEncoded(bytes)` on every stream.
 */
import { eventPayload, runServer } from './harness.js';

await runServer(async (server, config, stats) => {
  if (config.scenario !== 'sse') return '@sockeye/eventsource serves SSE only';
  const { EventSource } = await import('@sockeye/eventsource');
  const sources = new Set<InstanceType<typeof EventSource>>();
  const payload = eventPayload(config.payloadSize);
  server.on('request', (request, response) => {
    if (EventSource.isEventSource(request)) {
      // No keep-alive comments during the run: faye's default ping (10 s) never fires in it either.
      const es = new EventSource(request, response);
      sources.add(es);
      stats.connections++;
      es.on('close', () => {
        sources.delete(es);
        stats.connections--;
      });
      return;
    }
    stats.messages++;
    const encoded = EventSource.encode(payload);
    for (const es of sources) es.sendEncoded(encoded);
    response.writeHead(204).end();
  });
  return undefined;
});
