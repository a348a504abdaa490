import { constants, deflateRawSync } from 'node:zlib';
import type { DriverConfig } from '../driver-config.js';
import type { LatencySample } from '../ipc.js';
import { type Driver, NO_LATENCY, percentile, waitFor } from './driver.js';
import { buildFrame, Opcode, repeatFrame, textPayload, upgradeRequest } from './frames.js';
import { openConnections, type WsConnection, type WsConnectionHandler } from './ws-connection.js';

/**
 * The extension offer of the deflate scenario: what Chromium sends, so the server keeps an
 * inflater with a 32 KiB window per connection, as it would for a browser. The generator still
 * sends one precompressed frame again and again: RFC 7692 lets a sender compress a message
 * without referring to earlier ones even with context takeover (the receiver's window just goes
 * unused).
 */
export const DEFLATE_OFFER = 'permessage-deflate; client_max_window_bits';

/** The masked frame the echo driver sends: text or binary, compressed when `deflate` is set. */
export function echoFrame(config: Pick<DriverConfig, 'payloadSize' | 'binary' | 'deflate'>): Buffer {
  const payload = config.binary ? Buffer.alloc(config.payloadSize, 0xa5) : textPayload(config.payloadSize);
  const opcode = config.binary ? Opcode.Binary : Opcode.Text;
  if (!config.deflate) return buildFrame(opcode, payload);
  // RFC 7692 §7.2.1: compress, flush, and remove the trailing 0x00 0x00 0xff 0xff.
  const compressed = deflateRawSync(payload, { finishFlush: constants.Z_SYNC_FLUSH });
  return buildFrame(opcode, compressed.subarray(0, compressed.length - 4), { rsv1: true });
}

const LATENCY_CAPACITY = 1 << 20;

/** Messages each connection opened by `grow` sends, one after the other. */
export const GROW_MESSAGES = 4;

/**
 * Echo traffic: `connections` × `inFlight` messages kept in flight; each echo that comes back is
 * answered with a new message. With `kind: 'latency'` (one connection, one in flight) every round
 * trip is timed; with `kind: 'idle'` nothing is sent.
 */
export async function startEchoDriver(config: DriverConfig): Promise<Driver> {
  const frame = echoFrame(config);
  const inFlight = config.kind === 'idle' ? 0 : config.inFlight;
  const batch = repeatFrame(frame, Math.max(1, inFlight));
  const timing = config.kind === 'latency';
  const samples = new Float64Array(timing ? LATENCY_CAPACITY : 0);
  let sampleCount = 0;
  let sentAt = 0n;
  let count = 0;
  let errors = 0;
  let open = 0;
  let sending = true;
  const send = (conn: WsConnection, n: number) => {
    const size = frame.length;
    while (n > 0) {
      const k = Math.min(n, inFlight);
      conn.write(k === inFlight ? batch : batch.subarray(0, k * size));
      n -= k;
    }
  };
  const request = upgradeRequest(config.port, '/', config.deflate ? DEFLATE_OFFER : undefined);
  // Open connections and errors, counted the same for the first connections and grown ones.
  const lifecycle: Pick<WsConnectionHandler, 'onClose' | 'onOpen'> = {
    onClose(conn, error) {
      if (conn.open) open--;
      if (error) errors++;
    },
    onOpen() {
      open++;
    },
  };
  const conns = await openConnections(config.port, request, config.connections, config.connectConcurrency, {
    onMessages(conn, n) {
      count += n;
      if (timing) {
        const now = process.hrtime.bigint();
        if (sampleCount < LATENCY_CAPACITY) samples[sampleCount++] = Number(now - sentAt) / 1000;
        if (sending) sentAt = now;
      }
      if (sending) send(conn, n);
      else conn.outstanding -= n;
    },
    ...lifecycle,
  });
  for (const conn of conns) {
    conn.outstanding = inFlight;
    if (inFlight > 0) {
      if (timing) sentAt = process.hrtime.bigint();
      conn.write(batch);
    }
  }
  return {
    get count() {
      return count;
    },
    get errors() {
      return errors;
    },
    get connections() {
      return open;
    },
    async pause() {
      sending = false;
      await waitFor(() => conns.every((c) => c.outstanding <= 0 || c.closed), 3000);
    },
    async grow(more: number) {
      const added = await openConnections(config.port, request, more, config.connectConcurrency, {
        onMessages(conn, n) {
          // One message at a time, GROW_MESSAGES in all: enough to fill a 32 KiB window.
          conn.outstanding -= n;
          if (conn.outstanding > 0) conn.write(frame);
        },
        ...lifecycle,
      });
      for (const conn of added) {
        conn.outstanding = GROW_MESSAGES;
        conn.write(frame);
        conns.push(conn);
      }
      await waitFor(() => added.every((c) => c.outstanding <= 0 || c.closed), 10_000);
    },
    mark() {
      sampleCount = 0;
    },
    latency(): LatencySample {
      if (!timing) return NO_LATENCY;
      const sorted = samples.slice(0, sampleCount).sort();
      return {
        type: 'latency',
        count: sampleCount,
        p50Us: percentile(sorted, 0.5),
        p99Us: percentile(sorted, 0.99),
      };
    },
    stop() {
      sending = false;
      for (const conn of conns) conn.close();
    },
  };
}
