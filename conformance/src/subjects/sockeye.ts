import type { Subject } from '../subject.js';
import { hostUpgrades } from './http-host.js';

/** The slice of sockeye's faye-compatible API the suite drives. */
interface SockeyeSocket {
  on(event: 'message', listener: (event: { data: string | Buffer }) => void): unknown;
  on(event: 'close' | 'error', listener: () => void): unknown;
  send(data: string | Buffer): unknown;
}
type ServerCtor = new (
  request: unknown,
  socket: unknown,
  head: Buffer,
  protocols: string[] | null,
  options: object,
) => SockeyeSocket;
type ClientCtor = new (url: string, protocols: string[] | null, options: object) => SockeyeSocket;

/**
 * Loaded lazily by name so the suite builds and runs against ws and faye while sockeye's
 * packages are still being written; a missing export becomes a clear failure of every case.
 */
async function load<T>(pkg: string, name: string): Promise<T> {
  const mod = (await import(pkg)) as Record<string, unknown>;
  const value = mod[name] ?? (mod.default as Record<string, unknown> | undefined)?.[name];
  if (typeof value !== 'function') throw new Error(`${pkg} does not export ${name} yet`);
  return value as T;
}

function echo(ws: SockeyeSocket): void {
  ws.on('error', () => {});
  ws.on('message', (event) => void ws.send(event.data));
}

/** sockeye's built-in permessage-deflate (faye's npm plugin stays covered by the server/client tests). */
const deflate = async (): Promise<unknown> =>
  (await load<(options?: object) => unknown>('@sockeye/core', 'permessageDeflate'))();

/** sockeye: `@sockeye/server`'s WebSocket and `@sockeye/client`'s Client, with permessage-deflate. */
export const sockeyeSubject: Subject = {
  name: 'sockeye',
  startServer: async () => {
    const WebSocket = await load<ServerCtor>('@sockeye/server', 'WebSocket');
    const extensions = [await deflate()];
    return hostUpgrades((request, socket, head) =>
      echo(new WebSocket(request, socket, head, ['echo'], { extensions })),
    );
  },
  connectClient: async (url) => {
    const Client = await load<ClientCtor>('@sockeye/client', 'Client');
    const extensions = [await deflate()];
    await new Promise<void>((resolve) => {
      const ws = new Client(url, null, { extensions });
      echo(ws);
      ws.on('close', () => resolve());
    });
  },
};
