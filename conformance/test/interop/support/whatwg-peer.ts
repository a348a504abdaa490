import type { PeerClose } from './control.js';
import { spawnTracked } from './processes.js';

/**
 * The reflector for WHATWG `WebSocket`s, as script text: the same code runs in a Chromium page and
 * in a child `node --experimental-websocket`. `reflect(url, protocols)` echoes every message
 * (binaryType `arraybuffer`, sent back as is), obeys `close` commands, answers `ping` commands with
 * `unsupported` (the WHATWG API cannot send a ping; its pongs to ours are automatic), and resolves
 * with the close event. Kept as text, not a function's `toString()`, so no transform can change it.
 */
export const WHATWG_REFLECTOR = `
function reflect(url, protocols) {
  const PREFIX = '#interop:';
  return new Promise((resolve) => {
    const ws = new WebSocket(url, protocols);
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (event) => {
      const data = event.data;
      if (typeof data === 'string' && data.startsWith(PREFIX)) {
        const command = JSON.parse(data.slice(PREFIX.length));
        if (command.op === 'close') ws.close(command.code, command.reason);
        else ws.send(PREFIX + JSON.stringify({ op: 'unsupported', what: command.op }));
        return;
      }
      ws.send(data);
    };
    ws.onclose = (event) => resolve({ code: event.code, reason: event.reason, wasClean: event.wasClean });
  });
}
`;

/** Node's built-in WebSocket (undici inside Node 20) in a child process, reflecting on `url`. */
export async function nodeBuiltinClient(url: string): Promise<PeerClose> {
  const script = `${WHATWG_REFLECTOR}
reflect(process.argv[1], ['echo']).then((close) => console.log(JSON.stringify(close)));`;
  const spawned = spawnTracked(process.execPath, [
    '--experimental-websocket',
    '--no-warnings',
    '-e',
    script,
    url,
  ]);
  const code = await spawned.exited;
  const line = spawned.stdout().trim();
  if (code !== 0 || line === '') throw new Error(`node client exited with ${code}: ${spawned.stderr()}`);
  return JSON.parse(line) as PeerClose;
}
