/**
 * The reflector: the minimal WebSocket server the client-side scenario drives. It answers the
 * upgrade, counts each masked frame with a {@link FrameCounter} and answers every message with one
 * prebuilt unmasked frame of the same size, so the client under test does all the real work.
 */
import { createHash } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { type DriverConfig, readConfig } from '../driver-config.js';
import { exitWithParent, type ParentMessage, sendToParent, takeSample } from '../ipc.js';
import { FrameCounter } from '../loadgen/frame-counter.js';
import { buildFrame, Opcode, repeatFrame, textPayload } from '../loadgen/frames.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const HEAD_END = Buffer.from('\r\n\r\n');
const KEY = /^sec-websocket-key:\s*(\S+)\s*$/im;

const config = readConfig<Omit<DriverConfig, 'port'>>();
const frame = buildFrame(config.binary ? Opcode.Binary : Opcode.Text, textPayload(config.payloadSize), {
  masked: false,
});
const batchSize = 64;
const batch = repeatFrame(frame, batchSize);
let count = 0;
let errors = 0;
let connections = 0;

function reply(socket: Socket, n: number): void {
  while (n > 0) {
    const k = Math.min(n, batchSize);
    socket.write(k === batchSize ? batch : batch.subarray(0, k * frame.length));
    n -= k;
  }
}

const server = createServer({ noDelay: true }, (socket) => {
  const counter = new FrameCounter();
  let head: Buffer | null = Buffer.alloc(0);
  connections++;
  socket.on('data', (chunk: Buffer) => {
    if (head === null) {
      const n = counter.feed(chunk);
      count += n;
      if (n > 0) reply(socket, n);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf(HEAD_END);
    if (end < 0) return;
    const key = KEY.exec(head.toString('latin1', 0, end))?.[1];
    if (!key) {
      errors++;
      socket.destroy();
      return;
    }
    const accept = createHash('sha1')
      .update(key + GUID)
      .digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    const rest = head.subarray(end + 4);
    head = null;
    if (rest.length > 0) {
      const n = counter.feed(rest);
      count += n;
      if (n > 0) reply(socket, n);
    }
  });
  socket.on('error', () => errors++);
  socket.on('close', () => connections--);
});

process.on('message', (message: ParentMessage) => {
  if (message.type === 'sample') sendToParent(takeSample(count, errors, connections));
  else if (message.type === 'stop') process.exit(0);
});
exitWithParent();
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  const address = server.address();
  sendToParent({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 });
});
