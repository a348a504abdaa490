/** What a driver process (load generator, reflector) or client subject is asked to do in one run. */
export interface DriverConfig {
  /** The traffic pattern. */
  kind: 'echo' | 'latency' | 'handshake' | 'idle' | 'broadcast' | 'sse';
  /** The subject's port on 127.0.0.1. */
  port: number;
  /** Connections (subscribers, clients) held open; for `handshake`, handshakes in progress at once. */
  connections: number;
  /** Messages (broadcasts, events) in flight per connection, or in all for broadcast and SSE. */
  inFlight: number;
  /** Payload bytes per message. */
  payloadSize: number;
  /** Send binary messages rather than text. */
  binary: boolean;
  /** Offer permessage-deflate and send compressed messages. */
  deflate: boolean;
  /** Connections opened at once while setting up. */
  connectConcurrency: number;
}

/** Reads the config a parent passed in `BENCH_CONFIG`. */
export function readConfig<T>(): T {
  const raw = process.env.BENCH_CONFIG;
  if (!raw) throw new Error('BENCH_CONFIG is not set: this script is started by bench/src/cli.ts');
  return JSON.parse(raw) as T;
}
