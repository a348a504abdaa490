import { afterAll, beforeAll, describe } from 'vitest';
import { selfSignedCertificate } from '../../../test-support/tls-fixture.js';
import { STEP_MS } from './support/conversation.js';
import { acceptedEnd, describePair, reportWithin } from './support/matrix.js';
import { type Nginx, startNginx } from './support/nginx.js';
import { wsClient } from './support/node-peers.js';
import { stopProcesses } from './support/processes.js';
import { connectionPath, type SockeyeServer, startSockeyeServer } from './support/sockeye-server.js';

// The sockeye server behind nginx, reached by a ws client over plain HTTP and over TLS that nginx
// terminates. Behind the proxy the server sees plain HTTP from 127.0.0.1 either way: its `url`
// must still be the one the client used, from `Host` and `X-Forwarded-Proto`.

const certificate = selfSignedCertificate();
let server: SockeyeServer;
let nginx: Nginx;

beforeAll(async () => {
  server = await startSockeyeServer();
  nginx = await startNginx(server.port, certificate);
});

afterAll(async () => {
  await nginx?.close();
  await stopProcesses();
  await server?.close();
});

describe.each([false, true])('permessage-deflate %s', (compress) => {
  describe.each([
    ['http', () => `ws://127.0.0.1:${nginx.port}`],
    ['https (TLS ended by nginx)', () => `wss://localhost:${nginx.tlsPort}`],
  ])('nginx %s', (_scheme, origin) => {
    describePair({
      name: `ws client → nginx → sockeye server, ${compress ? 'with' : 'without'} permessage-deflate`,
      compress,
      peerPings: true,
      connect(id) {
        const path = connectionPath(compress, id);
        const report = wsClient(`${origin()}${path}`, compress, { ca: certificate.cert });
        return {
          conversation: acceptedEnd(server.accept(path, STEP_MS), report),
          peerClosed: reportWithin(report),
        };
      },
      url: (id) => `${origin()}${connectionPath(compress, id)}`,
    });
  });
});
