import { buildFrame, MASK_KEY, Opcode, textPayload } from '../loadgen/frames.js';
import type { SockeyeInternals } from './sockeye-internals.js';
import type { WsInternals } from './ws-internals.js';

/** One micro-benchmark: the same work done by each implementation. */
export interface MicroCase {
  group: 'parse' | 'serialize' | 'mask' | 'unmask' | 'utf8';
  name: string;
  /** Payload bytes one operation handles (for MB/s). */
  bytesPerOp: number;
  /** Operations one call of an implementation performs. */
  opsPerCall: number;
  /** Implementations by subject id; each call must do `opsPerCall` operations. */
  impls: Record<string, () => void>;
}

/** Masked frames back to back, as a server reads them: `count` frames of `size` bytes. */
function frameStream(size: number, count: number, text: boolean): Buffer {
  const payload = text ? textPayload(size) : Buffer.alloc(size, 0x5a);
  const frame = buildFrame(text ? Opcode.Text : Opcode.Binary, payload);
  return Buffer.concat(Array.from({ length: count }, () => frame));
}

function mixedUtf8(size: number): Buffer {
  const unit = Buffer.from('ascii text, ünïcödé, 日本語のテキスト, emoji 🐟🌊 ', 'utf8');
  const out = Buffer.alloc(size);
  for (let i = 0; i + unit.length <= size; i += unit.length) unit.copy(out, i);
  // Fill the tail with ASCII so the buffer stays valid UTF-8.
  const filled = Math.floor(size / unit.length) * unit.length;
  out.fill(0x61, filled);
  return out;
}

