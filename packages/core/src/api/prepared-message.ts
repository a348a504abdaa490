import { encodeFrame } from '../protocol/frame-encoder.js';
import { Opcode } from '../protocol/opcode.js';
import { binaryPayload, type MessageData } from './message-data.js';

/**
 * A message encoded once as an unmasked RFC 6455 frame, to be written as it is to many server
 * sockets (broadcast) with `ws.sendPrepared(message)`: the header is built and a text message is
 * UTF-8-encoded once, instead of once per client. Sockets that cannot take the pre-encoded frame
 * (clients, which must mask; connections with a negotiated extension such as permessage-deflate;
 * hixie drafts) send `data` normally instead, so one prepared message suits every socket.
 * Made by `WebSocket.prepare(data)`.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
export class PreparedMessage {
  /** The message as given: a string for text, the bytes for binary. */
  readonly data: string | Buffer;
  /** Whether the message is binary. */
  readonly binary: boolean;
  /** The encoded frame: `[header + payload]`, or `[header, payload]` for large payloads. */
  readonly frames: readonly Buffer[];

  constructor(data: MessageData) {
    const bytes = typeof data === 'string' ? null : binaryPayload(data);
    if (bytes === null) {
      const text = typeof data === 'string' ? data : String(data);
      this.data = text;
      this.binary = false;
      this.frames = encodeFrame(Opcode.Text, Buffer.from(text, 'utf8'));
    } else {
      this.data = bytes;
      this.binary = true;
      this.frames = encodeFrame(Opcode.Binary, bytes);
    }
  }

  /** Bytes on the wire, header included. */
  get byteLength(): number {
    let total = 0;
    for (const frame of this.frames) total += frame.length;
    return total;
  }
}
