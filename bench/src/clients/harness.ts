import type { DriverConfig } from '../driver-config.js';
import { readConfig } from '../driver-config.js';
import { exitWithParent, sendToParent } from '../ipc.js';
import { type Driver, NO_LATENCY, waitFor } from '../loadgen/driver.js';
import { textPayload } from '../loadgen/frames.js';
import { serveDriver } from '../loadgen/serve-driver.js';

/** What a client adapter reports for one connection. */
export interface ClientEvents {
  open(): void;
  message(): void;
  close(): void;
  error(): void;
}

/** One connection of the client under test. */
export interface ClientHandle {
  send(data: string): void;
  close(): void;
}

/** Opens one connection with the library under test; or a string: the reason to skip it. */
export type ClientAdapter = ((url: string, events: ClientEvents) => ClientHandle) | string;

interface Slot {
  handle: ClientHandle;
  outstanding: number;
}

/**
 * Runs the client under test: `connections` clients to the reflector, each keeping `inFlight`
 * messages in flight, counting the echoes, and answering the orchestrator like a load generator.
 */
export async function runClient(load: () => Promise<ClientAdapter>): Promise<void> {
  exitWithParent();
  let adapter: ClientAdapter;
  try {
    adapter = await load();
  } catch (error) {
    // A failed import fails this run only: the package may be mid-edit.
    sendToParent({ type: 'failure', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }
  if (typeof adapter === 'string') {
    sendToParent({ type: 'ready', skip: adapter });
    return;
  }
  const config = readConfig<DriverConfig>();
  const message = textPayload(config.payloadSize).toString('latin1');
  const url = `ws://127.0.0.1:${config.port}/`;
  const slots: Slot[] = [];
  let count = 0;
  let errors = 0;
  let open = 0;
  let sending = true;
  const connect = adapter;
  await new Promise<void>((resolve, reject) => {
    for (let i = 0; i < config.connections; i++) {
      const slot: Slot = { handle: { send() {}, close() {} }, outstanding: 0 };
      slot.handle = connect(url, {
        open() {
          open++;
          for (let k = 0; k < config.inFlight; k++) slot.handle.send(message);
          slot.outstanding = config.inFlight;
          if (open === config.connections) resolve();
        },
        message() {
          count++;
          if (sending) slot.handle.send(message);
          else slot.outstanding--;
        },
        close() {
          open--;
          if (open < config.connections) reject(new Error('a client closed while connecting'));
        },
        error() {
          errors++;
        },
      });
      slots.push(slot);
    }
  });
  const driver: Driver = {
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
      await waitFor(() => slots.every((s) => s.outstanding <= 0), 3000);
    },
    mark() {},
    latency: () => NO_LATENCY,
    stop() {
      sending = false;
      for (const slot of slots) slot.handle.close();
    },
  };
  serveDriver(driver);
}
