/** The faye-websocket client as a subject. */
import WebSocket from 'faye-websocket';
import { runClient } from './harness.js';

await runClient(async () => (url, events) => {
  const ws = new WebSocket.Client(url);
  ws.on('open', events.open);
  ws.on('message', events.message);
  ws.on('close', events.close);
  ws.on('error', events.error);
  return { send: (data) => ws.send(data), close: () => ws.close() };
});
