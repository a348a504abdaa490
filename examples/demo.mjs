// The demo behind the README's first command: starts the echo + EventSource server, has a WebSocket
// client and an EventSource client talk to it, prints what happened, then keeps serving the page
// that shows both live. `--once` stops after the exchange (the test suite runs it that way).
import { createRequire } from 'node:module';
import { EventSource as EventSourceClient } from 'eventsource';

const require = createRequire(import.meta.url);
const { createServer } = require('./echo-server.cjs');
const { talk } = require('./client.cjs');

const once = process.argv.includes('--once');
const server = createServer();

function listen(port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server.address().port));
  });
}

function readEvents(url, count) {
  return new Promise((resolve, reject) => {
    const source = new EventSourceClient(url);
    const received = [];
    source.addEventListener('tick', (event) => {
      console.log(`eventsource: tick #${event.lastEventId}: ${event.data}`);
      received.push(event.data);
      if (received.length === count) {
        source.close();
        resolve(received);
      }
    });
    source.onerror = (event) => {
      if (source.readyState === EventSourceClient.CLOSED) reject(new Error(event.message ?? 'stream failed'));
    };
  });
}

let port;
try {
  port = await listen(once ? 0 : Number(process.env.PORT) || 8000);
} catch {
  port = await listen(0); // 8000 is taken: any free port will do.
}
const base = `127.0.0.1:${port}`;
console.log(`server: listening on http://${base}/`);

const echoed = await talk(`ws://${base}/`, ['Hello, world!', 'héllo ünïcode ✓']);
const ticks = await readEvents(`http://${base}/events`, 3);
console.log(`demo: ${echoed.length} messages echoed, ${ticks.length} events streamed`);

if (once) {
  server.close();
  server.closeAllConnections?.();
} else {
  console.log(`\nOpen http://${base}/ in a browser to see the WebSocket echo and the event stream live.`);
  console.log('Press Ctrl-C to stop.');
}
