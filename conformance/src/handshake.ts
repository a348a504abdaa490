import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** The GUID RFC 6455 §1.3 concatenates with the key. */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The `Sec-WebSocket-Accept` value for a key. @see RFC 6455 §4.2.2 */
export function acceptFor(key: string): string {
  return createHash('sha1')
    .update(key + GUID)
    .digest('base64');
}

/** A fresh random `Sec-WebSocket-Key`. @see RFC 6455 §4.1 */
export function newKey(): string {
  return randomBytes(16).toString('base64');
}

/** A parsed HTTP/1.1 message head (request or response). */
export interface HttpHead {
  /** The start line, e.g. `HTTP/1.1 101 Switching Protocols` or `GET / HTTP/1.1`. */
  startLine: string;
  /** Header values by lower-case name; repeated headers joined with ", ". */
  headers: Map<string, string>;
  /** How many times each lower-case header name appeared. */
  counts: Map<string, number>;
}

/** Parses a message head (without the final empty line). Returns null if it is not HTTP. */
export function parseHead(text: string): HttpHead | null {
  const lines = text.split('\r\n');
  const startLine = lines.shift() ?? '';
  const headers = new Map<string, string>();
  const counts = new Map<string, number>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) return null;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return { startLine, headers, counts };
}

/** True when a comma-separated header value holds `token` (case-insensitive). */
export function hasToken(value: string | undefined, token: string): boolean {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .includes(token.toLowerCase());
}

/**
 * Reads from `socket` until a full HTTP head arrived, then stops listening. Resolves with the head
 * and the bytes after it (frames sent in the same packet), or null if the peer closed or sent
 * more than `limit` bytes, or `timeoutMs` passed.
 */
export function readHead(
  socket: Socket,
  timeoutMs: number,
  limit = 16384,
): Promise<{ head: HttpHead; rest: Buffer } | null> {
  return new Promise((resolve) => {
    let buffer = Buffer.alloc(0);
    const done = (value: { head: HttpHead; rest: Buffer } | null) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffer.length > limit) done(null);
        return;
      }
      socket.pause();
      const head = parseHead(buffer.subarray(0, end).toString('latin1'));
      done(head ? { head, rest: buffer.subarray(end + 4) } : null);
    };
    const onClose = () => done(null);
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}

/** Opens a TCP connection to 127.0.0.1:`port`. */
export function openTcp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Builds an opening-handshake request head. Headers are written in the order given. */
export function requestHead(path: string, headers: ReadonlyArray<readonly [string, string]>): Buffer {
  return Buffer.from(
    `GET ${path} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`,
    'latin1',
  );
}

/** The standard request headers for `key`, with optional extensions and subprotocols. */
export function standardHeaders(
  port: number,
  key: string,
  extra: ReadonlyArray<readonly [string, string]> = [],
): Array<readonly [string, string]> {
  return [
    ['Host', `127.0.0.1:${port}`],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', key],
    ['Sec-WebSocket-Version', '13'],
    ...extra,
  ];
}

/**
 * Checks a server's reply to a valid opening handshake: 101, the Upgrade and Connection tokens and
 * the right accept value. Returns the reason it is wrong, or null.
 * @see RFC 6455 §4.1 (the client's checks, items 1–4 of the server response)
 */
export function checkSwitchingProtocols(head: HttpHead, key: string): string | null {
  const status = /^HTTP\/1\.1 (\d{3})/.exec(head.startLine)?.[1];
  if (status !== '101') return `expected 101, got "${head.startLine}"`;
  if (!hasToken(head.headers.get('upgrade'), 'websocket')) return 'no "Upgrade: websocket" in the response';
  if (!hasToken(head.headers.get('connection'), 'upgrade')) return 'no "Connection: Upgrade" in the response';
  if (head.headers.get('sec-websocket-accept') !== acceptFor(key)) return 'wrong Sec-WebSocket-Accept';
  return null;
}

/** The status code of a response head, or 0. */
export function statusOf(head: HttpHead): number {
  return Number(/^HTTP\/1\.[01] (\d{3})/.exec(head.startLine)?.[1] ?? 0);
}
