import { createRequire } from 'node:module';
import { FrameParser, FrameEvent, Role } from '@sockeye/core';
const require = createRequire(import.meta.url);
import { dirname, join } from 'node:path';
const Receiver = require(join(dirname(require.resolve('ws')), 'lib', 'receiver.js'));
const size = Number(process.argv[2] ?? 4 << 20);
const chunkSize = 65536;
const key = Buffer.from([1, 2, 3, 4]);
const payload = Buffer.alloc(size, 0x5a);
const header = Buffer.alloc(14); header[0] = 0x82; header[1] = 0xff; header.writeUInt32BE(0, 2); header.writeUInt32BE(size, 6); key.copy(header, 10);
const frame = Buffer.concat([header, payload]);
const frames = Buffer.concat([frame, frame, frame, frame]);
const chunks: Buffer[] = [];
for (let i = 0; i < frames.length; i += chunkSize) chunks.push(frames.subarray(i, i + chunkSize));
const work = chunks.map((c) => Buffer.allocUnsafe(c.length));
let sink = 0;
const p = new FrameParser({ role: Role.Server, maxLength: 1 << 30 });
const r = new Receiver({ isServer: true, maxPayload: 1 << 30 });
r.on('message', (d: Buffer) => { sink += d.length; });
const impls: Record<string, () => void> = {
  sockeye: () => { for (let i = 0; i < chunks.length; i++) { chunks[i]!.copy(work[i]!); p.feed(work[i]!); while (p.read() !== FrameEvent.None) sink += p.data.length; } },
  ws: () => { for (let i = 0; i < chunks.length; i++) { chunks[i]!.copy(work[i]!); r.write(work[i]!); } },
  copyonly_: () => { for (let i = 0; i < chunks.length; i++) { chunks[i]!.copy(work[i]!); } },
};
for (let round = 0; round < 5; round++) for (const [name, f] of Object.entries(impls).filter(([n]) => !n.endsWith('_'))) {
  const iters = Math.max(3, (64 << 20) / frames.length);
  const t = process.hrtime.bigint();
  for (let i = 0; i < iters; i++) f();
  const ns = Number(process.hrtime.bigint() - t);
  if (round >= 3) console.log(name, ((frames.length * iters) / ns).toFixed(2), 'GB/s');
}
