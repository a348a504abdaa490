/**
 * sockeye's own permessage-deflate (RFC 7692), shaped as a websocket-extensions plugin so it goes
 * in the same `extensions` option as faye's npm `permessage-deflate`:
 *
 * ```ts
 * new WebSocket(request, socket, head, [], { extensions: [permessageDeflate()] });
 * ```
 *
 * Against the npm plugin it bounds inflation by the connection's `maxLength` while inflating (a
 * decompression bomb stops at the limit), reuses zlib streams instead of making one per message,
 * creates them only when the first compressed message needs one, leaves messages under
 * `threshold` bytes uncompressed, and by default compresses with a small compressor (4 KiB
 * window, `memLevel` 5) shared by all connections; an inflater is shared too when the peer
 * agreed not to take its context over (`permessage-deflate-pool.ts`).
 * @see https://www.rfc-editor.org/rfc/rfc7692
 */
import { ErrorCode } from '../errors.js';
import { validateOptions } from '../options.js';
import type {
  ClientExtensionSession,
  Extension,
  ExtensionMessage,
  ExtensionParams,
  ServerExtensionSession,
} from '../protocol/extension.js';
import { checkLimit, DEFAULT_MAX_LENGTH } from '../protocol/frame-parser.js';
import {
  deflateError,
  type MessageCallback,
  MessageDeflater,
  MessageInflater,
} from './permessage-deflate-codec.js';
import {
  acceptOffers,
  acceptResponse,
  clientOffer,
  type DeflateAgreement,
  type DeflateNegotiationConfig,
} from './permessage-deflate-params.js';
import { sharedDeflater, sharedInflater } from './permessage-deflate-pool.js';

/**
 * Options of {@link permessageDeflate}. Unknown keys throw. The four negotiation options use
 * RFC 7692's names (as ws does); "server" and "client" name the end that compresses.
 */
export interface PermessageDeflateOptions {
  /**
   * Client: offer `server_no_context_takeover` (ask the server to compress each message on its
   * own) and refuse a response without it. Server: always answer with it (compress each message
   * on its own). A server accepts the client's request either way. Default `false`.
   * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.1.1.1
   */
  serverNoContextTakeover?: boolean;
  /**
   * Client: offer `client_no_context_takeover` and compress each message on its own. Server:
   * answer with it (ask the client to compress each message on its own, so each incoming message
   * inflates alone). A client's own offer of it is echoed either way. Default `false`.
   * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.1.1.2
   */
  clientNoContextTakeover?: boolean;
  /**
   * 8–15. Client: offer `server_max_window_bits` (the largest window the server may compress
   * with, hence the window this client inflates with) and refuse a response with a larger value,
   * or without it (but for an offer of 15, which limits nothing). Server: compress with at most this window and announce it in every response.
   * A server honours the client's value either way. Default: none.
   * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.1.2.1
   */
  serverMaxWindowBits?: number;
  /**
   * Client: `true` offers the bare `client_max_window_bits` flag (the server may then lower the
   * client's window), a number 8–15 offers it with that value (the client will not compress with
   * a larger window), `false` leaves it out. Server: a number 8–15 answers a client that offered
   * the parameter with the smaller of it and the client's value (the server then inflates with a
   * smaller window); `true` or `false` asks nothing. Default `true`.
   * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.1.2.2
   */
  clientMaxWindowBits?: number | boolean;
  /**
   * zlib compression level, -1 (zlib's default, 6) to 9. Default `1`: on JSON-like text it
   * compresses about twice as fast as level 6 for output about 15 % larger.
   */
  level?: number;
  /**
   * zlib memLevel, 1–9: the compressor's hash table and output buffer take 2^(memLevel + 9) bytes
   * together (zlib's zconf.h). Default `5` (python-websockets' choice; zlib's default 8 takes 8× more).
   */
  memLevel?: number;
  /**
   * The largest LZ77 window this end compresses with, 8–15 (2^windowBits bytes, twice over in
   * zlib); never larger than what the peer allowed. Needs no negotiation: a smaller window is
   * always readable. Default `12` (4 KiB), as python-websockets: with memLevel 5 zlib allocates
   * about 40 KiB for the compressor instead of 256 KiB at its defaults (zconf.h's formula; the
   * process's RSS grows by about 100 and 290 KiB per compressor, as measured in bench/).
   */
  windowBits?: number;
  /**
   * Messages shorter than this many bytes go uncompressed (RSV1 clear): compressing them costs
   * more than it saves. `0` compresses everything. Default `1024`, as ws.
   */
  threshold?: number;
  /**
   * `true`: compress each outgoing message on its own, with zlib streams shared by every
   * connection of the process (a small pool), so a connection holds no compressor (about
   * 100 KiB each at the default settings). `false`: one compressor per connection that keeps its
   * window between messages where context takeover was agreed, which compresses streams of small
   * similar messages better. Needs no negotiation either way: RFC 7692 lets a sender always
   * compress a message without referring to earlier ones. Default `true`.
   */
  sharedCompressor?: boolean;
}

