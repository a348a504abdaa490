/**
 * permessage-deflate parameter negotiation (RFC 7692 §7.1): what a client offers, which offer a
 * server accepts and what it answers, and whether a client accepts the server's answer. Pure
 * logic over the parameter objects sockeye's header parser produces (`extension-header.ts`): a
 * flag is `true`, a decimal value a number, a repeated parameter an array. The zlib side lives in
 * `permessage-deflate-codec.ts`.
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.1
 */
import type { ExtensionParams } from '../protocol/extension.js';
import { writtenAsInteger } from '../protocol/extension-header.js';

/** The negotiation settings of one endpoint, already validated by `permessageDeflate()`. */
export interface DeflateNegotiationConfig {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  /** 8–15, or `undefined` for none. */
  serverMaxWindowBits: number | undefined;
  /** 8–15, `true` (offer the bare flag / request nothing) or `false` (do not offer it). */
  clientMaxWindowBits: number | boolean;
  /** The window this endpoint compresses with at most (8–15). */
  windowBits: number;
}

/**
 * What both ends agreed on, seen from one end: "own" is the direction this end compresses,
 * "peer" the direction it decompresses. Window bits are the RFC's values (8–15).
 */
export interface DeflateAgreement {
  /** Reset the compressor after every message. */
  ownNoContextTakeover: boolean;
  /** The LZ77 window this end compresses with. */
  ownWindowBits: number;
  /** Reset the decompressor after every message: the peer promised not to refer back. */
  peerNoContextTakeover: boolean;
  /** The largest window the peer may compress with, which this end must inflate with. */
  peerWindowBits: number;
}

/** The four parameters of RFC 7692 §7.1, once checked. `undefined`: absent. */
interface DeflateParams {
  server_no_context_takeover: boolean;
  client_no_context_takeover: boolean;
  server_max_window_bits: number | undefined;
  /** `true`: the bare flag (allowed in an offer only). */
  client_max_window_bits: number | true | undefined;
}

const MAX_WINDOW_BITS = 15;

/**
 * Reads one offer or response. Returns `null` when RFC 7692 §7.1 says to decline the offer (a
 * server) or fail the connection (a client): "an extension parameter not defined for use in an
 * offer/response", "an extension parameter with an invalid value", or "multiple extension
 * parameters with the same name".
 */
function readParams(params: ExtensionParams, isResponse: boolean): DeflateParams | null {
  const out: DeflateParams = {
    server_no_context_takeover: false,
    client_no_context_takeover: false,
    server_max_window_bits: undefined,
    client_max_window_bits: undefined,
  };
  for (const key of Object.keys(params)) {
    const value = params[key];
    // A repeated name arrives as an array.
    if (Array.isArray(value)) return null;
    switch (key) {
      case 'server_no_context_takeover':
      case 'client_no_context_takeover':
        // §7.1.1: these parameters have no value.
        if (value !== true) return null;
        out[key] = true;
        break;
      case 'server_max_window_bits':
        // §7.1.2.1: "This parameter has a decimal integer value without leading zeroes between
        // 8 to 15, inclusive". The parser turns such a value into a number; "08" stays a string,
        // and "10.0" is a number written with a fraction.
        if (!isWindowBits(value) || !writtenAsInteger(params, key)) return null;
        out.server_max_window_bits = value;
        break;
      case 'client_max_window_bits':
        // §7.1.2.2: in an offer it "may have no value"; in a response it has one.
        if (value === true && !isResponse) out.client_max_window_bits = true;
        else if (isWindowBits(value) && writtenAsInteger(params, key)) out.client_max_window_bits = value;
        else return null;
        break;
      default:
        return null;
    }
  }
  return out;
}

function isWindowBits(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 8 && value <= MAX_WINDOW_BITS;
}

/**
 * The client's single offer.
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.1
 */
export function clientOffer(config: DeflateNegotiationConfig): ExtensionParams {
  const offer: ExtensionParams = {};
  if (config.clientNoContextTakeover) offer.client_no_context_takeover = true;
  if (config.clientMaxWindowBits !== false) offer.client_max_window_bits = config.clientMaxWindowBits;
  if (config.serverNoContextTakeover) offer.server_no_context_takeover = true;
  if (config.serverMaxWindowBits !== undefined) offer.server_max_window_bits = config.serverMaxWindowBits;
  return offer;
}

/**
 * Checks the server's response against the client's offer (built from the same `config`).
 * Returns the client's agreement, or `null` when RFC 7692 says the client "MUST _Fail the
 * WebSocket Connection_".
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.1
 */
