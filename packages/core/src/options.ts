/**
 * Throws `Error('Unrecognized option: <key>')` for any key of `options` not in `validKeys`, as
 * faye-websocket does, so a typo in an option name is caught at once instead of being ignored.
 */
export function validateOptions(options: object | null | undefined, validKeys: readonly string[]): void {
  if (options === null || options === undefined) return;
  // `for…in` rather than `Object.keys`: no array per call (options are checked per connection).
  for (const key in options) {
    if (Object.hasOwn(options, key) && !validKeys.includes(key))
      throw new Error(`Unrecognized option: ${key}`);
  }
}
