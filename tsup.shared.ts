import { defineConfig, type Options } from 'tsup';

const common = { entry: ['src/index.ts'], target: 'node20', platform: 'node' } as const satisfies Options;

/**
 * Appended to the CommonJS build: its exports become data properties. esbuild exports each name
 * through two getters (its ES module record, then `__toCommonJS`'s copy, which reads the record by
 * a key that differs per name), and code bundled against the package calls through them on every
 * use: `import_core.acceptHandshake(…)` cost a call, a megamorphic keyed load and a second call.
 * A server spent 5–10 µs of each handshake there (CPU profiles: `get` at line 15 of core's bundle).
 * The bundle's bindings are `const`s, functions and classes, set once it has run, so a snapshot of
 * them reads the same; `defineProperties` with one descriptor object keeps the object in V8's fast
 * mode, where assigning 85 names one by one would turn it into a dictionary.
 */
const plainExports = `module.exports = ((live) => Object.defineProperties({}, Object.fromEntries([
  ['__esModule', { value: true }],
  ...Object.keys(live).map((name) => [name, { value: live[name], enumerable: true }]),
])))(module.exports);`;

/**
 * The build of every scoped package: the code once, as CommonJS (`dist/index.cjs`, `.d.cts`), and
 * the ES module entry's declarations (`dist/index.d.ts`). The ES module entry itself,
 * `dist/index.js`, is written after tsup by `scripts/esm-wrapper.mjs` as a re-export of the
 * CommonJS build, so that `import` and `require()` share one copy. The two builds run in parallel,
 * so neither cleans `dist/`: the package's build script does, first.
 */
export const packageBuild = defineConfig([
  { ...common, format: ['cjs'], dts: true, sourcemap: true, footer: { js: plainExports } },
  { ...common, format: ['esm'], dts: { only: true } },
]);
