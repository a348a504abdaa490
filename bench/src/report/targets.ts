/**
 * The targets: sockeye over another subject in one run, judged on the median of the
 * per-repetition ratios (`ratio` in `results.ts`).
 */
export interface Target {
  scenario: string;
  /**
   * Which number: the headline (`value`), `p99`, `heap` per connection, `rss` per connection, or
   * `retained`: RSS per connection without V8's young generation (not an issue target; shown
   * because the young generation grows with the traffic, not with the connections), or
   * `marginal`: RSS that one more connection, used for a few messages, adds.
   */
  field: 'value' | 'p99' | 'heap' | 'rss' | 'retained' | 'marginal';
  /** Shown with the targets but not one of the issue's. */
  informative?: boolean;
  /** The sockeye subject measured. Default `sockeye` (on Node's HTTP server). */
  subject?: string;
  against: string;
  op: '>=' | '<=';
  ratio: number;
}

export const TARGETS: readonly Target[] = [
  { scenario: 'echo-32', field: 'value', against: 'ws', op: '>=', ratio: 1.2 },
  { scenario: 'echo-64k', field: 'value', against: 'ws-native', op: '>=', ratio: 1.0 },
  { scenario: 'echo-4m', field: 'value', against: 'ws-native', op: '>=', ratio: 1.0 },
  { scenario: 'handshake', field: 'value', against: 'ws', op: '>=', ratio: 1.5 },
  // The same with sockeye's own listener, which reads the request head itself (no http.Server).
  {
    scenario: 'handshake',
    field: 'value',
    subject: 'sockeye-listen',
    against: 'ws',
    op: '>=',
    ratio: 1.5,
    informative: true,
  },
  { scenario: 'idle', field: 'rss', against: 'ws', op: '<=', ratio: 0.8 },
  // A bare upgraded socket of Node's HTTP server measures 0.72–0.80× ws by itself (the `raw` floor);
  // `listen()`'s sockets never pass through an http.Server.
  {
    scenario: 'idle',
    field: 'rss',
    subject: 'sockeye-listen',
    against: 'ws',
    op: '<=',
    ratio: 0.8,
    informative: true,
  },
  { scenario: 'idle', field: 'retained', against: 'ws', op: '<=', ratio: 0.8, informative: true },
  { scenario: 'idle', field: 'heap', against: 'ws', op: '<=', ratio: 0.7 },
  { scenario: 'broadcast', field: 'value', against: 'ws', op: '>=', ratio: 1.2 },
  { scenario: 'sse', field: 'value', against: 'raw', op: '>=', ratio: 0.9 },
  { scenario: 'sse', field: 'value', against: 'faye', op: '>=', ratio: 1.1 },
  { scenario: 'deflate', field: 'value', against: 'ws', op: '>=', ratio: 1.0 },
  // Memory per connection with compression is what one more connection adds: the ws figure
  // (291 KiB) is zlib's state for ws's defaults, while the average over the connections also holds
  // what V8 and malloc grew for the traffic (ws: 420–530 KiB). bench/README.md, "Method".
  { scenario: 'deflate', field: 'marginal', against: 'ws', op: '<=', ratio: 0.5 },
  { scenario: 'deflate', field: 'rss', against: 'ws', op: '<=', ratio: 0.5, informative: true },
  { scenario: 'deflate', field: 'retained', against: 'ws', op: '<=', ratio: 0.5, informative: true },
  { scenario: 'client', field: 'value', against: 'ws', op: '>=', ratio: 1.2 },
];
