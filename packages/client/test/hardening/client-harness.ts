import { Client, type ClientOptions } from '../../src/index.js';

/** What a test saw of one client. */
export interface ObservedClient {
  readonly ws: Client;
  readonly events: string[];
  readonly errors: Array<{ message: string; code: string | undefined; name: string | undefined }>;
  close: { code: number; reason: string; wasClean: boolean } | null;
  readonly opened: Promise<void>;
  readonly closed: Promise<void>;
}

/** Opens a client to `url` and records its events. */
export function observe(url: string, options: ClientOptions = {}, protocols: string[] = []): ObservedClient {
  const ws = new Client(url, protocols, options);
  let resolveOpened!: () => void;
  let resolveClosed!: () => void;
  const observed: ObservedClient = {
    ws,
    events: [],
    errors: [],
    close: null,
    opened: new Promise<void>((resolve) => {
      resolveOpened = resolve;
    }),
    closed: new Promise<void>((resolve) => {
      resolveClosed = resolve;
    }),
  };
  ws.on('open', () => {
    observed.events.push('open');
    resolveOpened();
  });
  ws.on('error', (event: { message: string; error?: { code?: string; name?: string } }) => {
    observed.events.push('error');
    observed.errors.push({ message: event.message, code: event.error?.code, name: event.error?.name });
  });
  ws.on('close', (event: { code: number; reason: string; wasClean: boolean }) => {
    observed.events.push('close');
    observed.close = { code: event.code, reason: event.reason, wasClean: event.wasClean };
    resolveClosed();
  });
  return observed;
}

/** Resolves within `ms` with the promise's value, or rejects naming what was awaited. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}
