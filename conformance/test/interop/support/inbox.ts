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

  /** The next item; rejects with `what` named if none arrives within `ms`. */
  take(what: string, ms: number): Promise<T> {
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift() as T);
    return within(new Promise<T>((resolve) => this.#waiters.push(resolve)), ms, what);
  }
}

/** `promise`, or a rejection naming `what` after `ms` (the timer never outlives the promise). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
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
    return within(this.#entry(key).promise, ms, `${key}`);
  }
}
