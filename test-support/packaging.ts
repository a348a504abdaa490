import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

/**
 * Checks a package as a user gets it: `dist/` loaded through `require()` and through `import`
 * from a separate Node process (so the `source` condition the tests use is not in play), the
 * named exports equal on both sides, and paths outside the `exports` map refused.
 */
export function itLoadsFromDist(packageDir: string, expectedNames: readonly string[]): void {
  const { name } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { name: string };
  const run = (code: string, type: 'commonjs' | 'module') =>
    execFileSync(process.execPath, [`--input-type=${type}`, '-e', code], {
      cwd: packageDir,
      encoding: 'utf8',
    });

  it(`exports the same names through require() and import`, () => {
    const cjs = JSON.parse(
      run(`console.log(JSON.stringify(Object.keys(require(${JSON.stringify(name)})).sort()))`, 'commonjs'),
    ) as string[];
    const esm = JSON.parse(
      run(
        `const m = await import(${JSON.stringify(name)}); console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default').sort()))`,
        'module',
      ),
    ) as string[];
    for (const expected of expectedNames) {
      expect(cjs).toContain(expected);
      expect(esm).toContain(expected);
    }
    expect(esm).toEqual(cjs.filter((k) => k !== 'default'));
  });

  it('refuses imports of internal paths', () => {
    const attempt = (spec: string) =>
      run(
        `try { require(${JSON.stringify(spec)}); console.log('loaded') } catch (e) { console.log(e.code) }`,
        'commonjs',
      ).trim();
    expect(attempt(`${name}/dist/index.cjs`)).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
    expect(attempt(`${name}/src/index.ts`)).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });
}
