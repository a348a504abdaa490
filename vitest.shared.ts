import { resolve } from 'node:path';
import { defineProject, mergeConfig, type UserWorkspaceConfig } from 'vitest/config';

const root = import.meta.dirname;

/**
 * The vitest settings every workspace package shares. Workspace packages are resolved to their
 * TypeScript sources through the `sockeye-source` export condition, so tests never need a stale `dist/`;
 * the packaging test of each package checks `dist/` separately. Under `CI=true` each project also
 * writes vitest's JSON report to `.reports/<name>.json`, which `.ci/run` sums.
 */
export function defineSockeyeProject(
  name: string,
  overrides: UserWorkspaceConfig = {},
  { fromSource = true }: { fromSource?: boolean } = {},
) {
  // vitest also hands these conditions to Node in its workers, so `require()` in a test follows them.
  // A package whose tests must see the built packages, as users load them, sets `fromSource: false`.
  const conditions = fromSource ? ['sockeye-source'] : [];
  const base = defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions } },
    test: {
      name,
      include: ['test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 30_000,
      pool: 'forks',
      ...(process.env.CI
        ? {
            reporters: ['default', 'json'],
            outputFile: { json: resolve(root, '.reports', `${name}.json`) },
          }
        : {}),
    },
  });
  return mergeConfig(base, overrides);
}
