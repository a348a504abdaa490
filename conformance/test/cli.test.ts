import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

describe('the command line', () => {
  // pnpm 12 runs `pnpm run conformance -- --help` as `tsx src/cli.ts -- --help`.
  it('takes its flags after the `--` that pnpm passes through', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', cli, '--', '--help']);
    expect(stdout).toContain('usage: pnpm conformance [-- options]');
  });
});