export function acceptResponse(
  config: DeflateNegotiationConfig,
  params: ExtensionParams,
): DeflateAgreement | null {
  const response = readParams(params, true);
  if (response === null) return null;

  // §7.1.1.1: a client that offered server_no_context_takeover needs the server to accept it.
  if (config.serverNoContextTakeover && !response.server_no_context_takeover) return null;

  // §7.1.2.1: "A server accepts an extension negotiation offer with this parameter by including
  // the server_max_window_bits extension parameter in the extension negotiation response to send
  // back to the client with the same or smaller value as the offer." A request for 15 asks for
  // nothing, so a server that ignores it is not refused.
  const requested = config.serverMaxWindowBits;
  const serverBits = response.server_max_window_bits;
  if (requested !== undefined) {
    if (serverBits === undefined ? requested < MAX_WINDOW_BITS : serverBits > requested) return null;
  }

  // §7.1.2.2: "If a received extension negotiation offer doesn't have the client_max_window_bits
  // extension parameter, the corresponding extension negotiation response to the offer MUST NOT
  // include the client_max_window_bits extension parameter."
  const offered = config.clientMaxWindowBits;
  let ownWindowBits = config.windowBits;
  const clientBits = response.client_max_window_bits;
  if (clientBits !== undefined) {
    if (offered === false) return null;
    // A value larger than our hint is no use: we said we would not exceed the hint.
    if (typeof offered === 'number' && (clientBits as number) > offered) return null;
    ownWindowBits = Math.min(ownWindowBits, clientBits as number);
  }
  if (typeof offered === 'number') ownWindowBits = Math.min(ownWindowBits, offered);

  return {
    // §7.1.1.2: with client_no_context_takeover in the response "the client MUST start
    // compressing each new message with an empty LZ77 sliding window".
    ownNoContextTakeover: config.clientNoContextTakeover || response.client_no_context_takeover,
    ownWindowBits,
    peerNoContextTakeover: response.server_no_context_takeover,
    peerWindowBits: serverBits ?? MAX_WINDOW_BITS,
  };
}

/** A server's answer to the offer it accepted: the response parameters and its agreement. */
export interface DeflateAcceptance {
  response: ExtensionParams;
  agreement: DeflateAgreement;
}

/**
 * Picks the first offer the server can accept, in the client's order of preference, and builds
 * the response. Offers with unknown or invalid parameters are declined, not failed: RFC 7692
 * §7.1 "a server MUST decline an extension negotiation offer" that has them, and RFC 6455 §9.1
 * leaves the server free to answer without the extension. `null` when none is acceptable.
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.1
 */
export function acceptOffers(
  config: DeflateNegotiationConfig,
  offers: readonly ExtensionParams[],
): DeflateAcceptance | null {
  for (const params of offers) {
    const offer = readParams(params, false);
    if (offer === null) continue;
    // Every well-formed offer is acceptable: each parameter only narrows what the server may do,
    // and the server can always compress with a smaller window or without context takeover.
    const response: ExtensionParams = {};

    // §7.1.1.1: accepted by including server_no_context_takeover; the server MAY include it
    // unasked.
    const ownNoContextTakeover = config.serverNoContextTakeover || offer.server_no_context_takeover;
    if (ownNoContextTakeover) response.server_no_context_takeover = true;

    // §7.1.1.2: client_no_context_takeover in the offer is the client's promise; echoing it (or
    // asking for it unasked) makes it binding. Either way each message can be inflated alone.
    const peerNoContextTakeover = config.clientNoContextTakeover || offer.client_no_context_takeover;
    if (peerNoContextTakeover) response.client_no_context_takeover = true;

    // §7.1.2.1: the server compresses with at most the window the client allows, answers with
    // the value it uses when the client asked, and MAY announce it unasked (only done when the
    // serverMaxWindowBits option asks for it: some old browsers refused an unasked value).
    let ownWindowBits = Math.min(config.windowBits, offer.server_max_window_bits ?? MAX_WINDOW_BITS);
    if (config.serverMaxWindowBits !== undefined)
      ownWindowBits = Math.min(ownWindowBits, config.serverMaxWindowBits);
    if (offer.server_max_window_bits !== undefined || config.serverMaxWindowBits !== undefined)
      response.server_max_window_bits = ownWindowBits;

    // §7.1.2.2: a number in the offer is the client's promise not to exceed it; the server may
    // lower it further by answering with a value, but only when the offer has the parameter.
    const hint = offer.client_max_window_bits;
    let peerWindowBits = typeof hint === 'number' ? hint : MAX_WINDOW_BITS;
    if (hint !== undefined && typeof config.clientMaxWindowBits === 'number') {
      peerWindowBits = Math.min(peerWindowBits, config.clientMaxWindowBits);
      response.client_max_window_bits = peerWindowBits;
    }

    return {
      response,
      agreement: { ownNoContextTakeover, ownWindowBits, peerNoContextTakeover, peerWindowBits },
    };
  }
  return null;
}
