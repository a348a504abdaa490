import { connect, createServer, type Server, type Socket } from 'node:net';
import { listenLoopback } from '../loopback-port.js';

/** When a {@link DyingProxy} kills the tunnel. */
export type DeathPoint =
  /** On the CONNECT request, before any reply. */
  | { readonly when: 'connect' }
  /** Right after its `200` reply, before a byte goes through. */
  | { readonly when: 'established' }
  /** Once this many bytes have come back from the target (e.g. in the middle of the 101 or a frame). */
  | { readonly when: 'downstream-bytes'; readonly bytes: number }
  /** When the test calls `kill()`. */
  | { readonly when: 'manual' };

/** A CONNECT proxy on 127.0.0.1 that resets the client's connection at a chosen point. */
export interface DyingProxy {
  readonly port: number;
  readonly url: string;
  /** CONNECT request lines received. */
  readonly requests: string[];
  /** Resolves once the tunnel was killed. */
  readonly killed: Promise<void>;
  /** Resets every tunnel now. */
  kill(): void;
  close(): Promise<void>;
}

/** Starts a CONNECT proxy that forwards faithfully until `death`, then resets both ends. */
export async function startDyingProxy(death: DeathPoint): Promise<DyingProxy> {
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  let resolveKilled!: () => void;
  const killed = new Promise<void>((resolve) => {
    resolveKilled = resolve;
  });
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  };
  const kill = () => {
    for (const socket of sockets) if (!socket.destroyed) socket.resetAndDestroy();
    resolveKilled();
  };

  const server: Server = createServer((client) => {
    track(client);
    let head = Buffer.alloc(0);
    const onHead = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      client.off('data', onHead);
      const requestLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      requests.push(requestLine);
      if (death.when === 'connect') return kill();
      const target = /^CONNECT ([^ ]+):(\d+) HTTP\/1\.[01]$/.exec(requestLine);
      if (!target) {
        client.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      const upstream = connect({ host: target[1]!.replace(/^\[|\]$/g, ''), port: Number(target[2]) });
      track(upstream);
      upstream.on('connect', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (death.when === 'established') return kill();
        const rest = head.subarray(end + 4);
        if (rest.length > 0) upstream.write(rest);
        client.pipe(upstream);
        let seen = 0;
        upstream.on('data', (chunk: Buffer) => {
          if (death.when === 'downstream-bytes') {
            const room = death.bytes - seen;
            seen += chunk.length;
            if (seen >= death.bytes) {
              if (room > 0) client.write(chunk.subarray(0, room));
              // Let the partial bytes leave before the reset, so the client is mid-message.
              client.once('drain', kill);
              if (client.writableLength === 0) setImmediate(kill);
              return;
            }
          }
          client.write(chunk);
        });
      });
      upstream.on('error', () => client.destroy());
    };
    client.on('data', onHead);
  });
  const port = await listenLoopback(server);
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    killed,
    kill,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
