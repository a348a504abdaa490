import { createRequire } from 'node:module';
import { Connection, encodeFrame, Opcode, Role } from './packages/core/src/index.ts';
const require = createRequire(import.meta.url);
const Receiver = require(require('node:path').join(require('node:path').dirname(require.resolve('ws')), 'lib/receiver.js'));

function frames(n: number, size: number, text: boolean) {
  const list: Buffer[] = [];
  const payload = text ? Buffer.from('a'.repeat(size)) : Buffer.alloc(size, 7);
  for (let i = 0; i < n; i++) list.push(...encodeFrame(text ? Opcode.Text : Opcode.Binary, payload, { mask: true }));
  return Buffer.concat(list);
}
function bench(name: string, wire: Buffer, count: number, reps: number) {
  const copies = Array.from({ length: reps }, () => Buffer.from(wire));
  const copies2 = Array.from({ length: reps }, () => Buffer.from(wire));
  let got = 0;
  const handler = { onMessage() { got++; }, onPing() {}, onPong() {}, onClose() {}, onFail(e: unknown) { throw e; }, onOutgoing() {} };
  const conn = new Connection(handler, { role: Role.Server });
  let t = process.hrtime.bigint();
  for (const c of copies) conn.receiveData(c);
  const ours = Number(process.hrtime.bigint() - t) / 1e6;
  const r = new Receiver({ isServer: true, skipUTF8Validation: false });
  let got2 = 0;
  r.on('message', () => { got2++; });
  t = process.hrtime.bigint();
  for (const c of copies2) r.write(c);
  const theirs = Number(process.hrtime.bigint() - t) / 1e6;
  console.log(name, 'sockeye', ours.toFixed(1), 'ms  ws', theirs.toFixed(1), 'ms  ratio', (theirs / ours).toFixed(2), got, got2);
}
for (let round = 0; round < 3; round++) {
  bench('32B text x2000/chunk', frames(2000, 32, true), 2000, 300);
  bench('32B binary x2000/chunk', frames(2000, 32, false), 2000, 300);
  bench('64KiB binary', frames(1, 65536, false), 1, 3000);
  bench('64KiB text', frames(1, 65536, true), 1, 3000);
}
