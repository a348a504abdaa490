import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The parts of ws's internals the micro-benchmarks call (ws 8.23, `lib/*.js`). */
export interface WsInternals {
  Receiver: new (options: {
    isServer?: boolean;
    maxPayload?: number;
  }) => {
    on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): unknown;
    on(event: 'error', listener: (error: Error) => void): unknown;
    write(chunk: Buffer): boolean;
  };
  Sender: {
    frame(
      data: Buffer,
      options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean },
    ): Buffer[];
  };
  mask(source: Buffer, mask: Buffer, output: Buffer, offset: number, length: number): void;
  unmask(buffer: Buffer, mask: Buffer): void;
  isValidUTF8(buffer: Buffer): boolean;
}

const require = createRequire(import.meta.url);
const lib = join(dirname(require.resolve('ws')), 'lib');

function load(): WsInternals {
  const bufferUtil = require(join(lib, 'buffer-util.js'));
  return {
    Receiver: require(join(lib, 'receiver.js')),
    Sender: require(join(lib, 'sender.js')),
    mask: bufferUtil.mask,
    unmask: bufferUtil.unmask,
    isValidUTF8: require(join(lib, 'validation.js')).isValidUTF8,
  };
}

/**
 * Loads ws's internals twice: without bufferutil (`WS_NO_BUFFER_UTIL=1`, as the `ws` subject runs)
 * and with it (`ws-native`). ws reads the variable when `buffer-util.js` loads, so the module cache
 * is cleared between the two.
 */
export function loadWs(): { js: WsInternals; native: WsInternals } {
  const saved = process.env.WS_NO_BUFFER_UTIL;
  process.env.WS_NO_BUFFER_UTIL = '1';
  const js = load();
  for (const key of Object.keys(require.cache)) if (key.startsWith(lib)) delete require.cache[key];
  delete process.env.WS_NO_BUFFER_UTIL;
  const native = load();
  if (saved !== undefined) process.env.WS_NO_BUFFER_UTIL = saved;
  return { js, native };
}

/** utf-8-validate's native validator (what ws used before Node had `buffer.isUtf8`). */
export function loadUtf8Validate(): ((buffer: Buffer) => boolean) | undefined {
  try {
    return require('utf-8-validate') as (buffer: Buffer) => boolean;
  } catch {
    return undefined;
  }
}
