// A WebSocket client talking to the echo server: the faye-websocket README's client, unchanged
// apart from the module name.
const WebSocket = require('sockeye');

function talk(url, messages) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket.Client(url, ['echo']);
    const echoed = [];

    ws.on('open', () => {
      console.log(`client: open (protocol "${ws.protocol}", status ${ws.statusCode})`);
      for (const message of messages) ws.send(message);
    });

    ws.on('message', (event) => {
      console.log('client: echo', JSON.stringify(event.data));
      echoed.push(event.data);
      if (echoed.length === messages.length) ws.close(1000, 'done');
    });

    ws.on('error', (event) => reject(new Error(event.message)));
    ws.on('close', (event) => {
      console.log('client: close', event.code, event.reason, event.wasClean ? '(clean)' : '(unclean)');
      resolve(echoed);
    });
  });
}

module.exports = { talk };

if (require.main === module) {
  talk(process.argv[2] || 'ws://127.0.0.1:8000/', ['Hello, world!', 'héllo ünïcode ✓']).catch((error) => {
    console.error(error.message);
    process.exitCode = 1;
  });
}
