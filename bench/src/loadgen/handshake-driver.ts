import type { DriverConfig } from '../driver-config.js';
import { type Driver, NO_LATENCY } from './driver.js';
import { closeFrame, upgradeRequest } from './frames.js';
import { WsConnection, type WsConnectionHandler } from './ws-connection.js';

/** A connection that has not finished within this time is closed and counted as an error. */
const STALL_MS = 5000;

/**
 * Handshakes, `connections` at a time: each connection sends the upgrade request, and on the 101
 * sends a close frame and half-closes; the server answers the close and ends the connection, which
 * frees the slot for the next one. A handshake counts when its 101 arrives.
 *
 * A handshake is a connection's whole life, so this is where the generator's cost per connection
 * shows: {@link WsConnection}s sit on libuv's TCP handle, not `net.Socket` (`preferHandle: false`
 * drives them through `net`, the fallback where Node lacks the handle).
 */
export function startHandshakeDriver(config: DriverConfig, preferHandle = true): Driver {
  const request = upgradeRequest(config.port);
  const close = closeFrame();
  const live = new Set<WsConnection>();
  let count = 0;
  let errors = 0;
  let running = true;
  const handler: WsConnectionHandler = {
    onOpen(conn) {
      count++;
      conn.end(close);
    },
    onMessages() {},
    onClose(conn, error) {
      live.delete(conn);
      if (error) errors++;
      if (running) live.add(new WsConnection(config.port, request, handler, preferHandle));
    },
  };
  for (let i = 0; i < config.connections; i++)
    live.add(new WsConnection(config.port, request, handler, preferHandle));
  const sweep = setInterval(() => {
    const limit = Date.now() - STALL_MS;
    for (const conn of live) if (conn.startedAt < limit) conn.close();
  }, 1000);
  sweep.unref();
  const stop = () => {
    running = false;
    clearInterval(sweep);
    for (const conn of live) conn.close();
  };
  return {
    get count() {
      return count;
    },
    get errors() {
      return errors;
    },
    get connections() {
      return live.size;
    },
    async pause() {
      running = false;
    },
    mark() {},
    latency: () => NO_LATENCY,
    stop,
  };
}
