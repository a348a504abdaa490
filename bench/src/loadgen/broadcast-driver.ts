import type { DriverConfig } from '../driver-config.js';
import { type Driver, NO_LATENCY, waitFor } from './driver.js';
import { buildFrame, Opcode, textPayload, upgradeRequest } from './frames.js';
import { openConnections } from './ws-connection.js';

/**
 * Broadcast: `connections` clients; the first one also sends the messages the server broadcasts to
 * every client (itself included). At most `inFlight` broadcasts are outstanding: a new one goes out
 * when `deliveries / connections` says an old one has reached everyone.
 */
export async function startBroadcastDriver(config: DriverConfig): Promise<Driver> {
  const frame = buildFrame(Opcode.Text, textPayload(config.payloadSize));
  const n = config.connections;
  let deliveries = 0;
  let sent = 0;
  let errors = 0;
  let open = 0;
  let sending = true;
  const pump = () => {
    const trigger = conns[0];
    if (!trigger) return;
    while (sending && sent - Math.floor(deliveries / n) < config.inFlight) {
      trigger.write(frame);
      sent++;
    }
  };
  let conns: Awaited<ReturnType<typeof openConnections>> = [];
  conns = await openConnections(config.port, upgradeRequest(config.port), n, config.connectConcurrency, {
    onOpen() {
      open++;
    },
    onMessages(_conn, k) {
      deliveries += k;
      pump();
    },
    onClose(conn, error) {
      if (conn.open) open--;
      if (error) errors++;
    },
  });
  pump();
  return {
    get count() {
      return deliveries;
    },
    get errors() {
      return errors;
    },
    get connections() {
      return open;
    },
    async pause() {
      sending = false;
      await waitFor(() => deliveries >= sent * n, 3000);
    },
    mark() {},
    latency: () => NO_LATENCY,
    stop() {
      sending = false;
      for (const conn of conns) conn.close();
    },
  };
}
