import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { itLoadsFromDist } from '../../../test-support/packaging.js';

const packageDir = new URL('..', import.meta.url).pathname;

describe('@sockeye/server as published', () => {
  itLoadsFromDist(packageDir, ['WebSocket', 'isWebSocket', 'attach']);

  it('gives import and require() one copy, and routes upgrades once across two installed copies', async () => {
    // A separate Node process, as a user's program: no test-only export conditions. The second
    // copy is the CommonJS build loaded again past the require cache, as a second version in
    // node_modules would be. One handle from each copy on the same path: the first attached takes
    // the upgrade, and one that neither takes is refused with 400 rather than held open.
    const program = `
      import http from 'node:http';
      import net from 'node:net';
      import { createRequire } from 'node:module';
      import { attach } from '@sockeye/server';
      const require = createRequire(import.meta.url);
      const required = require('@sockeye/server');
      delete require.cache[require.resolve('@sockeye/server')];
      const other = require('@sockeye/server');
      const server = http.createServer();
      const took = [];
      attach(server, { path: '/chat' }, () => took.push('first'));
      other.attach(server, { path: '/chat' }, () => took.push('other copy'));
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      const ask = (path) => new Promise((resolve) => {
        const socket = net.connect(server.address().port, '127.0.0.1');
        let answer = '';
        socket.on('data', (chunk) => { answer += chunk.toString('latin1'); });
        socket.on('close', () => resolve(answer));
        socket.write('GET ' + path + ' HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nUpgrade: websocket\\r\\n' +
          'Connection: Upgrade\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n');
        setTimeout(() => socket.destroy(), 500);
      });
      const chat = await ask('/chat');
      const elsewhere = await ask('/elsewhere');
      console.log(JSON.stringify({
        oneCopy: required.attach === attach,
        twoCopies: other.attach !== attach,
        took,
        switches: chat.split('HTTP/1.1 101').length - 1,
        elsewhere: elsewhere.split('\\r\\n')[0],
      }));
      server.closeAllConnections();
      server.close();
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', program], {
      cwd: packageDir,
      timeout: 10_000,
    });
    expect(JSON.parse(stdout)).toEqual({
      oneCopy: true,
      twoCopies: true,
      took: ['first'],
      switches: 1,
      elsewhere: 'HTTP/1.1 400 Bad Request',
    });
  });
});
