import type { DriverConfig } from '../driver-config.js';
import { startBroadcastDriver } from './broadcast-driver.js';
import type { Driver } from './driver.js';
import { startEchoDriver } from './echo-driver.js';
import { startHandshakeDriver } from './handshake-driver.js';
import { startSseDriver } from './sse-driver.js';

/** Starts the driver for `config.kind`. */
export function startDriver(config: DriverConfig): Promise<Driver> | Driver {
  switch (config.kind) {
    case 'echo':
    case 'latency':
    case 'idle':
      return startEchoDriver(config);
    case 'handshake':
      return startHandshakeDriver(config);
    case 'broadcast':
      return startBroadcastDriver(config);
    case 'sse':
      return startSseDriver(config);
  }
}
