import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

/**
 * A Python `websockets` echo server (Debian's python3-websockets, run with /usr/bin/python3), with
 * subprotocol `echo`, on a loopback port it picks itself; TLS when given a certificate and key file.
 * The server exits when its stdin closes, so it cannot outlive the test process.
 */
const SCRIPT = `
import asyncio, ssl, sys
import websockets

async def echo(websocket, path=None):
    try:
        async for message in websocket:
            await websocket.send(message)
    except websockets.ConnectionClosed:
        pass

async def main():
    context = None
    if len(sys.argv) > 2:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[1], sys.argv[2])
    async with websockets.serve(echo, '127.0.0.1', 0, ssl=context, subprotocols=['echo']) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

asyncio.run(main())
`;

export interface PythonServer {
  port: number;
  close(): Promise<void>;
}

export async function startPythonServer(tls?: { certFile: string; keyFile: string }): Promise<PythonServer> {
  const args = ['-c', SCRIPT, ...(tls ? [tls.certFile, tls.keyFile] : [])];
  const child: ChildProcess = spawn('/usr/bin/python3', args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const line = /^(\d+)\n/.exec(text);
      if (line) resolve(Number(line[1]));
    });
    child.once('exit', (code) => reject(new Error(`python websockets server exited with ${code}`)));
    child.once('error', reject);
  });
  return {
    port,
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
