import { defineConfig } from 'tsup';

const common = { dts: true, sourcemap: true, target: 'node20', platform: 'node' } as const;

// The two builds run in parallel, so neither cleans dist/: the package's build script does, first.
export default defineConfig([
  // ESM: a default export (the faye-shaped class) plus named exports.
  { ...common, entry: { index: 'src/index.ts' }, format: ['esm'] },
  // CommonJS: `module.exports = WebSocket`, for `require('sockeye')` as a drop-in for faye-websocket.
  { ...common, entry: { index: 'src/faye.ts' }, format: ['cjs'], cjsInterop: true, splitting: true },
]);
