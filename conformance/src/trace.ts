/**
 * What the suite observed from the subject, in order: Autobahn's `received` list. Two traces are
 * equal when every event has the same kind and bytes.
 */
export type TraceEvent =
  | { kind: 'message'; binary: boolean; data: Buffer }
  | { kind: 'ping'; data: Buffer }
  | { kind: 'pong'; data: Buffer }
  | { kind: 'timeout'; label: string };

/** A text message event (the expected echo of a text message). */
export function text(data: Buffer | string): TraceEvent {
  return { kind: 'message', binary: false, data: typeof data === 'string' ? Buffer.from(data) : data };
}

/** A binary message event. */
export function binary(data: Buffer | string): TraceEvent {
  return { kind: 'message', binary: true, data: typeof data === 'string' ? Buffer.from(data) : data };
}

/** A pong event. */
export function pong(data: Buffer | string = ''): TraceEvent {
  return { kind: 'pong', data: typeof data === 'string' ? Buffer.from(data) : data };
}

/** A "the connection was still open when this wait ended" event (Autobahn's `("timeout", label)`). */
export function timeout(label: string): TraceEvent {
  return { kind: 'timeout', label };
}

function sameEvent(a: TraceEvent, b: TraceEvent): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'timeout') return a.label === (b as typeof a).label;
  if (a.kind === 'message' && a.binary !== (b as typeof a).binary) return false;
  return a.data.equals((b as Exclude<TraceEvent, { kind: 'timeout' }>).data);
}

/** True when both traces hold the same events in the same order. */
export function sameTrace(a: readonly TraceEvent[], b: readonly TraceEvent[]): boolean {
  return a.length === b.length && a.every((e, i) => sameEvent(e, b[i]!));
}

function show(data: Buffer): string {
  if (data.length > 24) return `${data.length} B`;
  const s = data.toString('utf8');
  return /^[\x20-\x7e]*$/.test(s) ? JSON.stringify(s) : `0x${data.toString('hex')}`;
}

/** A short human-readable form of a trace for the report. */
export function describeTrace(trace: readonly TraceEvent[]): string {
  if (trace.length === 0) return '[]';
  const parts = trace.slice(0, 6).map((e) => {
    switch (e.kind) {
      case 'timeout':
        return `timeout ${e.label}`;
      case 'message':
        return `${e.binary ? 'binary' : 'text'} ${show(e.data)}`;
      default:
        return `${e.kind} ${show(e.data)}`;
    }
  });
  if (trace.length > 6) parts.push(`… ${trace.length - 6} more`);
  return `[${parts.join(', ')}]`;
}