const OPTION_KEYS: readonly string[] = [
  'serverNoContextTakeover',
  'clientNoContextTakeover',
  'serverMaxWindowBits',
  'clientMaxWindowBits',
  'level',
  'memLevel',
  'windowBits',
  'threshold',
  'sharedCompressor',
];

/** The defaults of {@link PermessageDeflateOptions}, measured on this project's bench. */
export const PERMESSAGE_DEFLATE_DEFAULTS = Object.freeze({
  level: 1,
  memLevel: 5,
  windowBits: 12,
  threshold: 1024,
  sharedCompressor: true,
});

/** RFC 7692 §7.2.3.6: an empty message, compressed: one empty stored block without its tail. */
const EMPTY_BLOCK = Buffer.from([0x00]);

/** Settings fixed when the plugin is made: negotiation plus the zlib knobs. */
interface DeflateConfig extends DeflateNegotiationConfig {
  level: number;
  memLevel: number;
  threshold: number;
  sharedCompressor: boolean;
}

function readBoolean(
  options: PermessageDeflateOptions,
  key: keyof PermessageDeflateOptions,
  fallback = false,
): boolean {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${key} must be a boolean, got ${String(value)}`);
  return value;
}

function readConfig(options: PermessageDeflateOptions): DeflateConfig {
  validateOptions(options, OPTION_KEYS);
  const clientMaxWindowBits = options.clientMaxWindowBits ?? true;
  return {
    serverNoContextTakeover: readBoolean(options, 'serverNoContextTakeover'),
    clientNoContextTakeover: readBoolean(options, 'clientNoContextTakeover'),
    serverMaxWindowBits:
      options.serverMaxWindowBits === undefined
        ? undefined
        : checkLimit('serverMaxWindowBits', options.serverMaxWindowBits, 8, 15),
    clientMaxWindowBits:
      typeof clientMaxWindowBits === 'boolean'
        ? clientMaxWindowBits
        : checkLimit('clientMaxWindowBits', clientMaxWindowBits, 8, 15),
    windowBits: checkLimit('windowBits', options.windowBits ?? PERMESSAGE_DEFLATE_DEFAULTS.windowBits, 8, 15),
    level: checkLimit('level', options.level ?? PERMESSAGE_DEFLATE_DEFAULTS.level, -1, 9),
    memLevel: checkLimit('memLevel', options.memLevel ?? PERMESSAGE_DEFLATE_DEFAULTS.memLevel, 1, 9),
    threshold: checkLimit(
      'threshold',
      options.threshold ?? PERMESSAGE_DEFLATE_DEFAULTS.threshold,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    sharedCompressor: readBoolean(options, 'sharedCompressor', PERMESSAGE_DEFLATE_DEFAULTS.sharedCompressor),
  };
}

/** websocket-extensions passes `{ maxLength }` (the connection's limit) to every session. */
function sessionMaxLength(options: object | undefined): number {
  const maxLength = (options as { maxLength?: unknown } | undefined)?.maxLength;
  return typeof maxLength === 'number' && maxLength >= 0 ? maxLength : DEFAULT_MAX_LENGTH;
}

/**
 * Creates sockeye's permessage-deflate extension, for the `extensions` option of a server
 * `WebSocket` or a `Client`. Each connection gets its own session; the object itself holds only
 * the settings and may be shared.
 * @throws Error for an unknown option key; TypeError or RangeError for a value out of range.
 * @see https://www.rfc-editor.org/rfc/rfc7692
 */
export function permessageDeflate(options: PermessageDeflateOptions = {}): Extension {
  const config = readConfig(options);
  return {
    name: 'permessage-deflate',
    type: 'permessage',
    // §6: "This document allocates the RSV1 bit of the WebSocket header for PMCEs and calls the
    // bit the 'Per-Message Compressed' bit."
    rsv1: true,
    rsv2: false,
    rsv3: false,
    createClientSession(sessionOptions?: object): ClientExtensionSession {
      return new ClientDeflateSession(config, sessionMaxLength(sessionOptions));
    },
    createServerSession(offers: ExtensionParams[], sessionOptions?: object): ServerExtensionSession | null {
      const accepted = acceptOffers(config, offers);
      if (accepted === null) return null;
      const session = new ServerDeflateSession(config, sessionMaxLength(sessionOptions), accepted.response);
      session.agree(accepted.agreement);
      return session;
    },
  };
}

/** One connection's compression state, once the parameters are agreed. */
class DeflateSession {
  readonly #config: DeflateConfig;
  readonly #maxLength: number;
  #agreement: DeflateAgreement | null = null;
  #deflater: MessageDeflater | null = null;
  #inflater: MessageInflater | null = null;
  #closed = false;

  constructor(config: DeflateConfig, maxLength: number) {
    this.#config = config;
    this.#maxLength = maxLength;
  }

  agree(agreement: DeflateAgreement): void {
    this.#agreement = agreement;
  }

  /**
   * §6.2: a message with RSV1 set is compressed; one without is not, and passes untouched.
   * @see https://www.rfc-editor.org/rfc/rfc7692#section-6.2
   */
  processIncomingMessage(message: ExtensionMessage, callback: MessageCallback): void {
    if (!message.rsv1) {
      callback(null, message);
      return;
    }
    if (message.data.length === 0) {
      // Not a DEFLATE block at all (the shortest is §7.2.3.6's single 0x00); read as the empty
      // message it can only mean, without feeding zlib a tail that would break its context.
      message.rsv1 = false;
      callback(null, message);
      return;
    }
    let inflater = this.#inflater;
    if (inflater === null) {
      if (this.#closed || this.#agreement === null) {
        this.#refuse(callback);
        return;
      }
      const agreement = this.#agreement;
      // §7.1.1.2: a peer without context takeover starts each message with an empty window, so
      // any inflater will do; a reset one holds no bytes of another connection to refer back to.
      inflater = agreement.peerNoContextTakeover
        ? sharedInflater(agreement.peerWindowBits)
        : new MessageInflater({ windowBits: agreement.peerWindowBits, noContextTakeover: false });
      this.#inflater = inflater;
    }
    inflater.process(message, callback, this.#maxLength);
  }

  /**
   * §6.1: an endpoint MAY send any message uncompressed (RSV1 clear); those under `threshold`
   * are, since compressing them costs more than it saves.
   * @see https://www.rfc-editor.org/rfc/rfc7692#section-6.1
   */
  processOutgoingMessage(message: ExtensionMessage, callback: MessageCallback): void {
    const length = message.data.length;
    if (length < this.#config.threshold) {
      callback(null, message);
      return;
    }
    if (length === 0) {
      // An empty message goes as the single octet 0x00, an empty stored block without its
      // 00 00 ff ff tail, as §7.2.3.6 builds an empty fragment. zlib would emit nothing for a
      // second sync flush with no input.
      message.data = EMPTY_BLOCK;
      message.rsv1 = true;
      callback(null, message);
      return;
    }
    let deflater = this.#deflater;
    if (deflater === null) {
      if (this.#closed || this.#agreement === null) {
        this.#refuse(callback);
        return;
      }
      const config = this.#config;
      const agreement = this.#agreement;
      const settings = {
        level: config.level,
        memLevel: config.memLevel,
        windowBits: agreement.ownWindowBits,
      };
      deflater = config.sharedCompressor
        ? sharedDeflater(settings)
        : new MessageDeflater({ ...settings, noContextTakeover: agreement.ownNoContextTakeover });
      this.#deflater = deflater;
    }
    deflater.process(message, callback);
  }

  /**
   * Frees this session's own zlib streams (shared ones stay with the pool). websocket-extensions
   * calls it once nothing is in flight.
   */
  close(callback?: () => void): void {
    this.#closed = true;
    // Codecs from the process-wide pool (see where they are made) serve other sessions too.
    if (!this.#config.sharedCompressor) this.#deflater?.close();
    if (this.#agreement?.peerNoContextTakeover !== true) this.#inflater?.close();
    this.#deflater = null;
    this.#inflater = null;
    callback?.();
  }

  #refuse(callback: MessageCallback): void {
    const message = this.#closed
      ? 'The permessage-deflate session is closed'
      : 'permessage-deflate was not negotiated';
    callback(deflateError(message, 'unexpected_condition', ErrorCode.Internal), null);
  }
}

class ClientDeflateSession extends DeflateSession implements ClientExtensionSession {
  readonly #negotiation: DeflateNegotiationConfig;

  constructor(config: DeflateConfig, maxLength: number) {
    super(config, maxLength);
    this.#negotiation = config;
  }

  generateOffer(): ExtensionParams {
    return clientOffer(this.#negotiation);
  }

  /** Accepts the server's response, or returns false, which fails the handshake (§7.1). */
  activate(params: ExtensionParams): boolean {
    const agreement = acceptResponse(this.#negotiation, params);
    if (agreement === null) return false;
    this.agree(agreement);
    return true;
  }
}

class ServerDeflateSession extends DeflateSession implements ServerExtensionSession {
  readonly #response: ExtensionParams;

  constructor(config: DeflateConfig, maxLength: number, response: ExtensionParams) {
    super(config, maxLength);
    this.#response = response;
  }

  generateResponse(): ExtensionParams {
    return this.#response;
  }
}
