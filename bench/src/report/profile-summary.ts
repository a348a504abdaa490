/**
 * `tsx src/report/profile-summary.ts <file.cpuprofile> [top]`: the functions with the most self
 * time in a `node --cpu-prof` profile (as written by `pnpm bench --profile=<subject>`).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  hitCount?: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/** Self-time share per function, largest first. */
export function summarizeProfile(
  profile: { nodes: ProfileNode[] },
  top = 20,
): { name: string; percent: number }[] {
  const byName = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    total += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${basename(url)}:${lineNumber + 1}` : '';
    const name = `${functionName || '(anonymous)'} ${where}`.trim();
    byName.set(name, (byName.get(name) ?? 0) + hits);
  }
  return [...byName.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, hits]) => ({ name, percent: (100 * hits) / Math.max(1, total) }));
}

if (process.argv[1]?.endsWith('profile-summary.ts')) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
  const rows = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')), Number(process.argv[3] ?? 20));
  for (const row of rows) console.log(`${row.percent.toFixed(1).padStart(5)} %  ${row.name}`);
}
