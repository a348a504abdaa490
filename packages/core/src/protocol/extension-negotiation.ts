/// <reference path="../types/websocket-extensions.d.ts" />
/**
 * Extension negotiation through npm `websocket-extensions` 0.2.0, so that plugins written for faye
 * (`permessage-deflate` among them) work unchanged, without exposing the library's header parser
 * to peer input.
 *
 * The library parses `Sec-WebSocket-Extensions` with regular expressions whose cost is far from
 * linear on hostile values (see `extension-header.ts`). So sockeye parses the header itself, in
 * one pass, and registers each plugin with the library through a thin adapter that hands the
 * plugin the parameters sockeye parsed. The library then sees only a list of bare extension names
 * (at most one per registered plugin) and does everything else as it always has: registration
 * checks, RSV-bit bookkeeping, the session pipeline, `validFrameRsv` and `close`.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-9.1
 */
import Extensions from 'websocket-extensions';
import { ErrorCode, HandshakeError } from '../errors.js';
import type {
  ClientExtensionSession,
  Extension,
  ExtensionMessage,
  ExtensionParams,
  ExtensionPipeline,
  MessageCallback,
  ServerExtensionSession,
} from './extension.js';
import { parseExtensionHeader, serializeExtension } from './extension-header.js';

/**
 * Offers a client may make for one extension that the server considers; later ones are ignored.
 * RFC 7692 §5.1 lets a client offer alternatives in preference order; no real client sends more
 * than a handful, and each offer costs the plugin some work.
 */
export const MAX_OFFERS_PER_EXTENSION = 32;

/** The server's outcome: the response header value (`null`: none accepted) and the pipeline. */
export interface ServerExtensionNegotiation {
  /** The `Sec-WebSocket-Extensions` response value, or `null` when no extension was accepted. */
  response: string | null;
  /** The negotiated pipeline for the protocol engine, or `null` when no extension was accepted. */
  pipeline: ExtensionPipeline | null;
}

/** The answer when there is neither a plugin nor an offer: shared, since nothing varies. */
const NO_EXTENSIONS: ServerExtensionNegotiation = Object.freeze({ response: null, pipeline: null });

/**
 * Answers a client's `Sec-WebSocket-Extensions` offer. The header is always checked, even with no
 * plugin registered, as faye does. Plugins are consulted in registration order (not the
 * client's), each given the offers the client made for its name (the first
 * {@link MAX_OFFERS_PER_EXTENSION}), as websocket-extensions does.
 * @param header the request's header value; `undefined` or `''` means no offer.
 * @param maxLength passed to the plugins as websocket-extensions' `maxLength` option.
 * @throws HandshakeError (status 400) for a header that does not match the grammar, or when a
 *   plugin throws while answering the offer: the peer's input must not crash the server.
 * @throws TypeError for an invalid plugin (websocket-extensions' registration checks).
 */
export function negotiateServerExtensions(
  extensions: readonly Extension[],
  header: string | undefined,
  maxLength?: number,
): ServerExtensionNegotiation {
  // No plugin and no offer (most handshakes): nothing to check or build, so nothing to allocate.
  if (extensions.length === 0 && (header === undefined || header === '')) return NO_EXTENSIONS;
  // Only the offers for registered plugins are built, at most MAX_OFFERS_PER_EXTENSION each;
  // the rest of the header is only checked, so a hostile header costs one scan.
  const registered = new Set<string>();
  for (const extension of extensions) registered.add(extension.name);
  const byName = new Map<string, ExtensionParams[]>();
  const counts = new Map<string, number>();
  const accept = (name: string): boolean => {
    if (!registered.has(name)) return false;
    const count = counts.get(name) ?? 0;
    if (count === 0) byName.set(name, []);
    counts.set(name, count + 1);
    return count < MAX_OFFERS_PER_EXTENSION;
  };
  try {
    for (const offer of parseExtensionHeader(header ?? '', accept))
      byName.get(offer.name)!.push(offer.params);
  } catch (error) {
    throw new HandshakeError(ErrorCode.HandshakeInvalidRequest, (error as Error).message, {
      statusCode: 400,
    });
  }
  if (extensions.length === 0) return { response: null, pipeline: null };

  const library = new Extensions(maxLength === undefined ? {} : { maxLength });
  const names: string[] = [];
  for (const extension of extensions) {
    library.add(serverAdapter(extension, byName));
    if (byName.has(extension.name)) names.push(extension.name);
  }
  if (names.length === 0) return { response: null, pipeline: null };
  let response: string | null;
  try {
    response = library.generateResponse(names.join(', '));
  } catch (cause) {
    // faye answers 400 to any exception while building the response.
    throw new HandshakeError(ErrorCode.HandshakeInvalidRequest, 'Extension negotiation failed', {
      statusCode: 400,
      cause,
    });
  }
  return response === null ? { response: null, pipeline: null } : { response, pipeline: library };
}

