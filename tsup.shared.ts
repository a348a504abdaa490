import { defineConfig, type Options } from 'tsup';

const common = { entry: ['src/index.ts'], target: 'node20', platform: 'node' } as const satisfies Options;

/**
 * The build of every scoped package: the code once, as CommonJS (`dist/index.cjs`, `.d.cts`), and
 * the ES module entry's declarations (`dist/index.d.ts`). The ES module entry itself,
 * `dist/index.js`, is written after tsup by `scripts/esm-wrapper.mjs` as a re-export of the
 * CommonJS build, so that `import` and `require()` share one copy. The two builds run in parallel,
 * so neither cleans `dist/`: the package's build script does, first.
 */
export const packageBuild = defineConfig([
  { ...common, format: ['cjs'], dts: true, sourcemap: true },
  { ...common, format: ['esm'], dts: { only: true } },
]);
