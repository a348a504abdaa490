import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

it('the demo (the README first command) exchanges messages and an event stream, then exits with --once', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['examples/demo.mjs', '--once'], {
    cwd: root,
    timeout: 30_000,
  });
  const lines = stdout.trim().split('\n');
  expect(lines[0]).toMatch(/^server: listening on http:\/\/127\.0\.0\.1:\d+\/$/);
  expect(lines).toContain('client: open (protocol "echo", status 101)');
  expect(lines).toContain('client: echo "Hello, world!"');
  expect(lines).toContain('client: echo "héllo ünïcode ✓"');
  expect(lines).toContain('client: close 1000 done (clean)');
  expect(lines.filter((line) => /^eventsource: tick #\d: tick \d at /.test(line))).toHaveLength(3);
  expect(lines.at(-1)).toBe('demo: 2 messages echoed, 3 events streamed');
});
