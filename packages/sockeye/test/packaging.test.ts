import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { itShipsWhatItNames } from '../../../test-support/packaging.js';

const packageDir = new URL('..', import.meta.url).pathname;
const run = (code: string, type: 'commonjs' | 'module') =>
  execFileSync(process.execPath, [`--input-type=${type}`, '-e', code], {
    cwd: packageDir,
    encoding: 'utf8',
  }).trim();

describe('sockeye as published', () => {
  itShipsWhatItNames(packageDir);

  it("require('sockeye') has the shape of require('faye-websocket')", () => {
    const shape = JSON.parse(
      run(
        `const W = require('sockeye');
         console.log(JSON.stringify({
           type: typeof W, name: W.name, self: W.WebSocket === W,
           client: typeof W.Client, eventSource: typeof W.EventSource,
           isEventSource: typeof W.EventSource.isEventSource, isWebSocket: typeof W.isWebSocket,
           validateOptions: typeof W.validateOptions, open: W.OPEN,
         }))`,
        'commonjs',
      ),
    );
    expect(shape).toEqual({
      type: 'function',
      name: 'WebSocket',
      self: true,
      client: 'function',
      eventSource: 'function',
      isEventSource: 'function',
      isWebSocket: 'function',
      validateOptions: 'function',
      open: 1,
    });
  });

  it('import gives the same class as the default export, and the parts as named exports', () => {
    const out = run(
      `import WebSocket, { Client, EventSource, WebSocket as Named, isWebSocket } from 'sockeye';
       import { createRequire } from 'node:module';
       const cjs = createRequire(import.meta.url)('sockeye');
       const upgrade = { method: 'GET', headers: { connection: 'Upgrade', upgrade: 'websocket' } };
       console.log([WebSocket === Named, Client === WebSocket.Client, EventSource === WebSocket.EventSource,
         isWebSocket(upgrade), WebSocket.isWebSocket({ method: 'GET', headers: {} }), cjs === WebSocket].join(' '));`,
      'module',
    );
    // The last: import and require() give one class, not a copy from each of two builds.
    expect(out).toBe('true true true true false true');
  });

  // `import WebSocket = require('sockeye')` must read the `export =` declaration: through the
  // `exports` map (nodenext), and through the top-level `types` under TypeScript's legacy
  // resolution (`node10`, its default with `"module": "commonjs"`), which ignores `exports`.
  it.each([
    ['nodenext', 'nodenext'],
    ['commonjs', 'node10'],
  ])(
    'gives a CommonJS TypeScript file the class, its parts by name and the option types (module %s, resolution %s)',
    (module, resolution) => {
      const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
      const args = [
        '--noEmit',
        '--strict',
        '--module',
        module,
        '--moduleResolution',
        resolution,
        '--skipLibCheck',
      ];
      const fixture = 'test/fixtures/commonjs-consumer.cts';
      const check = () =>
        execFileSync(process.execPath, [tsc, ...args, '--types', 'node', fixture], {
          cwd: packageDir,
          encoding: 'utf8',
        });
      expect(check).not.toThrow();
    },
  );

  it('refuses imports of internal paths', () => {
    const out = run(
      `for (const p of ['sockeye/dist/index.cjs', 'sockeye/src/index.ts', 'sockeye/src/websocket.ts']) {
         try { require(p); console.log('loaded'); } catch (e) { console.log(e.code); } }`,
      'commonjs',
    );
    expect(out.split('\n')).toEqual(Array(3).fill('ERR_PACKAGE_PATH_NOT_EXPORTED'));
  });
});
