/** The ws client as a subject (`WS_NO_BUFFER_UTIL` decides JS or bufferutil masking). */
import WebSocket from 'ws';
import { runClient } from './harness.js';

await runClient(async () => (url, events) => {
  const ws = new WebSocket(url);
  ws.on('open', events.open);
  ws.on('message', events.message);
  ws.on('close', events.close);
  ws.on('error', events.error);
  return { send: (data) => ws.send(data), close: () => ws.terminate() };
});