const NO_PLUGINS: readonly Extension[] = Object.freeze([]);

/** An `extensions` option (one plugin or a list; none when undefined or null) as a list. */
export function extensionPlugins(
  extensions: Extension | readonly Extension[] | null | undefined,
): readonly Extension[] {
  if (extensions === undefined || extensions === null) return NO_PLUGINS;
  return Array.isArray(extensions) ? (extensions as readonly Extension[]) : [extensions as Extension];
}

/**
 * Checks `extensions` by the rules websocket-extensions applies when a handshake registers them,
 * so that a bad plugin list fails where the options are given, not in a handshake: there the
 * error would escape into the `upgrade` event, with no caller to catch it. The rules are checked
 * here rather than by registering the plugins, which would cost each connection an `Extensions`
 * object and an adapter per plugin (about 5 µs with permessage-deflate).
 * @throws TypeError for an invalid plugin: `name` not a string, `type` not `'permessage'`,
 *   `rsv1`–`rsv3` not booleans, or a name given twice (websocket-extensions' messages).
 */
export function checkExtensionPlugins(extensions: readonly Extension[]): void {
  for (let i = 0; i < extensions.length; i++) {
    const extension = extensions[i] as Partial<Extension> | null;
    if (typeof extension !== 'object' || extension === null)
      throw new TypeError(`An extension plugin must be an object, got ${String(extension)}`);
    if (typeof extension.name !== 'string') throw new TypeError('extension.name must be a string');
    if (extension.type !== 'permessage') throw new TypeError('extension.type must be "permessage"');
    if (typeof extension.rsv1 !== 'boolean') throw new TypeError('extension.rsv1 must be true or false');
    if (typeof extension.rsv2 !== 'boolean') throw new TypeError('extension.rsv2 must be true or false');
    if (typeof extension.rsv3 !== 'boolean') throw new TypeError('extension.rsv3 must be true or false');
    for (let j = 0; j < i; j++) {
      if (extensions[j]!.name === extension.name)
        throw new TypeError(`An extension with name "${extension.name}" is already registered`);
    }
  }
}

/**
 * What websocket-extensions reads of a plugin besides its session factories: the name it is
 * negotiated under and the RSV bits it claims. An adapter copies them so it is registered exactly as
 * the plugin would be.
 */
function identityOf(extension: Extension): Pick<Extension, 'name' | 'type' | 'rsv1' | 'rsv2' | 'rsv3'> {
  return {
    name: extension.name,
    type: extension.type,
    rsv1: extension.rsv1,
    rsv2: extension.rsv2,
    rsv3: extension.rsv3,
  };
}

function serverAdapter(extension: Extension, byName: ReadonlyMap<string, ExtensionParams[]>): Extension {
  return {
    ...identityOf(extension),
    createClientSession: () => null,
    createServerSession(_offers: ExtensionParams[], options?: object): ServerExtensionSession | null {
      return extension.createServerSession(byName.get(extension.name) ?? [], options);
    },
  };
}

/**
 * The client's half: builds the offer when constructed, then activates the server's response.
 * One instance per connection attempt (plugins keep per-connection sessions).
 */
