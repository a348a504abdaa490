/** @sockeye/client as a client subject, used as faye's `Client` is. */
import { runClient } from './harness.js';

interface ClientLike {
  on(event: 'open' | 'message' | 'close' | 'error', listener: () => void): unknown;
  send(data: string): unknown;
  close(): unknown;
}

// Imported by a computed name so the benchmark type-checks while the package is being written.
const packageName = '@sockeye/client';

await runClient(async () => {
  const mod = (await import(packageName)) as { Client?: new (url: string) => ClientLike };
  const Client = mod.Client;
  if (typeof Client !== 'function') return '@sockeye/client does not export Client yet';
  return (url, events) => {
    const ws = new Client(url);
    ws.on('open', events.open);
    ws.on('message', events.message);
    ws.on('close', events.close);
    ws.on('error', events.error);
    return { send: (data) => ws.send(data), close: () => ws.close() };
  };
});
