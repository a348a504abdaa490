import { exitWithParent, type ParentMessage, sendToParent, takeMemory, takeSample } from '../ipc.js';
import type { Driver } from './driver.js';

/** Answers the orchestrator for `driver` until told to stop. */
export function serveDriver(driver: Driver): void {
  process.on('message', async (message: ParentMessage) => {
    switch (message.type) {
      case 'sample':
        sendToParent(takeSample(driver.count, driver.errors, driver.connections));
        break;
      case 'memory':
        sendToParent(await takeMemory(driver.connections));
        break;
      case 'mark':
        driver.mark();
        break;
      case 'latency':
        sendToParent(driver.latency());
        break;
      case 'pause':
        await driver.pause();
        sendToParent({ type: 'paused' });
        break;
      case 'grow':
        await driver.grow?.(message.connections);
        sendToParent({ type: 'grown' });
        break;
      case 'stop':
        driver.stop();
        process.exit(0);
    }
  });
  exitWithParent();
  sendToParent({ type: 'ready' });
}