export class ClientExtensionNegotiation {
  /** The `Sec-WebSocket-Extensions` request value, or `null` when no plugin offers anything. */
  readonly offer: string | null;
  #library: Extensions | null;
  #adapters = new Map<string, ClientSessionAdapter>();

  /**
   * @param extensions the plugins, offered in this order.
   * @param maxLength passed to the plugins as websocket-extensions' `maxLength` option.
   * @throws TypeError for an invalid plugin; whatever a plugin's `generateOffer` throws.
   */
  constructor(extensions: readonly Extension[], maxLength?: number) {
    if (extensions.length === 0) {
      this.offer = null;
      this.#library = null;
      return;
    }
    const library = new Extensions(maxLength === undefined ? {} : { maxLength });
    for (const extension of extensions) library.add(this.#adapter(extension));
    this.#library = library;
    this.offer = library.generateOffer();
  }

  /**
   * Activates the server's `Sec-WebSocket-Extensions` response and returns the pipeline, or
   * `null` when the server accepted none. RFC 6455 §4.1: the client MUST _Fail the WebSocket
   * Connection_ if the response "indicates the use of an extension that was not present in the
   * client's handshake".
   * @throws SyntaxError for a malformed header; Error for an extension that was not offered, two
   *   responses for one extension, two extensions claiming one RSV bit, or parameters the plugin
   *   refuses.
   * @see https://www.rfc-editor.org/rfc/rfc6455#section-9.1
   */
  activate(header: string | undefined): ExtensionPipeline | null {
    const responses = parseExtensionHeader(header ?? '');
    if (responses.length === 0) return null;
    const library = this.#library;
    const seen = new Set<string>();
    const names: string[] = [];
    for (const { name, params } of responses) {
      const adapter = this.#adapters.get(name);
      if (library === null || adapter === undefined || !adapter.offered) {
        throw new Error(`Server sent an extension response for unknown extension "${name}"`);
      }
      // websocket-extensions would activate the same session twice for an extension without RSV
      // bits, putting it twice in the pipeline.
      if (seen.has(name)) throw new Error(`Server sent two extension responses for "${name}"`);
      seen.add(name);
      adapter.params = params;
      names.push(name);
    }
    library!.activate(names.join(', '));
    return library;
  }

  #adapter(extension: Extension): Extension {
    const adapters = this.#adapters;
    return {
      ...identityOf(extension),
      createClientSession(options?: object): ClientExtensionSession | null {
        const session = extension.createClientSession(options);
        if (!session) return null;
        const adapter = new ClientSessionAdapter(extension.name, session);
        adapters.set(extension.name, adapter);
        return adapter;
      },
      createServerSession: () => null,
    };
  }
}

/** A plugin's client session, activated with the parameters sockeye parsed. */
class ClientSessionAdapter implements ClientExtensionSession {
  readonly #name: string;
  readonly #session: ClientExtensionSession;
  offered = false;
  params: ExtensionParams = {};

  constructor(name: string, session: ClientExtensionSession) {
    this.#name = name;
    this.#session = session;
  }

  generateOffer(): ExtensionParams | ExtensionParams[] | null {
    const offer = this.#session.generateOffer();
    this.offered = offer !== null && offer !== undefined;
    return offer;
  }

  activate(): boolean {
    if (this.#session.activate(this.params) !== true) {
      throw new Error(
        `Server sent unacceptable extension parameters: ${serializeExtension(this.#name, this.params)}`,
      );
    }
    return true;
  }

  processIncomingMessage(message: ExtensionMessage, callback: MessageCallback): void {
    this.#session.processIncomingMessage(message, callback);
  }

  processOutgoingMessage(message: ExtensionMessage, callback: MessageCallback): void {
    this.#session.processOutgoingMessage(message, callback);
  }

  close(callback?: () => void): void {
    if (typeof this.#session.close === 'function') this.#session.close(callback);
    else callback?.();
  }
}
