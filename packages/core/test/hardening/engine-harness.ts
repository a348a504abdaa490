import type { ProtocolError } from '../../src/errors.js';
import type { EngineHandler } from '../../src/protocol/engine.js';

/** An {@link EngineHandler} that records what a Connection reports, for sans-I/O tests. */
export class Recorder implements EngineHandler {
  readonly messages: Array<{ data: string | Buffer; binary: boolean }> = [];
  readonly pings: Buffer[] = [];
  readonly pongs: Buffer[] = [];
  close: { code: number; reason: string } | null = null;
  failure: ProtocolError | null = null;
  outgoingCalls = 0;

  onMessage(data: string | Buffer, binary: boolean): void {
    this.messages.push({ data, binary });
  }
  onPing(payload: Buffer): void {
    this.pings.push(Buffer.from(payload));
  }
  onPong(payload: Buffer): void {
    this.pongs.push(Buffer.from(payload));
  }
  onClose(code: number, reason: string): void {
    this.close = { code, reason };
  }
  onFail(error: ProtocolError): void {
    this.failure = error;
  }
  onOutgoing(): void {
    this.outgoingCalls++;
  }
}

/** `global.gc` without `--expose-gc`, for the tests that measure retained memory. */
export async function collector(): Promise<() => void> {
  const { setFlagsFromString } = await import('node:v8');
  const { runInNewContext } = await import('node:vm');
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    for (let i = 0; i < 3; i++) gc();
  };
}
