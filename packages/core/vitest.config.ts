import { defineSockeyeProject } from '../../vitest.shared.ts';

// The sans-I/O protocol engine must stay thoroughly tested: `pnpm test` fails below 95 % line
// coverage of src/protocol.
export default defineSockeyeProject('core', {
  test: {
    coverage: {
      provider: 'v8',
      include: ['src/protocol/**'],
      thresholds: { lines: 95 },
    },
  },
});
