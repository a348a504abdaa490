/**
 * The load generator process (forked by `cli.ts`): runs one driver against the subject's port and
 * answers the orchestrator's IPC requests. Its config comes in `BENCH_CONFIG`.
 */
import { type DriverConfig, readConfig } from '../driver-config.js';
import { exitWithParent, sendToParent } from '../ipc.js';
import { serveDriver } from './serve-driver.js';
import { startDriver } from './start-driver.js';

exitWithParent();
try {
  serveDriver(await startDriver(readConfig<DriverConfig>()));
} catch (error) {
  sendToParent({ type: 'failure', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
