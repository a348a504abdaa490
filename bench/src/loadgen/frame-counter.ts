/**
 * A minimal counting WebSocket frame parser: it reads frame headers only, skips payloads without
 * touching them, and counts complete data messages. It is how the load generator stays cheaper than
 * the servers it drives. It trusts its peer (a benchmark subject): no validation beyond framing.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
export class FrameCounter {
  /** Data messages completed (a data or continuation frame with FIN set). */
  messages = 0;
  /** A close frame was seen. */
  closed = false;
  /** Payload bytes still to skip in the current frame. */
  #remaining = 0;
  /** FIN of the current frame, and whether it is a data frame (opcode < 8). */
  #countOnEnd = false;
  #isClose = false;
  /** A header split across chunks: its bytes so far. */
  readonly #header = Buffer.alloc(14);
  #headerLength = 0;

  /** Consumes `chunk`; returns how many messages it completed. */
  feed(chunk: Buffer, start = 0): number {
    const before = this.messages;
    const len = chunk.length;
    let i = start;
    while (i < len) {
      if (this.#remaining > 0) {
        const left = len - i;
        if (left < this.#remaining) {
          this.#remaining -= left;
          return this.messages - before;
        }
        i += this.#remaining;
        this.#remaining = 0;
        this.#endFrame();
        continue;
      }
      if (this.#headerLength > 0) {
        // Finish a header split over chunks, a byte at a time (at most 13 bytes).
        this.#header[this.#headerLength++] = chunk[i++] as number;
        if (this.#headerLength < 2 || this.#headerLength < headerSize(this.#header, 0)) continue;
        this.#headerLength = 0;
        this.#startFrame(this.#header, 0);
        continue;
      }
      const left = len - i;
      if (left < 2 || left < headerSize(chunk, i)) {
        chunk.copy(this.#header, 0, i, len);
        this.#headerLength = left;
        return this.messages - before;
      }
      i += this.#startFrame(chunk, i);
    }
    return this.messages - before;
  }

  /** Reads the header at `buf[at]` (known complete); returns its size. */
  #startFrame(buf: Buffer, at: number): number {
    const b0 = buf[at] as number;
    const b1 = buf[at + 1] as number;
    const opcode = b0 & 0x0f;
    const size = headerSize(buf, at);
    const len7 = b1 & 0x7f;
    let length = len7;
    if (len7 === 126) length = buf.readUInt16BE(at + 2);
    else if (len7 === 127) length = buf.readUInt32BE(at + 2) * 2 ** 32 + buf.readUInt32BE(at + 6);
    this.#countOnEnd = (b0 & 0x80) !== 0 && opcode < 8;
    this.#isClose = opcode === 8;
    this.#remaining = length;
    if (length === 0) this.#endFrame();
    return size;
  }

  #endFrame(): void {
    if (this.#countOnEnd) this.messages++;
    if (this.#isClose) this.closed = true;
  }
}

/** Header size of the frame at `buf[at]`, from its first two bytes (`buf` must hold them). */
function headerSize(buf: Buffer, at: number): number {
  const b1 = buf[at + 1];
  if (b1 === undefined) return 2;
  const len7 = b1 & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
}
