import type { EventEmitter } from 'node:events';

/** An `error` event as recorded: the message and the fields of the sockeye error behind it. */
export interface ObservedError {
  readonly message: string;
  readonly code: string | undefined;
  readonly name: string | undefined;
  readonly closeCode: number | undefined;
}

/** What a test saw of one WebSocket. */
export interface ObservedSocket<W> {
  readonly ws: W;
  /** `open`, `error` and `close`, in the order they fired. */
  readonly events: string[];
  readonly errors: ObservedError[];
  close: { code: number; reason: string; wasClean: boolean } | null;
  readonly opened: Promise<void>;
  readonly closed: Promise<void>;
}

/**
 * Records the `open`, `error` and `close` events of `ws`, a client or server WebSocket (both are
 * EventEmitters); call it before adding other listeners so the record sees each event first.
 */
export function observeSocket<W extends EventEmitter>(ws: W): ObservedSocket<W> {
  let resolveOpened!: () => void;
  let resolveClosed!: () => void;
  const observed: ObservedSocket<W> = {
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
  ws.on(
    'error',
    (event: { message: string; error?: { code?: string; name?: string; closeCode?: number } }) => {
      observed.events.push('error');
      observed.errors.push({
        message: event.message,
        code: event.error?.code,
        name: event.error?.name,
        closeCode: event.error?.closeCode,
      });
    },
  );
  ws.on('close', (event: { code: number; reason: string; wasClean: boolean }) => {
    observed.events.push('close');
    observed.close = { code: event.code, reason: event.reason, wasClean: event.wasClean };
    resolveClosed();
  });
  return observed;
}
