/**
 * The states of a WebSocket, as the WHATWG `WebSocket.readyState` numbers them. The same numbers are
 * also static and instance constants of every sockeye WebSocket class (`WebSocket.OPEN === 1`).
 * @see https://websockets.spec.whatwg.org/#dom-websocket-readystate
 */
export const ReadyState = {
  /** The opening handshake has not completed yet. */
  CONNECTING: 0,
  /** The opening handshake completed: messages flow both ways. */
  OPEN: 1,
  /** The closing handshake has started (or the connection is failing). */
  CLOSING: 2,
  /** The connection is closed; the `close` event has fired. */
  CLOSED: 3,
} as const;
export type ReadyState = (typeof ReadyState)[keyof typeof ReadyState];
