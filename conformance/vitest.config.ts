import { defineSockeyeProject } from '../vitest.shared.ts';

// The whole suite runs twice per subject (server and client mode); give each category room on a
// loaded 2-core CI box.
export default defineSockeyeProject('conformance', { test: { testTimeout: 300_000, hookTimeout: 60_000 } });
