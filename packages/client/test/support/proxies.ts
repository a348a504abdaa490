import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProxy } from 'proxy';
import type { Certificate } from './certificate.js';

/** A proxy started by a test: its URL, how many CONNECT tunnels it saw, and how to stop it. */
export interface RunningProxy {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A free loopback port (for daemons that cannot bind port 0 and tell us which port they got). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** Resolves once something accepts TCP connections on `port`, or rejects after `ms`. */
export async function waitForPort(port: number, ms: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
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
  options: { auth?: { user: string; password: string }; tls?: Certificate } = {},
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
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  result.port = (server.address() as net.AddressInfo).port;
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
 * Debian's squid on a free loopback port, with a generated minimal configuration in a temp dir
 * (no cache, no logs but cache.log, pid file there). Works as root: squid drops to the `proxy`
 * user, so the directory is made world-writable.
 */
export async function startSquid(): Promise<RunningProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'sockeye-squid-'));
  chmodSync(dir, 0o777);
  const port = await freePort();
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
  writeFileSync(join(dir, 'squid.conf'), `${lines.join('\n')}\n`);
  const child = spawn('/usr/sbin/squid', ['-N', '-f', join(dir, 'squid.conf')], { stdio: 'ignore' });
  try {
    await waitForPort(port, 15_000, child);
  } catch (error) {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Debian's tinyproxy on a free loopback port, in the foreground (`-d`), CONNECT to any port allowed. */
export async function startTinyproxy(): Promise<RunningProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'sockeye-tinyproxy-'));
  chmodSync(dir, 0o777);
  const port = await freePort();
  const lines = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 60',
    'MaxClients 50',
    'Allow 127.0.0.1',
    'LogLevel Error',
  ];
  if (process.getuid?.() === 0) lines.push('User nobody', 'Group nogroup');
  writeFileSync(join(dir, 'tinyproxy.conf'), `${lines.join('\n')}\n`);
  const child = spawn('/usr/bin/tinyproxy', ['-d', '-c', join(dir, 'tinyproxy.conf')], { stdio: 'ignore' });
  try {
    await waitForPort(port, 10_000, child);
  } catch (error) {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
