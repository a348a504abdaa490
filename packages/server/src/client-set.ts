import { clientIndex, clientSet, type WebSocket } from './websocket.js';

/**
 * The open connections of an {@link attach} or {@link listen} handle, in no particular order: `size`,
 * `has`, `forEach` and iteration, as a read-only `Set`. A connection leaves by itself as it closes
 * (the `released` hook of `@sockeye/core`'s WebSocket), with no listener per connection.
 *
 * An array with each connection's place in it, not a `Set`: V8 promotes what a hash table
 * references to the old generation far more often (about 2.6 times the promoted bytes per
 * young-generation collection in the handshake benchmark), and the major collections that follow
 * cost about 9 µs per handshake. Iteration walks a copy, so connections that close meanwhile (a
 * broadcast that fails some) never make it skip another.
 */
export class ClientSet implements Iterable<WebSocket> {
  readonly #list: WebSocket[] = [];

  /** How many connections are open. */
  get size(): number {
    return this.#list.length;
  }

  /** Whether `ws` is one of these connections. */
  has(ws: WebSocket): boolean {
    return ws[clientSet] === this;
  }

  /** Calls `callback` for each connection open now. */
  forEach(callback: (ws: WebSocket) => void): void {
    for (const ws of this.#list.slice()) callback(ws);
  }

  /** The connections open now. */
  values(): IterableIterator<WebSocket> {
    return this.#list.slice().values();
  }

  [Symbol.iterator](): IterableIterator<WebSocket> {
    return this.values();
  }

  /** Adds `ws`, which must not be in a set yet; it leaves by itself when it closes. */
  add(ws: WebSocket): void {
    ws[clientSet] = this;
    ws[clientIndex] = this.#list.length;
    this.#list.push(ws);
  }

  /** Removes `ws` in constant time: the last connection takes its place. */
  delete(ws: WebSocket): void {
    if (!this.has(ws)) return;
    const index = ws[clientIndex];
    const last = this.#list.pop()!;
    if (last !== ws) {
      this.#list[index] = last;
      last[clientIndex] = index;
    }
    ws[clientSet] = null;
    ws[clientIndex] = -1;
  }
}

/** A {@link ClientSet} as handles expose it: without `add` and `delete`, which are the handle's. */
export type Clients = Omit<ClientSet, 'add' | 'delete'>;
