import { describe } from 'vitest';
import { itLoadsFromDist } from '../../../test-support/packaging.js';

describe('@sockeye/client as published', () => {
  itLoadsFromDist(new URL('..', import.meta.url).pathname, ['Client', 'HandshakeError']);
});
