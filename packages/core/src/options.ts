/**
 * Throws `Error('Unrecognized option: <key>')` for any key of `options` not in `validKeys`, as
 * faye-websocket does, so a typo in an option name is caught at once instead of being ignored.
 */
export function validateOptions(options: object | null | undefined, validKeys: readonly string[]): void {
  if (options === null || options === undefined) return;
  // `for…in` rather than `Object.keys`: no array per call (options are checked per connection).
  // Inherited keys are skipped, but `hasOwn` runs only for a key not in the list: every key of a
  // valid object is in it.
  for (const key in options) {
    if (!validKeys.includes(key) && Object.hasOwn(options, key))
      throw new Error(`Unrecognized option: ${key}`);
  }
}

/** The default `handshakeTimeout` of the server and the client, in milliseconds. */
export const DEFAULT_HANDSHAKE_TIMEOUT = 10_000;

/**
 * The longest delay a Node timer keeps: 2^31 − 1 ms (about 24.8 days). `setTimeout` turns a longer
 * one into 1 ms, with only a warning, so a timeout option above it would fire at once.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A numeric option checked: `fallback` when `value` is undefined, else `value` itself, which must be
 * a finite number ≥ 0 and at most `max` (for a duration in milliseconds, {@link MAX_TIMER_MS}).
 * @throws TypeError for a value that is not a finite non-negative number.
 * @throws RangeError for a value above `max`.
 */
export function numberOption(
  value: unknown,
  fallback: number,
  name: string,
  max = Number.POSITIVE_INFINITY,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    throw new TypeError(`The ${name} option must be a non-negative number, got ${String(value)}`);
  }
  if (value > max) throw new RangeError(`The ${name} option must be at most ${max}, got ${value}`);
  return value;
}
