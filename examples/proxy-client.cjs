// Connecting through an HTTP CONNECT proxy, as the faye-websocket README shows. With the demo server
// running and a proxy listening (squid, tinyproxy, ...):
//   node examples/proxy-client.cjs ws://127.0.0.1:8000/ http://127.0.0.1:3128
const WebSocket = require('sockeye');

const [url = 'ws://127.0.0.1:8000/', proxy = 'http://127.0.0.1:3128'] = process.argv.slice(2);

const ws = new WebSocket.Client(url, [], {
  proxy: {
    origin: proxy, // may carry user:password@ for Basic auth
    headers: { 'User-Agent': 'node' },
  },
});

ws.on('open', () => {
  console.log('open through', proxy);
  ws.send('Hello through the tunnel');
});
ws.on('message', (event) => {
  console.log('message', event.data);
  ws.close();
});
ws.on('error', (event) => console.error('error', event.message));
ws.on('close', (event) => console.log('close', event.code, event.reason));
