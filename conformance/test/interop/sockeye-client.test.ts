import { afterAll, beforeAll, describe } from 'vitest';
import { clientPair } from './support/client-pair.js';
import { describePair } from './support/matrix.js';
import { fayeServer, type PeerServer, wsServer } from './support/node-peers.js';
import { stopProcesses } from './support/processes.js';
import { type PythonServer, pythonServer } from './support/python-peer.js';

// The sockeye client against every peer server: ws, faye-websocket and Python websockets, each
// accepting permessage-deflate when the client offers it.

let ws: PeerServer;
let faye: PeerServer;
let python: PythonServer;

beforeAll(async () => {
  [ws, faye, python] = await Promise.all([wsServer(), fayeServer(), pythonServer()]);
});

afterAll(async () => {
  await Promise.all([ws?.close(), faye?.close(), python?.close()]);
  await stopProcesses();
});

describe.each([false, true])('permessage-deflate %s', (compress) => {
  describePair(
    clientPair('ws server', compress, { url: (id) => `ws://127.0.0.1:${ws.port}/${id}`, server: () => ws }),
  );
  describePair(
    clientPair('faye-websocket server', compress, {
      url: (id) => `ws://127.0.0.1:${faye.port}/${id}`,
      server: () => faye,
    }),
  );
  describePair(
    clientPair('Python websockets server', compress, {
      url: (id) => `ws://127.0.0.1:${python.port}/${id}`,
      server: () => python,
    }),
  );
});
