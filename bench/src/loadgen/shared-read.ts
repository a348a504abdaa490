import type { OnReadOpts } from 'node:net';

/**
 * The one buffer every generator socket reads into. The generator only counts frames and events,
 * so each read is consumed before the next one starts and no socket keeps its bytes. Node's default
 * allocates a 64 KiB buffer per read; a shared 1 MiB buffer costs nothing per read or per
 * connection (10k idle ones), and one read can take more of a large echo.
 */
export const READ_BUFFER = Buffer.allocUnsafe(1 << 20);

/**
 * `onread` options for `net.connect` that hand each read to `onData` as a view of the shared
 * buffer: valid only until `onData` returns (copy what must outlive it).
 */
export function sharedRead(onData: (chunk: Buffer) => void): OnReadOpts {
  return {
    buffer: READ_BUFFER,
    callback(length: number): boolean {
      onData(READ_BUFFER.subarray(0, length));
      return true;
    },
  };
}
