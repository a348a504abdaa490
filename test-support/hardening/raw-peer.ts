import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { listenLoopback } from '../loopback-port.js';

/**
 * A raw TCP peer for fault injection: it speaks exactly the bytes a test chooses and can reset the
 * connection (TCP RST, via `resetAndDestroy`) at a chosen point, which no well-behaved library peer
 * will do.
 */

/** Reads from `socket` until the bytes received so far contain `marker`; resolves with them all. */
export function readUntil(socket: Socket, marker: string | Buffer): Promise<Buffer> {
  const needle = typeof marker === 'string' ? Buffer.from(marker, 'latin1') : marker;
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.includes(needle)) {
        cleanup();
        resolve(received);
      }
    };
    const onEnd = () => {
      cleanup();
      reject(new Error(`peer ended before ${JSON.stringify(needle.toString('latin1'))}`));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', onError);
  });
}

/** Sends a TCP RST: the peer sees ECONNRESET, not an orderly end. */
export function reset(socket: Socket): void {
  if (!socket.destroyed) socket.resetAndDestroy();
}

/** A TCP server on 127.0.0.1 whose connections a test scripts by hand. */
export interface RawServer {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  /** Every socket accepted so far. */
  readonly sockets: Socket[];
  /** Resolves with the next accepted socket. */
  nextSocket(): Promise<Socket>;
  /** Destroys every socket and closes the server. */
  close(): Promise<void>;
}

/**
 * Starts a raw TCP server on 127.0.0.1, port 0. `onConnection` (optional) scripts each connection;
 * its rejections are ignored since the script ends by breaking the connection on purpose.
 */
export async function startRawServer(onConnection?: (socket: Socket) => unknown): Promise<RawServer> {
  const sockets: Socket[] = [];
  const waiting: Array<(socket: Socket) => void> = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    // The library under test may reset us as well; that is not this helper's error.
    socket.on('error', () => {});
    waiting.shift()?.(socket);
    if (onConnection) Promise.resolve(onConnection(socket)).catch(() => reset(socket));
  });
  const port = await listenLoopback(server);
  return {
    server,
    port,
    url: `ws://127.0.0.1:${port}/`,
    sockets,
    nextSocket: () => new Promise((resolve) => waiting.push(resolve)),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Opens a raw TCP connection to `port` on 127.0.0.1 and waits until it is connected. */
export async function connectRaw(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  await once(socket, 'connect');
  return socket;
}

/** A valid client opening handshake for `path`, with optional extra header lines. */
export function upgradeRequest(path = '/', extraHeaders: readonly string[] = [], host = '127.0.0.1'): string {
  return [
    `GET ${path} HTTP/1.1`,
    `Host: ${host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    ...extraHeaders,
    '',
    '',
  ].join('\r\n');
}

/**
 * A draft opening handshake for `/chat` as a hixie-76 client sends it, without the 8 key bytes
 * that follow the head (the draft-76 example keys); `hixie-75` leaves the two key headers out.
 */
export function draftUpgradeRequest(draft: 'hixie-75' | 'hixie-76' = 'hixie-76'): string {
  return [
    'GET /chat HTTP/1.1',
    'Host: 127.0.0.1',
    'Upgrade: WebSocket',
    'Connection: Upgrade',
    'Origin: http://127.0.0.1',
    ...(draft === 'hixie-76'
      ? ['Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5', 'Sec-WebSocket-Key2: 12998 5 Y3 1  .P00']
      : []),
    '',
    '',
  ].join('\r\n');
}

/** The `Sec-WebSocket-Accept` value for the key {@link upgradeRequest} sends (RFC 6455 §1.3 example). */
export const SAMPLE_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

/**
 * One RFC 6455 frame as a peer would send it. `mask` true masks with a fixed key (a client's frame);
 * `length` overrides the declared payload length (to lie about it).
 */
export function frame(
  opcode: number,
  payload: Buffer | string = Buffer.alloc(0),
  options: { fin?: boolean; mask?: boolean; rsv?: number; length?: number } = {},
): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const fin = options.fin ?? true;
  const mask = options.mask ?? false;
  const length = options.length ?? data.length;
  const head: number[] = [(fin ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | opcode];
  if (length < 126) head.push((mask ? 0x80 : 0) | length);
  else if (length < 0x10000) head.push((mask ? 0x80 : 0) | 126, length >> 8, length & 0xff);
  else {
    head.push((mask ? 0x80 : 0) | 127);
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(length));
    head.push(...big);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), data]);
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const masked = Buffer.from(data);
  for (let i = 0; i < masked.length; i++) masked[i]! ^= key[i & 3]!;
  return Buffer.concat([Buffer.from(head), key, masked]);
}

/** Parses the frames a peer received (server-to-client: unmasked). Stops at an incomplete frame. */
export function parseFrames(bytes: Buffer): Array<{ fin: boolean; opcode: number; payload: Buffer }> {
  const frames: Array<{ fin: boolean; opcode: number; payload: Buffer }> = [];
  let offset = 0;
  while (offset + 2 <= bytes.length) {
    const b0 = bytes[offset]!;
    const b1 = bytes[offset + 1]!;
    let length = b1 & 0x7f;
    let at = offset + 2;
    if (length === 126) {
      if (at + 2 > bytes.length) break;
      length = bytes.readUInt16BE(at);
      at += 2;
    } else if (length === 127) {
      if (at + 8 > bytes.length) break;
      length = Number(bytes.readBigUInt64BE(at));
      at += 8;
    }
    let key: Buffer | undefined;
    if (b1 & 0x80) {
      key = bytes.subarray(at, at + 4);
      at += 4;
    }
    if (at + length > bytes.length) break;
    const payload = Buffer.from(bytes.subarray(at, at + length));
    if (key) for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i & 3]!;
    frames.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload });
    offset = at + length;
  }
  return frames;
}

/** `Sec-WebSocket-Accept` for a key (RFC 6455 §4.2.2 step 5.4). */
export function acceptFor(key: string): string {
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}

/** The 101 response a conforming server would send to the handshake request `request`. */
export function switchingProtocols(request: Buffer | string, extraHeaders: readonly string[] = []): string {
  const text = typeof request === 'string' ? request : request.toString('latin1');
  const key = /\r\nsec-websocket-key:[ \t]*([^\r\n]*)/i.exec(text)?.[1]?.trim() ?? '';
  return [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${acceptFor(key)}`,
    ...extraHeaders,
    '',
    '',
  ].join('\r\n');
}
