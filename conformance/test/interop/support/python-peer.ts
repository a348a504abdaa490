import type { PeerClose } from './control.js';
import { Rendezvous, within } from './inbox.js';
import { type Spawned, spawnTracked, stopProcess } from './processes.js';

/** Debian's interpreter: the one with python3-websockets (the `python3` on PATH may lack it). */
const PYTHON = '/usr/bin/python3';

/**
 * The Python `websockets` reflector, in its two roles. `client <url> <deflate|none>` connects,
 * reflects, and prints its close as one JSON line. `server` prints its port, reflects every
 * connection (permessage-deflate accepted when offered) and prints one JSON line per close, with
 * the request path as `id`; it exits when its stdin closes, so it cannot outlive the tests.
 * Limits are lifted (`max_size=None`: its default is 1 MiB) and keepalive pings turned off, so
 * the only pings are the ones the tests ask for.
 */
const SCRIPT = `
import asyncio, json, sys
import websockets

PREFIX = '#interop:'

async def reflect(ws):
    try:
        async for message in ws:
            if isinstance(message, str) and message.startswith(PREFIX):
                command = json.loads(message[len(PREFIX):])
                if command['op'] == 'ping':
                    waiter = await ws.ping(command['payload'])
                    await waiter
                    await ws.send(PREFIX + json.dumps({'op': 'pong', 'payload': command['payload']}))
                elif command['op'] == 'close':
                    await ws.close(command['code'], command['reason'])
            else:
                await ws.send(message)
    except websockets.ConnectionClosed:
        pass
    await ws.wait_closed()
    return {'code': ws.close_code, 'reason': ws.close_reason}

async def client(url, compression):
    async with websockets.connect(url, subprotocols=['echo'], compression=compression,
                                  max_size=None, ping_interval=None) as ws:
        record = await reflect(ws)
    print(json.dumps(record), flush=True)

async def handler(ws, path=None):
    record = await reflect(ws)
    record['id'] = ws.path
    print(json.dumps(record), flush=True)

async def server():
    async with websockets.serve(handler, '127.0.0.1', 0, subprotocols=['echo'],
                                max_size=None, ping_interval=None) as running:
        print(json.dumps({'port': running.sockets[0].getsockname()[1]}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

if sys.argv[1] == 'client':
    asyncio.run(client(sys.argv[2], 'deflate' if sys.argv[3] == 'deflate' else None))
else:
    asyncio.run(server())
`;

/** Each complete JSON line a process has printed, parsed, as they arrive. */
function onLines(spawned: Spawned, listener: (record: Record<string, unknown>) => void): void {
  let buffered = '';
  spawned.child.stdout?.on('data', (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline !== -1) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line !== '') listener(JSON.parse(line) as Record<string, unknown>);
      newline = buffered.indexOf('\n');
    }
  });
}

function peerClose(record: Record<string, unknown>): PeerClose {
  return { code: Number(record.code), reason: String(record.reason ?? '') };
}

/** A Python websockets client reflecting on `url`; resolves with its close once it exits. */
export async function pythonClient(url: string, compress: boolean): Promise<PeerClose> {
  const spawned = spawnTracked(PYTHON, ['-c', SCRIPT, 'client', url, compress ? 'deflate' : 'none']);
  const code = await spawned.exited;
  const line = spawned.stdout().trim();
  if (code !== 0 || line === '') throw new Error(`python client exited with ${code}: ${spawned.stderr()}`);
  return peerClose(JSON.parse(line) as Record<string, unknown>);
}

/** A running Python websockets server. */
export interface PythonServer {
  readonly port: number;
  closeOf(path: string, ms: number): Promise<PeerClose>;
  close(): Promise<void>;
}

export async function pythonServer(): Promise<PythonServer> {
  const spawned = spawnTracked(PYTHON, ['-c', SCRIPT, 'server']);
  const closes = new Rendezvous<PeerClose>();
  const port = within(
    new Promise<number>((resolve, reject) => {
      onLines(spawned, (record) => {
        if (typeof record.port === 'number') resolve(record.port);
        else closes.settle(String(record.id), peerClose(record));
      });
      spawned.exited.then((code) =>
        reject(new Error(`python server exited with ${code}: ${spawned.stderr()}`)),
      );
    }),
    15_000,
    'port from the python websockets server',
  );
  return {
    port: await port,
    closeOf: (path, ms) => closes.get(path, ms),
    close: () => stopProcess(spawned.child),
  };
}
