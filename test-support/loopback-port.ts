import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as net from 'node:net';

/**
 * Starts `server` (TCP, HTTP or TLS) listening on 127.0.0.1, port 0 (tests touch loopback only and
 * never assume a port is free), and resolves with the port the system gave it.
 */
export async function listenLoopback(server: net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

/**
 * A loopback port that was free a moment ago, for daemons (squid, tinyproxy, nginx) that cannot
 * bind port 0 and tell us which port they got, and for tests that need a port nobody listens on.
 */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  const port = await listenLoopback(server);
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * Resolves once something accepts TCP connections on 127.0.0.1:`port`; rejects after `ms`, or at
 * once when `child` (the daemon expected to listen there) has exited.
 */
export async function waitForPort(port: number, ms: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
