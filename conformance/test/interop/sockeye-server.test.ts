import { afterAll, beforeAll, describe } from 'vitest';
import type { PeerClose } from './support/control.js';
import { STEP_MS } from './support/conversation.js';
import { acceptedEnd, describePair, type Pair, reportWithin } from './support/matrix.js';
import { fayeClient, wsClient } from './support/node-peers.js';
import { stopProcesses } from './support/processes.js';
import { pythonClient } from './support/python-peer.js';
import { connectionPath, type SockeyeServer, startSockeyeServer } from './support/sockeye-server.js';
import { nodeBuiltinClient } from './support/whatwg-peer.js';

// The sockeye server against every peer client that runs in or beside Node: ws, faye-websocket,
// Node's built-in WebSocket (a child `node --experimental-websocket`) and Python websockets.

let server: SockeyeServer;

beforeAll(async () => {
  server = await startSockeyeServer();
});

afterAll(async () => {
  await stopProcesses();
  await server?.close();
});

/** A pair whose peer is a client: `start(url, compress)` runs it and resolves with its close. */
function clientPair(
  peer: string,
  compress: boolean,
  peerPings: boolean,
  start: (url: string, compress: boolean) => Promise<PeerClose>,
  extra: Partial<Pick<Pair, 'large'>> = {},
): Pair {
  return {
    ...extra,
    name: `${peer} client → sockeye server, ${compress ? 'with' : 'without'} permessage-deflate`,
    compress,
    peerPings,
    connect(id) {
      const path = connectionPath(compress, id);
      const report = start(`${server.origin}${path}`, compress);
      return {
        conversation: acceptedEnd(server.accept(path, STEP_MS), report),
        peerClosed: reportWithin(report),
      };
    },
    url: (id) => `${server.origin}${connectionPath(compress, id)}`,
  };
}

describe.each([false, true])('permessage-deflate %s', (compress) => {
  describePair(clientPair('ws', compress, true, wsClient));
  describePair(clientPair('faye-websocket', compress, true, fayeClient));
  // Node's WebSocket always offers permessage-deflate: the server's path decides. Node 20's undici
  // (6.x) fails a compressed message that inflates past 4 MiB ("Max decompressed message size
  // exceeded", then 1006), whoever the server is: its largest compressed echo is 4 MiB.
  const undiciLimit = { length: 4 * 2 ** 20, why: 'Node 20’s undici inflates at most 4 MiB' };
  describePair(
    clientPair(
      'Node built-in WebSocket',
      compress,
      false,
      nodeBuiltinClient,
      compress ? { large: undiciLimit } : {},
    ),
  );
  describePair(clientPair('Python websockets', compress, true, pythonClient));
});
