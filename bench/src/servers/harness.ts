import { createServer, type Server } from 'node:http';
import { readConfig } from '../driver-config.js';
import { exitWithParent, type ParentMessage, sendToParent, takeMemory, takeSample } from '../ipc.js';

/** What a server subject is asked to serve. */
export interface ServerConfig {
  /**
   * `echo`: echo every message (also used for handshakes and idle memory). `deflate`: echo with
   * permessage-deflate at the library's default settings. `broadcast`: every message received goes
   * to every client. `sse`: `GET /events` subscribes; `POST /emit` sends one event to all.
   */
  scenario: 'echo' | 'deflate' | 'broadcast' | 'sse';
  /** Payload bytes of an SSE event. */
  payloadSize: number;
}

/** Counters a server subject keeps up to date. */
export interface ServerStats {
  connections: number;
  messages: number;
  errors: number;
}

/**
 * Sets up a subject on `server`; may return a reason to skip it (the subject is not usable), or the
 * port of a server of its own that it has made listen on 127.0.0.1 (then `server` stays unused).
 */
export type ServerSetup = (
  server: Server,
  config: ServerConfig,
  stats: ServerStats,
) => SetupResult | Promise<SetupResult>;

type SetupResult = string | undefined | { port: number };

/** The SSE event payload: starts with the load generator's `#` mark, no other `#`, no newline. */
export function eventPayload(size: number): string {
  return `#${'x'.repeat(Math.max(0, size - 1))}`;
}

/**
 * Runs a server subject in this process: an HTTP server on 127.0.0.1 (port 0), `setup` attaching
 * the library under test, and the IPC protocol of the orchestrator.
 */
export async function runServer(setup: ServerSetup): Promise<void> {
  const config = readConfig<ServerConfig>();
  const stats: ServerStats = { connections: 0, messages: 0, errors: 0 };
  const server = createServer();
  process.on('message', async (message: ParentMessage) => {
    if (message.type === 'sample') sendToParent(takeSample(stats.messages, stats.errors, stats.connections));
    else if (message.type === 'memory') sendToParent(await takeMemory(stats.connections));
    else if (message.type === 'stop') process.exit(0);
  });
  exitWithParent();
  let result: SetupResult;
  try {
    result = await setup(server, config, stats);
  } catch (error) {
    // A failed import or setup fails this run only: the package may be mid-edit.
    sendToParent({ type: 'failure', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }
  if (typeof result === 'object') {
    sendToParent({ type: 'ready', port: result.port });
    return;
  }
  if (result) {
    sendToParent({ type: 'ready', skip: result });
    return;
  }
  server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
    const address = server.address();
    sendToParent({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 });
  });
}
