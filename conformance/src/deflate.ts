import {
  constants,
  createDeflateRaw,
  createInflateRaw,
  type DeflateRaw,
  deflateRawSync,
  type InflateRaw,
  inflateRawSync,
} from 'node:zlib';

/** The 4 octets RFC 7692 §7.2.1 removes from (and §7.2.2 appends to) every compressed message. */
const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/** One parsed element of a `Sec-WebSocket-Extensions` header: a name and its parameters. */
export interface ExtensionElement {
  name: string;
  params: Map<string, string | true>;
}

/**
 * Parses a `Sec-WebSocket-Extensions` value into its elements. Returns `null` on a syntax error,
 * which the suite reports as a handshake failure of the subject.
 * @see RFC 6455 §9.1
 */
export function parseExtensions(value: string): ExtensionElement[] | null {
  const elements: ExtensionElement[] = [];
  for (const part of value.split(',')) {
    const [rawName, ...rawParams] = part.split(';').map((s) => s.trim());
    if (!rawName || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(rawName)) return null;
    const params = new Map<string, string | true>();
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      const key = (eq < 0 ? p : p.slice(0, eq)).trim();
      if (!key || params.has(key)) return null;
      let val: string | true = true;
      if (eq >= 0) {
        val = p.slice(eq + 1).trim();
        if (val.startsWith('"') && val.endsWith('"') && val.length >= 2) val = val.slice(1, -1);
        if (!val) return null;
      }
      params.set(key, val);
    }
    elements.push({ name: rawName.toLowerCase(), params });
  }
  return elements;
}

/**
 * A permessage-deflate offer as Autobahn describes it: what the offering client accepts from the
 * server (`client_*` hints) and what it requests of the server (`server_*`).
 * @see RFC 7692 §7.1
 */
export interface DeflateOffer {
  /** Offer `client_no_context_takeover` (a hint that this client will not use context takeover). */
  acceptNoContextTakeover: boolean;
  /** Offer `client_max_window_bits` (the server may limit the client's window). */
  acceptMaxWindowBits: boolean;
  /** Request `server_no_context_takeover`. */
  requestNoContextTakeover: boolean;
  /** Request `server_max_window_bits=N`; 0 requests nothing. */
  requestMaxWindowBits: number;
}

/** Autobahn's default offer (`PerMessageDeflateOffer()`). */
export const DEFAULT_OFFER: DeflateOffer = {
  acceptNoContextTakeover: true,
  acceptMaxWindowBits: true,
  requestNoContextTakeover: false,
  requestMaxWindowBits: 0,
};

/** The parameters both ends agreed on, seen from one end ("own" = what this end sends). */
export interface DeflateAgreement {
  ownNoContextTakeover: boolean;
  ownMaxWindowBits: number;
  peerNoContextTakeover: boolean;
  peerMaxWindowBits: number;
}

/** Formats offers as one `Sec-WebSocket-Extensions` value. */
export function formatOffers(offers: readonly DeflateOffer[]): string {
  return offers
    .map((o) => {
      let s = 'permessage-deflate';
      if (o.acceptNoContextTakeover) s += '; client_no_context_takeover';
      if (o.acceptMaxWindowBits) s += '; client_max_window_bits';
      if (o.requestNoContextTakeover) s += '; server_no_context_takeover';
      if (o.requestMaxWindowBits) s += `; server_max_window_bits=${o.requestMaxWindowBits}`;
      return s;
    })
    .join(', ');
}

function windowBits(value: string | true | undefined): number | null {
  if (value === undefined) return 15;
  if (value === true || !/^\d{1,2}$/.test(value)) return null;
  const n = Number(value);
  return n >= 8 && n <= 15 ? n : null;
}

/**
 * Checks a server's permessage-deflate response against the offers the suite (as client) made
 * and returns the client-side agreement, or a reason why the response is not allowed.
 * @see RFC 7692 §7.1
 */
export function acceptResponse(
  elements: readonly ExtensionElement[],
  offers: readonly DeflateOffer[],
): DeflateAgreement | string {
  if (elements.length !== 1) return `expected one extension in the response, got ${elements.length}`;
  const el = elements[0]!;
  if (el.name !== 'permessage-deflate') return `response names an extension not offered: ${el.name}`;
  for (const key of el.params.keys()) {
    if (
      ![
        'server_no_context_takeover',
        'client_no_context_takeover',
        'server_max_window_bits',
        'client_max_window_bits',
      ].includes(key)
    )
      return `unknown permessage-deflate parameter ${key}`;
  }
  const snct = el.params.get('server_no_context_takeover');
  const cnct = el.params.get('client_no_context_takeover');
  if ((snct !== undefined && snct !== true) || (cnct !== undefined && cnct !== true))
    return 'a *_no_context_takeover parameter has a value';
  const smwb = windowBits(el.params.get('server_max_window_bits'));
  const cmwb = windowBits(el.params.get('client_max_window_bits'));
  if (smwb === null || cmwb === null) return 'invalid *_max_window_bits value';
  // "The server MUST NOT include client_max_window_bits unless the offer has it" (§7.1.2.2), and
  // it must honour what the offer requested (§7.1.1.1, §7.1.2.1). One offer must fit.
  const fits = offers.find(
    (o) =>
      (!o.requestNoContextTakeover || snct === true) &&
      // A request for 15 (no limit at all) may go unanswered: Autobahn and the faye plugin allow it.
      (!o.requestMaxWindowBits ||
        (el.params.has('server_max_window_bits')
          ? smwb <= o.requestMaxWindowBits
          : o.requestMaxWindowBits === 15)) &&
      (o.acceptMaxWindowBits || !el.params.has('client_max_window_bits')),
  );
  if (!fits) return `response "${formatElement(el)}" matches none of the offers`;
  return {
    ownNoContextTakeover: fits.acceptNoContextTakeover || cnct === true,
    ownMaxWindowBits: cmwb,
    peerNoContextTakeover: snct === true,
    peerMaxWindowBits: smwb,
  };
}

