/**
 * Real-socket endpoints built from @sockeye/core's parts (the HTTP handshakes, `Connection`,
 * `openWebSocket`), as the server and client packages assemble them, so the permessage-deflate
 * tests run over TCP against ws without depending on those packages.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import net from 'node:net';
import { listenLoopback } from '../../../../test-support/loopback-port.js';
import {
  acceptHandshake,
  Connection,
  createClientHandshake,
  type Extension,
  HttpHeadParser,
  nodeDigest,
  openWebSocket,
  Role,
  randomKey,
  WebSocket,
} from '../../src/index.js';

/** The core WebSocket as a server or client package subclasses it, minus the HTTP layer. */
export class CoreWebSocket extends WebSocket {
  constructor(role: 'server' | 'client', url: string) {
    super({ url, role });
  }
}

const servers = new Set<Server>();
const sockets = new Set<net.Socket>();

/**
 * A sockeye server on 127.0.0.1: every upgrade negotiates `extensions` and opens a
 * {@link CoreWebSocket}, handed to `onOpen` with the response's `Sec-WebSocket-Extensions`.
 */
export async function sockeyeServer(
  extensions: readonly Extension[],
  onOpen: (ws: CoreWebSocket, responseExtensions: string) => void,
  maxLength?: number,
): Promise<number> {
  const server = createServer();
  servers.add(server);
  server.on('upgrade', (request: IncomingMessage, socket: net.Socket, head: Buffer) => {
    sockets.add(socket);
    const options = maxLength === undefined ? { extensions } : { extensions, maxLength };
    const result = acceptHandshake(
      { method: request.method, url: request.url, headers: request.headers },
      options,
      nodeDigest,
    );
    socket.write(result.response, 'latin1');
    if (!result.ok) {
      socket.end();
      return;
    }
    const ws = new CoreWebSocket('server', `ws://127.0.0.1${request.url ?? '/'}`);
    openWebSocket(ws, {
      socket,
      engine: (handler) =>
        new Connection(handler, {
          role: Role.Server,
          extensions: result.extensions,
          ...(maxLength === undefined ? {} : { maxLength }),
        }),
      extensions: extensionsHeader(result.response),
      head,
    });
    onOpen(ws, extensionsHeader(result.response));
  });
  return listenLoopback(server);
}

function extensionsHeader(response: string): string {
  const match = /\r\nSec-WebSocket-Extensions: ([^\r]*)\r\n/i.exec(response);
  return match?.[1] ?? '';
}

/**
 * A sockeye client connected to `url`, open. Rejects when the handshake fails (e.g. the server's
 * extension response is refused).
 */
export async function sockeyeClient(
  url: string,
  extensions: readonly Extension[],
  maxLength?: number,
): Promise<{ ws: CoreWebSocket; responseExtensions: string }> {
  const parsed = new URL(url);
  const options = maxLength === undefined ? { extensions } : { extensions, maxLength };
  const handshake = createClientHandshake(parsed, options, randomKey(), nodeDigest);
  const socket = net.connect(Number(parsed.port), parsed.hostname);
  sockets.add(socket);
  await once(socket, 'connect');
  socket.write(handshake.request);
  const parser = new HttpHeadParser('response');
  const head = await new Promise<NonNullable<HttpHeadParser['head']>>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      try {
        const done = parser.push(chunk);
        if (done === null) return;
        socket.off('data', onData);
        socket.pause();
        resolve(done);
      } catch (error) {
        reject(error);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('closed before the handshake response')));
  });
  let result: ReturnType<typeof handshake.validate>;
  try {
    result = handshake.validate(head);
  } catch (error) {
    socket.destroy();
    throw error;
  }
  const ws = new CoreWebSocket('client', url);
  openWebSocket(ws, {
    socket,
    engine: (handler) =>
      new Connection(handler, {
        role: Role.Client,
        extensions: result.extensions,
        ...(maxLength === undefined ? {} : { maxLength }),
      }),
    extensions: head.headers['sec-websocket-extensions'] ?? '',
    head: parser.rest,
  });
  return { ws, responseExtensions: head.headers['sec-websocket-extensions'] ?? '' };
}

/** Destroys every socket and server the helpers made. */
export async function closeAll(): Promise<void> {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  const closing = [...servers].map((server) => new Promise((resolve) => server.close(resolve)));
  servers.clear();
  await Promise.all(closing);
}
