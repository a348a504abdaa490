import { Client, type ClientOptions } from '@sockeye/client';
import { Conversation } from './conversation.js';
import type { Pair } from './matrix.js';
import { deflate, type PeerServer } from './node-peers.js';

/** What a client pair needs of its peer server: where connection `id` goes, and its close report. */
export interface ClientPairTarget {
  /** The URL of connection `id` (its path names it to the peer server). */
  url(id: string): string;
  server(): Pick<PeerServer, 'closeOf'>;
  /** Client options besides the extensions (a proxy, a CA…). Default: none. */
  options?(): ClientOptions;
}

/** The pair "peer server ← sockeye Client": the Client offers permessage-deflate when `compress`. */
export function clientPair(name: string, compress: boolean, target: ClientPairTarget): Pair {
  return {
    name: `sockeye client → ${name}, ${compress ? 'with' : 'without'} permessage-deflate`,
    compress,
    peerPings: true,
    connect(id) {
      const options: ClientOptions = {
        ...target.options?.(),
        ...(compress ? { extensions: [deflate] } : {}),
      };
      return {
        conversation: new Conversation(new Client(target.url(id), ['echo'], options)),
        peerClosed: (ms) => target.server().closeOf(`/${id}`, ms),
      };
    },
    url: (id) => target.url(id),
  };
}
