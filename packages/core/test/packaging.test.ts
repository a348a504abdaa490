import { describe } from 'vitest';
import { itLoadsFromDist } from '../../../test-support/packaging.js';

describe('@sockeye/core as published', () => {
  itLoadsFromDist(new URL('..', import.meta.url).pathname, ['WebSocketError', 'ProtocolError', 'ErrorCode']);
});
