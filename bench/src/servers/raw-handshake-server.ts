/**
 * The floor of the handshake and idle scenarios: an upgrade answered with the least RFC 6455
 * allows (the accept digest and a 101), and a close frame answered with a close frame and the
 * socket closed at once, as sockeye's server does once its bytes are in the kernel. No frame
 * parser, no events, no library: what Node's HTTP server, the socket and the two writes cost, and
 * what an upgraded socket holds.
 */
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { runServer } from './harness.js';

/** RFC 6455 §1.3: the GUID appended to the client's key. */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** A close frame with status 1000, unmasked (server to client). */
const CLOSE = Buffer.from([0x88, 0x02, 0x03, 0xe8]);

await runServer((server, config, stats) => {
  if (config.scenario !== 'echo') return 'the raw floor serves handshakes and idle connections only';
  server.on('upgrade', (request, socket: Socket) => {
    const key = request.headers['sec-websocket-key'] ?? '';
    const accept = createHash('sha1')
      .update(key + GUID)
      .digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    stats.connections++;
    // The generator's close frame is the only thing it sends: answer it and close.
    socket.on('data', () => {
      socket.write(CLOSE);
      socket.destroy();
    });
    socket.on('error', () => stats.errors++);
    socket.on('close', () => stats.connections--);
  });
  return undefined;
});
