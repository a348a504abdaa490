import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from '../../../../test-support/loopback-port.js';
import { spawnTracked, stopProcess } from './processes.js';

/** A running nginx: its plain and TLS ports (both on 127.0.0.1) and how to stop it. */
export interface Nginx {
  readonly port: number;
  readonly tlsPort: number;
  close(): Promise<void>;
}

/**
 * Debian's nginx as a WebSocket reverse proxy in front of `127.0.0.1:<upstreamPort>`, from a
 * generated configuration in a fresh temp dir: one process in the foreground (`daemon off;
 * master_process off;`, so it runs as whoever runs the tests, root in CI, and dies with one
 * signal), every log, pid and temp path inside the temp dir. It listens in plain HTTP and in TLS
 * (with `tls`), and forwards the upgrade as nginx's documentation prescribes, plus the headers a
 * TLS-terminating proxy sets: `Host` as the client sent it and `X-Forwarded-Proto: $scheme`.
 * @see https://nginx.org/en/docs/http/websocket.html
 */
export async function startNginx(upstreamPort: number, tls: { cert: string; key: string }): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'sockeye-nginx-'));
  const [port, tlsPort] = [await freePort(), await freePort()];
  writeFileSync(join(dir, 'cert.pem'), tls.cert);
  writeFileSync(join(dir, 'key.pem'), tls.key);
  for (const temp of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, temp));
  const conf = `
daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  server {
    listen 127.0.0.1:${port};
    listen 127.0.0.1:${tlsPort} ssl;
    ssl_certificate ${join(dir, 'cert.pem')};
    ssl_certificate_key ${join(dir, 'key.pem')};
    location / {
      proxy_pass http://127.0.0.1:${upstreamPort};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_read_timeout 300s;
      proxy_send_timeout 300s;
    }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  // -e: the error log before the configuration is read (else /var/log/nginx, absent or not ours).
  const nginx = spawnTracked('/usr/sbin/nginx', [
    '-p',
    dir,
    '-e',
    join(dir, 'error.log'),
    '-c',
    join(dir, 'nginx.conf'),
  ]);
  const stop = async () => {
    await stopProcess(nginx.child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, 15_000, nginx.child);
    await waitForPort(tlsPort, 15_000, nginx.child);
  } catch (error) {
    const detail = nginx.stderr();
    await stop();
    throw new Error(`nginx did not start: ${(error as Error).message}\n${detail}`);
  }
  return { port, tlsPort, close: stop };
}
