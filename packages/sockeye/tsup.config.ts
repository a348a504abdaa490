import { readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { defineConfig } from 'tsup';

// The code once, as CommonJS: `module.exports = WebSocket`, for `require('sockeye')` as a drop-in
// for faye-websocket. The ES module entry is a wrapper over it (`scripts/esm-wrapper.mjs`, run
// after tsup), so `import WebSocket from 'sockeye'` is the same class; tsup writes only its
// declarations. The two builds run in parallel, so neither cleans dist/: the build script does.
export default defineConfig([
  {
    entry: { index: 'src/faye.ts' },
    format: ['cjs'],
    dts: true,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    cjsInterop: true,
    splitting: true,
    onSuccess: relativeMapPaths,
  },
  {
    entry: { index: 'src/index.ts' },
    format: ['esm'],
    dts: { only: true },
    target: 'node20',
    platform: 'node',
  },
]);

/**
 * cjsInterop rewrites the CommonJS output in a second pass, whose source map names its input, the
 * output file itself, by absolute path (`file` and the first of `sources`): the published map would
 * carry the build machine's directories. Made relative to the map, as the other entries are.
 */
async function relativeMapPaths(): Promise<void> {
  const map = resolve('dist/index.cjs.map');
  const json = JSON.parse(await readFile(map, 'utf8')) as { file?: string; sources: string[] };
  const relativePath = (path: string) => (isAbsolute(path) ? relative(dirname(map), path) : path);
  if (json.file !== undefined) json.file = relativePath(json.file);
  json.sources = json.sources.map(relativePath);
  await writeFile(map, JSON.stringify(json));
}