/** How the suite (as server) answers a client's offers: Autobahn's accept1 … accept7. */
export interface DeflateAccept {
  /** Respond with `client_no_context_takeover`. */
  requestNoContextTakeover: boolean;
  /** Respond with `client_max_window_bits=N` (0: don't); needs the client to have offered it. */
  requestMaxWindowBits: number;
}

/**
 * Picks the first offer the accept rules can take (tried in order) and builds the response.
 * Returns null when nothing fits: the extension is then not used.
 * @see RFC 7692 §7.1
 */
export function answerOffers(
  elements: readonly ExtensionElement[],
  rules: readonly DeflateAccept[],
): { header: string; agreement: DeflateAgreement } | null {
  for (const rule of rules) {
    for (const el of elements) {
      if (el.name !== 'permessage-deflate') continue;
      const smwb = windowBits(el.params.get('server_max_window_bits'));
      const offeredCmwb = el.params.get('client_max_window_bits');
      if (smwb === null) continue;
      if (offeredCmwb !== undefined && offeredCmwb !== true && windowBits(offeredCmwb) === null) continue;
      if (rule.requestMaxWindowBits && offeredCmwb === undefined) continue;
      const snct = el.params.get('server_no_context_takeover') === true;
      let header = 'permessage-deflate';
      if (snct) header += '; server_no_context_takeover';
      if (el.params.has('server_max_window_bits')) header += `; server_max_window_bits=${smwb}`;
      if (rule.requestNoContextTakeover) header += '; client_no_context_takeover';
      let peerBits = typeof offeredCmwb === 'string' ? Number(offeredCmwb) : 15;
      if (rule.requestMaxWindowBits) {
        peerBits = Math.min(peerBits, rule.requestMaxWindowBits);
        header += `; client_max_window_bits=${peerBits}`;
      }
      return {
        header,
        agreement: {
          ownNoContextTakeover: snct,
          ownMaxWindowBits: smwb,
          peerNoContextTakeover:
            rule.requestNoContextTakeover || el.params.get('client_no_context_takeover') === true,
          peerMaxWindowBits: peerBits,
        },
      };
    }
  }
  return null;
}

function formatElement(el: ExtensionElement): string {
  return [el.name, ...[...el.params].map(([k, v]) => (v === true ? k : `${k}=${v}`))].join('; ');
}

/**
 * The suite's own permessage-deflate codec over node:zlib, independent of every subject's.
 * Compression keeps its context unless the agreement forbids it; a window of 8 bits, which zlib's
 * raw deflate cannot produce, is honoured with Huffman-only coding (no back-references at all).
 * Inflation always uses a 15-bit window, so a peer is never blamed for a window it may use.
 * @see RFC 7692 §7.2
 */
export class DeflateCodec {
  readonly #agreement: DeflateAgreement;
  #deflate: DeflateRaw | null = null;
  #inflate: InflateRaw | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(agreement: DeflateAgreement) {
    this.#agreement = agreement;
  }

  /** Compresses one message payload (the 4-octet trailer already removed). */
  compress(data: Buffer): Promise<Buffer> {
    const bits = this.#agreement.ownMaxWindowBits;
    const options = {
      windowBits: Math.max(9, bits),
      strategy: bits < 9 ? constants.Z_HUFFMAN_ONLY : constants.Z_DEFAULT_STRATEGY,
    };
    if (this.#agreement.ownNoContextTakeover) {
      const out = deflateRawSync(data, { ...options, finishFlush: constants.Z_SYNC_FLUSH });
      return Promise.resolve(stripTrailer(out));
    }
    this.#deflate ??= createDeflateRaw(options);
    const stream = this.#deflate;
    return this.#serial(() => flushThrough(stream, [data]).then(stripTrailer));
  }

  /** Decompresses one message payload as received (trailer not yet appended). */
  decompress(data: Buffer): Promise<Buffer> {
    if (this.#agreement.peerNoContextTakeover) {
      try {
        return Promise.resolve(
          inflateRawSync(Buffer.concat([data, TRAILER]), {
            windowBits: 15,
            finishFlush: constants.Z_SYNC_FLUSH,
          }),
        );
      } catch (error) {
        return Promise.reject(error);
      }
    }
    this.#inflate ??= createInflateRaw({ windowBits: 15 });
    const stream = this.#inflate;
    return this.#serial(() => flushThrough(stream, [data, TRAILER]));
  }

  /** Releases the zlib streams. */
  close(): void {
    this.#deflate?.close();
    this.#inflate?.close();
    this.#deflate = this.#inflate = null;
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

function stripTrailer(out: Buffer): Buffer {
  return out.length >= 4 && out.subarray(-4).equals(TRAILER) ? out.subarray(0, -4) : out;
}

function flushThrough(stream: DeflateRaw | InflateRaw, input: Buffer[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer) => chunks.push(chunk);
    const onError = (error: Error) => {
      stream.off('data', onData);
      reject(error);
    };
    stream.on('data', onData);
    stream.once('error', onError);
    for (const chunk of input) stream.write(chunk);
    stream.flush(constants.Z_SYNC_FLUSH, () => {
      stream.off('data', onData);
      stream.off('error', onError);
      resolve(Buffer.concat(chunks));
    });
  });
}
