import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Mode } from './case.js';
import { allCases, selectCases } from './cases/index.js';
import { hasProblems, renderReport } from './report.js';
import { DEFAULT_SETTINGS, runSuite } from './runner.js';
import { SUBJECTS } from './subjects/index.js';

const HELP = `sockeye conformance suite (RFC 6455 / RFC 7692, Autobahn's categories)

usage: pnpm conformance [-- options]
  --subject <list>     subjects, comma-separated: ${Object.keys(SUBJECTS).join(', ')} (default: all)
  --mode <list>        server, client or both (default: server,client)
  --case <patterns>    case ids or patterns, e.g. 6.4.*,7.9,1.1.1 (default: all)
  --wait <ms>          Autobahn's 1-second waits, scaled (default ${DEFAULT_SETTINGS.waitMs})
  --deflate-messages <n>  messages per 12.x/13.x case (default ${DEFAULT_SETTINGS.deflateMessages}; Autobahn: 1000)
  --round-trips <n>    messages per 9.7/9.8 case (default ${DEFAULT_SETTINGS.roundTrips})
  --max-size <bytes>   cap of the 9.x message sizes (default 16 MiB)
  --full               Autobahn's full sizes (1000 messages per 12.x/13.x case)
  --json <file>        also write every result as JSON
  --verbose            print each case as it finishes
Exits 1 when sockeye has any fail or non-strict verdict.`;

// `pnpm conformance -- --case 7.9` passes the `--` through: drop it.
const args = process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--'));
const { values } = parseArgs({
  args,
  options: {
    subject: { type: 'string' },
    mode: { type: 'string' },
    case: { type: 'string' },
    wait: { type: 'string' },
    'deflate-messages': { type: 'string' },
    'round-trips': { type: 'string' },
    'max-size': { type: 'string' },
    full: { type: 'boolean' },
    json: { type: 'string' },
    verbose: { type: 'boolean' },
    help: { type: 'boolean' },
  },
});

if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const names = values.subject ? values.subject.split(',').map((s) => s.trim()) : Object.keys(SUBJECTS);
for (const n of names) {
  if (!SUBJECTS[n]) {
    console.error(`unknown subject ${n}; known: ${Object.keys(SUBJECTS).join(', ')}`);
    process.exit(2);
  }
}
const modes = (values.mode ? values.mode.split(',').map((s) => s.trim()) : ['server', 'client']) as Mode[];
if (modes.some((m) => m !== 'server' && m !== 'client')) {
  console.error('--mode takes server, client or server,client');
  process.exit(2);
}
const num = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
const settings = {
  waitMs: num(values.wait, DEFAULT_SETTINGS.waitMs),
  deflateMessages: num(values['deflate-messages'], values.full ? 1000 : DEFAULT_SETTINGS.deflateMessages),
  roundTrips: num(values['round-trips'], DEFAULT_SETTINGS.roundTrips),
  maxMessageSize: num(values['max-size'], DEFAULT_SETTINGS.maxMessageSize),
};
const cases = selectCases(allCases(settings.maxMessageSize), values.case);
if (cases.length === 0) {
  console.error(`no case matches ${values.case}`);
  process.exit(2);
}

const started = Date.now();
console.log(`Running ${cases.length} cases × ${names.join(', ')} × ${modes.join(', ')} mode …`);
const results = await runSuite({
  cases,
  subjects: names.map((n) => SUBJECTS[n]!),
  modes,
  settings,
  onResult: (r) => {
    if (values.verbose)
      console.log(
        `${r.subject} ${r.mode} ${r.id} ${r.verdict} (${r.ms} ms) ${r.verdict === 'pass' ? '' : r.reason}`,
      );
  },
});
console.log(renderReport(results));
console.log(`\n${results.length} results in ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
if (names.includes('sockeye') && hasProblems(results, 'sockeye')) {
  console.log('sockeye has fail or non-strict verdicts: exit 1');
  process.exit(1);
}
