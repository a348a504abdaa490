import { once } from 'node:events';
import type { AddressInfo, Server } from 'node:net';

/**
 * Starts `server` (TCP, HTTP or TLS) listening on 127.0.0.1, port 0 (tests touch loopback only and
 * never assume a port is free), and resolves with the port the system gave it.
 */
export async function listenLoopback(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}