/** Every micro-benchmark case, with each implementation that is available. */
export function microCases(
  ws: { js: WsInternals; native: WsInternals },
  sk: SockeyeInternals,
  utf8Validate?: (b: Buffer) => boolean,
): MicroCase[] {
  const cases: MicroCase[] = [];
  const sink = { n: 0 };

  // Parse: a server reading masked frames (unmask + UTF-8 check for text), the input copied fresh
  // for every pass because both parsers unmask in place. `read` splits the input as a socket
  // would (Node reads at most 64 KiB at a time): a large frame then arrives in pieces.
  for (const [size, count, text, read] of [
    [32, 2000, true, 0],
    [1024, 256, false, 0],
    [64 * 1024, 8, false, 0],
    [64 * 1024, 8, false, 64 * 1024],
    [4 * 1024 * 1024, 1, false, 64 * 1024],
  ] as const) {
    const stream = frameStream(size, count, text);
    const work = Buffer.allocUnsafe(stream.length);
    const pieces =
      read === 0
        ? [work]
        : Array.from({ length: Math.ceil(work.length / read) }, (_, i) =>
            work.subarray(i * read, (i + 1) * read),
          );
    const impls: Record<string, () => void> = {};
    for (const [id, lib] of [
      ['ws', ws.js],
      ['ws-native', ws.native],
    ] as const) {
      const receiver = new lib.Receiver({ isServer: true, maxPayload: 100 * 1024 * 1024 });
      receiver.on('message', (data) => {
        sink.n += data.length;
      });
      receiver.on('error', (error) => {
        throw error;
      });
      impls[id] = () => {
        stream.copy(work);
        for (const piece of pieces) receiver.write(piece);
      };
    }
    const { FrameParser, FrameEvent, Role, isValidUtf8 } = sk;
    if (FrameParser && FrameEvent && Role && isValidUtf8) {
      const parser = new FrameParser({ role: Role.Server });
      impls.sockeye = () => {
        stream.copy(work);
        for (const piece of pieces) {
          parser.feed(piece);
          for (let event = parser.read(); event !== FrameEvent.None; event = parser.read()) {
            if (event === FrameEvent.Error) throw new Error('sockeye parser failed');
            const data = parser.data;
            if (parser.opcode === 1 && !parser.validated && !isValidUtf8(data))
              throw new Error('invalid UTF-8');
            sink.n += data.length;
          }
        }
      };
    }
    cases.push({
      group: 'parse',
      name: `${count} × ${label(size)} ${text ? 'text' : 'binary'} frame${count > 1 ? 's' : ''}${read === 0 ? '' : ` in ${label(read)} reads`}`,
      bytesPerOp: size,
      opsPerCall: count,
      impls,
    });
  }

  // Serialize: one frame, unmasked (server) and masked (client).
  for (const size of [32, 1024, 64 * 1024]) {
    const payload = Buffer.alloc(size, 0x41);
    for (const masked of [false, true]) {
      const impls: Record<string, () => void> = {};
      for (const [id, lib] of [
        ['ws', ws.js],
        ['ws-native', ws.native],
      ] as const) {
        const options = { fin: true, opcode: 2, mask: masked, readOnly: true, rsv1: false };
        impls[id] = () => {
          sink.n += lib.Sender.frame(payload, options).length;
        };
      }
      const { encodeFrame } = sk;
      if (encodeFrame) {
        const options = { mask: masked };
        impls.sockeye = () => {
          sink.n += encodeFrame(2, payload, options).length;
        };
      }
      cases.push({
        group: 'serialize',
        name: `${label(size)} binary, ${masked ? 'masked (client)' : 'unmasked (server)'}`,
        bytesPerOp: size,
        opsPerCall: 1,
        impls,
      });
    }
  }

  // Mask into a new buffer (client send) and unmask in place (server receive).
  for (const size of [32, 1024, 64 * 1024, 4 * 1024 * 1024]) {
    const source = Buffer.alloc(size, 0x33);
    const output = Buffer.allocUnsafe(size);
    const mask: Record<string, () => void> = {};
    const unmask: Record<string, () => void> = {};
    for (const [id, lib] of [
      ['ws', ws.js],
      ['ws-native', ws.native],
    ] as const) {
      mask[id] = () => lib.mask(source, MASK_KEY, output, 0, size);
      unmask[id] = () => lib.unmask(output, MASK_KEY);
    }
    const { maskInto, maskInPlace } = sk;
    if (maskInto) mask.sockeye = () => maskInto(source, output, 0, MASK_KEY, 0);
    if (maskInPlace) unmask.sockeye = () => maskInPlace(output, 0, size, MASK_KEY, 0, 0);
    cases.push({
      group: 'mask',
      name: `${label(size)} into a new buffer`,
      bytesPerOp: size,
      opsPerCall: 1,
      impls: mask,
    });
    cases.push({
      group: 'unmask',
      name: `${label(size)} in place`,
      bytesPerOp: size,
      opsPerCall: 1,
      impls: unmask,
    });
  }

  // UTF-8 validation of a whole message.
  for (const [name, bytes] of [
    ['32 B ASCII', textPayload(32)],
    ['16 KiB ASCII', textPayload(16 * 1024)],
    ['16 KiB mixed (2-, 3-, 4-byte)', mixedUtf8(16 * 1024)],
  ] as const) {
    const impls: Record<string, () => void> = {
      ws: () => {
        if (!ws.js.isValidUTF8(bytes)) throw new Error('invalid');
      },
    };
    if (utf8Validate) {
      impls['utf-8-validate'] = () => {
        if (!utf8Validate(bytes)) throw new Error('invalid');
      };
    }
    const { isValidUtf8 } = sk;
    if (isValidUtf8) {
      impls.sockeye = () => {
        if (!isValidUtf8(bytes)) throw new Error('invalid');
      };
    }
    cases.push({ group: 'utf8', name, bytesPerOp: bytes.length, opsPerCall: 1, impls });
  }
  return cases;
}

function label(size: number): string {
  if (size >= 1024 * 1024) return `${size / 1024 / 1024} MiB`;
  if (size >= 1024) return `${size / 1024} KiB`;
  return `${size} B`;
}
