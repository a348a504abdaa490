import { describe } from 'vitest';
import { itLoadsFromDist } from '../../../test-support/packaging.js';

describe('@sockeye/server as published', () => {
  itLoadsFromDist(new URL('..', import.meta.url).pathname, ['WebSocket', 'isWebSocket', 'attach']);
});
