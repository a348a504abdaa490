import { describe } from 'vitest';
import { itLoadsFromDist } from '../../../test-support/packaging.js';

describe('@sockeye/eventsource as published', () => {
  itLoadsFromDist(new URL('..', import.meta.url).pathname, ['EventSource', 'isEventSource', 'encodeEvent']);
});
