import { describe } from 'vitest';
import { itLoadsFromDist } from '../../../test-support/packaging.js';

describe('@sockeye/proxy as published', () => {
  itLoadsFromDist(new URL('..', import.meta.url).pathname, [
    'openTunnel',
    'buildConnectRequest',
    'proxyFromEnvironment',
  ]);
});
