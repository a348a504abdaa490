import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProxy } from 'proxy';
import { freePort, listenLoopback, waitForPort } from '../../../../test-support/loopback-port.js';
import type { TlsFixture } from '../../../../test-support/tls-fixture.js';

/** A proxy started by a test: its URL, how many CONNECT tunnels it saw, and how to stop it. */
export interface RunningProxy {
  url: string;
  port: number;
  close(): Promise<void>;
}

function trackSockets(server: net.Server): () => void {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return () => {
    for (const socket of sockets) socket.destroy();
  };
}

/**
 * The npm `proxy` package (a real CONNECT proxy), on http: or, with a certificate, https:.
 * With `auth`, only `Proxy-Authorization: Basic base64(user:password)` is let through.
 */
export async function startNpmProxy(
  options: { auth?: { user: string; password: string }; tls?: TlsFixture } = {},
): Promise<RunningProxy & { connects: number }> {
  const base = options.tls
    ? https.createServer({ cert: options.tls.cert, key: options.tls.key })
    : http.createServer();
  const server = createProxy(base);
  const { auth } = options;
  if (auth) {
    const expected = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
    server.authenticate = (req) => req.headers['proxy-authorization'] === expected;
  }
  const result = { url: '', port: 0, connects: 0, close: async () => {} };
  server.on('connect', () => {
    result.connects++;
  });
  const destroyAll = trackSockets(server);
  result.port = await listenLoopback(server);
  result.url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${result.port}`;
  result.close = async () => {
    server.close();
    destroyAll();
    if (server.listening) await once(server, 'close');
  };
  return result;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/**
 * Runs a proxy daemon (`command`, with `args` and then its configuration file's path) in the
 * foreground on a free loopback port. `configure` gives the configuration's lines for a fresh temp
 * directory and the port; the directory is world-writable because as root these daemons drop to
 * an unprivileged user. Waits up to `ms` for the port to accept connections; if it never does, and
 * on `close()`, the daemon is stopped and the directory removed.
 */
async function runDaemon(
  name: string,
  command: string,
  args: readonly string[],
  ms: number,
  configure: (dir: string, port: number) => string[],
): Promise<RunningProxy> {
  const dir = mkdtempSync(join(tmpdir(), `sockeye-${name}-`));
  chmodSync(dir, 0o777);
  const port = await freePort();
  const conf = join(dir, `${name}.conf`);
  writeFileSync(conf, `${configure(dir, port).join('\n')}\n`);
  const child = spawn(command, [...args, conf], { stdio: 'ignore' });
  const close = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, ms, child);
  } catch (error) {
    await close();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, port, close };
}

/**
 * Debian's squid with a generated minimal configuration (no cache, no logs but cache.log, pid file
 * in the temp directory). As root, squid drops to the `proxy` user.
 */
export function startSquid(): Promise<RunningProxy> {
  return runDaemon('squid', '/usr/sbin/squid', ['-N', '-f'], 15_000, (dir, port) => {
    const lines = [
      `http_port 127.0.0.1:${port}`,
      'acl localhost_src src 127.0.0.1/32',
      'acl CONNECT method CONNECT',
      'http_access allow localhost_src',
      'http_access deny all',
      'cache deny all',
      'cache_mem 8 MB',
      'access_log none',
      'cache_store_log none',
      `cache_log ${join(dir, 'cache.log')}`,
      `pid_filename ${join(dir, 'squid.pid')}`,
      `coredump_dir ${dir}`,
      'pinger_enable off',
      'shutdown_lifetime 0 seconds',
      'dns_nameservers 127.0.0.1',
    ];
    if (process.getuid?.() === 0) lines.push('cache_effective_user proxy');
    return lines;
  });
}

/** Debian's tinyproxy in the foreground (`-d`), CONNECT to any port allowed. */
export function startTinyproxy(): Promise<RunningProxy> {
  return runDaemon('tinyproxy', '/usr/bin/tinyproxy', ['-d', '-c'], 10_000, (_dir, port) => {
    const lines = [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 60',
      'MaxClients 50',
      'Allow 127.0.0.1',
      'LogLevel Error',
    ];
    if (process.getuid?.() === 0) lines.push('User nobody', 'Group nogroup');
    return lines;
  });
}
