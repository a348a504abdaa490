import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { expect, it } from 'vitest';

/**
 * Checks a package as a user gets it: `dist/` loaded through `require()` and through `import`
 * from a separate Node process (so the `source` condition the tests use is not in play), the
 * named exports equal on both sides, paths outside the `exports` map refused, and the tarball
 * holding what {@link itShipsWhatItNames} asks.
 */
export function itLoadsFromDist(packageDir: string, expectedNames: readonly string[]): void {
  itShipsWhatItNames(packageDir);

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

/** A package.json's `exports` value, as far as the files it names go. */
type ExportsTree = string | null | { [condition: string]: ExportsTree };

/**
 * Checks the file list `npm pack` would publish: the README, the LICENSE (the MIT notice must
 * travel with the code), and every file `main`, `module`, `types` and the `exports` map name,
 * but for the `sockeye-source` condition, which only this workspace's tests resolve.
 */
export function itShipsWhatItNames(packageDir: string): void {
  it('ships its README, its LICENSE and every file its package.json names', () => {
    const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
      main?: string;
      module?: string;
      types?: string;
      exports: ExportsTree;
    };
    const [pack] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: packageDir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as [{ files: { path: string }[] }];
    const shipped = new Set(pack.files.map((file) => file.path));
    const named = new Set([manifest.main, manifest.module, manifest.types]);
    const walk = (tree: ExportsTree, condition: string) => {
      if (typeof tree === 'string') {
        if (condition !== 'sockeye-source') named.add(tree);
      } else if (tree !== null) for (const [key, value] of Object.entries(tree)) walk(value, key);
    };
    walk(manifest.exports, '');
    const missing = [...named]
      .filter((path): path is string => path !== undefined)
      .map((path) => path.replace(/^\.\//, ''))
      .filter((path) => !shipped.has(path));
    expect(missing).toEqual([]);
    expect(shipped).toContain('README.md');
    expect(shipped).toContain('LICENSE');
    expect(
      [...shipped].filter((path) => !/^(dist\/|README\.md$|LICENSE$|package\.json$)/.test(path)),
    ).toEqual([]);
    // Source maps name their files relative to themselves, never by the build machine's paths.
    for (const path of shipped) {
      if (!path.endsWith('.map')) continue;
      const map = JSON.parse(readFileSync(join(packageDir, path), 'utf8')) as {
        file?: string;
        sources: string[];
      };
      expect([map.file ?? '', ...map.sources].filter((name) => isAbsolute(name))).toEqual([]);
    }
  });
}
