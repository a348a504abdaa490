import { defineConfig } from 'tsup';

const common = { dts: true, sourcemap: true, target: 'node20', platform: 'node' } as const;

export default defineConfig([
  // ESM: a default export (the faye-shaped class) plus named exports.
  { ...common, entry: { index: 'src/index.ts' }, format: ['esm'], clean: true },
  // CommonJS: `module.exports = WebSocket`, for `require('sockeye')` as a drop-in for faye-websocket.
  { ...common, entry: { index: 'src/faye.ts' }, format: ['cjs'], cjsInterop: true, splitting: true },
]);
