import type { Mode } from './case.js';
import { CATEGORIES } from './cases/index.js';
import type { CaseResult } from './runner.js';

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function cell(results: CaseResult[]): string {
  if (results.length === 0) return '—';
  const count = (v: string) => results.filter((r) => r.verdict === v).length;
  const parts = [`${count('pass')} pass`];
  const ns = count('non-strict');
  const f = count('fail');
  const info = count('informational');
  if (ns) parts.push(`${ns} non-strict`);
  if (f) parts.push(`${f} FAIL`);
  if (info) parts.push(`${info} info`);
  return parts.join(', ');
}

function byId(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? -1) - (y[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Renders the report: per mode, one table with a row per category and a column per subject
 * (pass / non-strict / FAIL / informational counts), then every non-passing case with its reason.
 */
export function renderReport(results: readonly CaseResult[]): string {
  const lines: string[] = [];
  const subjects = [...new Set(results.map((r) => r.subject))];
  for (const mode of ['server', 'client'] as Mode[]) {
    const inMode = results.filter((r) => r.mode === mode);
    if (inMode.length === 0) continue;
    const categories = [...new Set(inMode.map((r) => r.category))].sort(byId);
    const header = ['category', ...subjects];
    const rows = categories.map((cat) => [
      `${cat} ${CATEGORIES[cat] ?? ''} (${new Set(inMode.filter((r) => r.category === cat).map((r) => r.id)).size})`,
      ...subjects.map((s) => cell(inMode.filter((r) => r.category === cat && r.subject === s))),
    ]);
    rows.push(['total', ...subjects.map((s) => cell(inMode.filter((r) => r.subject === s)))]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    lines.push(
      '',
      `${mode === 'server' ? 'Server' : 'Client'} mode (the suite ${mode === 'server' ? 'connects to each server' : 'is the server each client connects to'})`,
      '',
    );
    lines.push(`| ${header.map((h, i) => pad(h, widths[i]!)).join(' | ')} |`);
    lines.push(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
    for (const row of rows) lines.push(`| ${row.map((c, i) => pad(c, widths[i]!)).join(' | ')} |`);
  }
  const notPassing = results
    .filter((r) => r.verdict !== 'pass')
    .sort((a, b) => a.subject.localeCompare(b.subject) || a.mode.localeCompare(b.mode) || byId(a.id, b.id));
  if (notPassing.length > 0) {
    lines.push('', 'Cases that did not pass:', '');
    for (const r of notPassing)
      lines.push(
        `  ${pad(r.subject, 8)} ${pad(r.mode, 6)} ${pad(r.id, 9)} ${pad(r.verdict.toUpperCase(), 13)} ${r.reason}`,
      );
  }
  return lines.join('\n');
}

/** True when `subject` has a fail or non-strict verdict anywhere in `results`. */
export function hasProblems(results: readonly CaseResult[], subject: string): boolean {
  return results.some((r) => r.subject === subject && (r.verdict === 'fail' || r.verdict === 'non-strict'));
}
