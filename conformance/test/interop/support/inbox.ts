/** A queue of values arriving over time, taken in order with a deadline. */
export class Inbox<T> {
  #items: T[] = [];
  #waiters: Array<(item: T) => void> = [];

  /** Hands `item` to the oldest waiting {@link take}, or keeps it for the next one. */
  put(item: T): void {
    const waiter = this.#waiters.shift();
    if (waiter === undefined) this.#items.push(item);
    else waiter(item);
  }

  /**
   * The next item. Rejects, giving up its turn, if none arrives within `ms` (naming `what`) or when
   * `signal` aborts (with its reason).
   */
  take(what: string, ms: number, signal?: AbortSignal): Promise<T> {
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift() as T);
    let waiter!: (item: T) => void;
    const next = new Promise<T>((resolve) => {
      waiter = resolve;
      this.#waiters.push(waiter);
    });
    const cancel = () => {
      const index = this.#waiters.indexOf(waiter);
      if (index !== -1) this.#waiters.splice(index, 1);
    };
    return within(next, ms, what, signal).finally(cancel);
  }
}

/**
 * `promise`, or a rejection naming `what` after `ms`, or `signal`'s reason once it aborts. The
 * timer and the abort listener never outlive the returned promise.
 */
export function within<T>(promise: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => finish(() => reject(signal?.reason));
    const timer = setTimeout(() => finish(() => reject(new Error(`no ${what} within ${ms} ms`))), ms);
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}

/** Values keyed by a name, awaited before or after they are settled (a connection by its path…). */
export class Rendezvous<T> {
  #entries = new Map<string, { promise: Promise<T>; resolve: (value: T) => void }>();

  #entry(key: string) {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      let resolve!: (value: T) => void;
      const promise = new Promise<T>((r) => {
        resolve = r;
      });
      entry = { promise, resolve };
      this.#entries.set(key, entry);
    }
    return entry;
  }

  /** Settles `key` (the first value wins). */
  settle(key: string, value: T): void {
    this.#entry(key).resolve(value);
  }

  /** The value of `key`, once settled; rejects after `ms`. */
  get(key: string, ms: number): Promise<T> {
    return within(this.#entry(key).promise, ms, key);
  }
}
