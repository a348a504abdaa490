import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RunningServer } from '../subject.js';

/**
 * Starts an HTTP server on 127.0.0.1 (port 0) that hands every upgrade request to `onUpgrade`
 * untouched (the library under test must judge it) and tracks sockets so `close()` leaves
 * nothing behind. A throw from the library destroys that socket only.
 */
export async function hostUpgrades(
  onUpgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => void,
): Promise<RunningServer> {
  const sockets = new Set<Duplex>();
  const server = createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not a WebSocket request\n');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    try {
      onUpgrade(request, socket, head);
    } catch {
      socket.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
