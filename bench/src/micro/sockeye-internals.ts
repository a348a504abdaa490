/** The hot-path exports of @sockeye/core the micro-benchmarks call, looked up by name so a missing
 * export (core is being written) skips its benchmark instead of failing the run. */
export interface SockeyeInternals {
  FrameParser?: new (options: {
    role: string;
    maxLength?: number;
  }) => {
    feed(chunk: Buffer): void;
    read(): number;
    opcode: number;
    data: Buffer;
    validated: boolean;
  };
  FrameEvent?: { None: number; Message: number; Control: number; Error: number };
  Role?: { Client: string; Server: string };
  encodeFrame?: (
    opcode: number,
    payload: Uint8Array,
    options?: { mask?: boolean; maskKey?: Uint8Array },
  ) => Buffer[];
  maskInPlace?: (
    data: Uint8Array,
    start: number,
    end: number,
    key: Uint8Array,
    keyOffset: number,
    phase: number,
  ) => void;
  maskInto?: (
    source: Uint8Array,
    target: Uint8Array,
    targetOffset: number,
    key: Uint8Array,
    keyOffset: number,
  ) => void;
  isValidUtf8?: (bytes: Uint8Array, start?: number, end?: number) => boolean;
}

export async function loadSockeye(): Promise<SockeyeInternals> {
  return (await import('@sockeye/core')) as unknown as SockeyeInternals;
}
