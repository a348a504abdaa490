/**
 * The shapes of WebSocket extensions as the npm `websocket-extensions` framework defines them, so
 * that plugins written for faye (`permessage-deflate` from npm among them) work unchanged.
 * Only types live here: negotiation and message processing go through a `websocket-extensions`
 * `Extensions` instance, which the engine sees as an {@link ExtensionPipeline}.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-9
 */

/** Extension parameters: `name=value` pairs, a flag as `true`; repeated names give an array. */
export type ExtensionParams = Record<string, string | number | boolean | Array<string | number | boolean>>;

/** A whole message as extensions process it (`opcode` 1 text or 2 binary). */
export interface ExtensionMessage {
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  data: Buffer;
}

/** A frame header as `validFrameRsv` inspects it. */
export interface ExtensionFrame {
  final: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  maskingKey?: Buffer;
  payload?: Buffer;
}

/** How a session hands a processed message back: the message (changed in place), or an error. */
export type MessageCallback = (error: Error | null, message: ExtensionMessage | null) => void;

/** Shared by client and server sessions. */
export interface ExtensionSession {
  processIncomingMessage(message: ExtensionMessage, callback: MessageCallback): void;
  processOutgoingMessage(message: ExtensionMessage, callback: MessageCallback): void;
  close?(callback?: () => void): void;
}

/** The client half: offers parameters, then accepts or refuses the server's response. */
export interface ClientExtensionSession extends ExtensionSession {
  generateOffer(): ExtensionParams | ExtensionParams[] | null;
  activate(params: ExtensionParams): boolean;
}

/** The server half: answers an accepted offer. */
export interface ServerExtensionSession extends ExtensionSession {
  generateResponse(): ExtensionParams;
}

/**
 * A plugin, as passed in the `extensions` option (e.g. `require('permessage-deflate')`).
 * `type` is always `"permessage"`.
 */
export interface Extension {
  name: string;
  type: 'permessage';
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  createClientSession(options?: object): ClientExtensionSession | null;
  createServerSession(offers: ExtensionParams[], options?: object): ServerExtensionSession | null;
}

/**
 * What the protocol engine needs from a negotiated `websocket-extensions` `Extensions` instance:
 * RSV validation per frame, and the message pipeline in each direction.
 */
export interface ExtensionPipeline {
  validFrameRsv(frame: ExtensionFrame): boolean;
  processIncomingMessage(message: ExtensionMessage, callback: MessageCallback): void;
  processOutgoingMessage(message: ExtensionMessage, callback: MessageCallback): void;
  close(callback?: () => void): void;
}
