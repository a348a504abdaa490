/**
 * The control channel between the sockeye end of a pair (which drives every exchange) and the peer
 * (which echoes every message back, text as text and binary as binary). A text message that starts
 * with {@link CONTROL_PREFIX} is a command instead of data: the peer obeys it and, where it has
 * something to say, answers with a text message carrying the same prefix. The Python and WHATWG
 * reflectors carry their own copy of these few lines, in their language.
 */
export const CONTROL_PREFIX = '#interop:';

/** What the sockeye end may ask a peer to do. */
export type ControlCommand =
  /** Send a ping with this payload and report the pong (`{ op: 'pong' }`). */
  | { op: 'ping'; payload: string }
  /** Start the closing handshake with this code and reason. */
  | { op: 'close'; code: number; reason: string };

/** What a peer answers: the pong it got, or that its API cannot do what was asked. */
export type ControlReply = { op: 'pong'; payload: string } | { op: 'unsupported'; what: string };

/** A command or reply as the text message that carries it. */
export function controlMessage(body: ControlCommand | ControlReply): string {
  return CONTROL_PREFIX + JSON.stringify(body);
}

/** The command or reply a text message carries, or `null` for a data message. */
export function parseControl<T extends ControlCommand | ControlReply>(data: string | Buffer): T | null {
  if (typeof data !== 'string' || !data.startsWith(CONTROL_PREFIX)) return null;
  return JSON.parse(data.slice(CONTROL_PREFIX.length)) as T;
}

/** How the connection ended, as the peer saw it (`wasClean` where its API tells). */
export interface PeerClose {
  code: number;
  reason: string;
  wasClean?: boolean;
}
