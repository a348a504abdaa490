import type { CaseContext, ConformanceCase } from '../case.js';
import { DEFAULT_OFFER, type DeflateAccept, type DeflateOffer } from '../deflate.js';

/** Autobahn's (payload size, auto-fragment size) list for 12.x and 13.x. */
const SIZES: Array<[number, number]> = [
  [16, 0],
  [64, 0],
  [256, 0],
  [1024, 0],
  [4096, 0],
  [8192, 0],
  [16384, 0],
  [32768, 0],
  [65536, 0],
  [131072, 0],
  [8192, 256],
  [16384, 256],
  [32768, 256],
  [65536, 256],
  [131072, 256],
  [131072, 1024],
  [131072, 4096],
  [131072, 32768],
];

/** A small deterministic PRNG so corpora are the same on every run. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  'habe nun ach philosophie juristerei und medizin und leider auch theologie durchaus studiert mit heissem bemuehn da steh ich nun ich armer tor und bin so klug als wie zuvor'.split(
    ' ',
  );

/**
 * Autobahn's corpora are files it ships (a JSON file, an HTML file, Goethe's Faust, the Lena
 * bitmap, a PDF); the suite generates stand-ins of the same nature (ASCII text formats sent as
 * text, the others as binary) so it carries no data files.
 */
const CORPORA: Array<{ name: string; binary: boolean; make: () => Buffer }> = [
  {
    name: 'JSON data (text)',
    binary: false,
    make: () => {
      const r = prng(1);
      const items = Array.from({ length: 1500 }, (_, i) => ({
        id: i,
        guid: Math.floor(r() * 1e12).toString(16),
        isActive: r() > 0.5,
        balance: `$${(r() * 4000).toFixed(2)}`,
        age: Math.floor(r() * 60) + 18,
        name: `${WORDS[Math.floor(r() * WORDS.length)]} ${WORDS[Math.floor(r() * WORDS.length)]}`,
        tags: Array.from({ length: 4 }, () => WORDS[Math.floor(r() * WORDS.length)]),
      }));
      return Buffer.from(JSON.stringify(items, null, 2));
    },
  },
  {
    name: 'HTML (text)',
    binary: false,
    make: () => {
      const r = prng(2);
      const rows = Array.from(
        { length: 2500 },
        (_, i) =>
          `<tr class="row-${i % 7}"><td><a href="/item/${i}">${WORDS[Math.floor(r() * WORDS.length)]}</a></td><td>${Math.floor(r() * 1e6)}</td></tr>`,
      );
      return Buffer.from(
        `<!DOCTYPE html><html><head><title>data</title></head><body><table>${rows.join('\n')}</table></body></html>`,
      );
    },
  },
  {
    name: 'German prose, UTF-8 (binary)',
    binary: true,
    make: () => {
      const r = prng(3);
      const extra = ['Größe', 'Mühe', 'Über', 'wäre', 'schön', 'Faß'];
      const words = Array.from({ length: 40000 }, () =>
        r() < 0.1 ? extra[Math.floor(r() * extra.length)] : WORDS[Math.floor(r() * WORDS.length)],
      );
      return Buffer.from(words.join(' '));
    },
  },
  {
    name: 'grey-scale bitmap 512x512 (binary)',
    binary: true,
    make: () => {
      const r = prng(4);
      const img = Buffer.allocUnsafe(512 * 512);
      for (let y = 0; y < 512; y++)
        for (let x = 0; x < 512; x++)
          img[y * 512 + x] = (128 + 60 * Math.sin(x / 23) + 50 * Math.cos(y / 17) + r() * 16) & 0xff;
      return img;
    },
  },
  {
    name: 'PDF-like mixed content (binary)',
    binary: true,
    make: () => {
      const r = prng(5);
      const parts: Buffer[] = [];
      for (let i = 0; i < 120; i++) {
        parts.push(Buffer.from(`${i} 0 obj << /Length 1400 /Filter /FlateDecode >> stream\n`));
        const noise = Buffer.allocUnsafe(1400);
        for (let j = 0; j < noise.length; j++) noise[j] = Math.floor(r() * 256);
        parts.push(noise, Buffer.from('\nendstream endobj\n'));
      }
      return Buffer.concat(parts);
    },
  },
];

const cache = new Map<number, Buffer>();
function corpus(index: number): Buffer {
  let data = cache.get(index);
  if (!data) {
    data = CORPORA[index]!.make();
    cache.set(index, data);
  }
  return data;
}

function compressedEcho(
  id: string,
  corpusIndex: number,
  size: number,
  fragment: number,
  deflate: { offers: readonly DeflateOffer[]; accept: readonly DeflateAccept[] },
  what: string,
): ConformanceCase {
  const { name, binary } = CORPORA[corpusIndex]!;
  return {
    id,
    description: `Send compressed ${name} messages of ${size} octets${fragment ? `, auto-fragmented at ${fragment}` : ''}, ${what}; expect each echoed exactly.`,
    deflate,
    run: async (ctx: CaseContext) => {
      const { peer, settings } = ctx;
      const data = corpus(corpusIndex);
      let at = 0;
      for (let i = 0; i < settings.deflateMessages; i++) {
        let msg: Buffer;
        if (at + size <= data.length) msg = data.subarray(at, at + size);
        else msg = Buffer.concat([data.subarray(at), data.subarray(0, at + size - data.length)]);
        at = (at + size) % data.length;
        peer.trace.length = 0;
        await peer.sendMessage(msg, binary, fragment);
        if (!(await ctx.waitForEvents(1, 120 * settings.waitMs)))
          return ctx.decide('fail', `no echo for message ${i + 1} of ${settings.deflateMessages}`);
        const got = peer.trace[0]!;
        if (got.kind !== 'message') return ctx.decide('fail', `got a ${got.kind} instead of an echo`);
        if (got.binary !== binary)
          return ctx.decide('fail', `message ${i + 1} came back as ${got.binary ? 'binary' : 'text'}`);
        if (!got.data.equals(msg))
          return ctx.decide(
            'fail',
            `message ${i + 1} came back different (${got.data.length} of ${size} octets)`,
          );
      }
      ctx.decide('pass', `${settings.deflateMessages} compressed messages echoed`);
    },
    patience: 120,
  };
}

/** Autobahn's server accept rules accept1 … accept6 (client_no_context_takeover, client_max_window_bits). */
const ACCEPT: DeflateAccept[] = [
  { requestNoContextTakeover: false, requestMaxWindowBits: 0 },
  { requestNoContextTakeover: true, requestMaxWindowBits: 0 },
  { requestNoContextTakeover: false, requestMaxWindowBits: 8 },
  { requestNoContextTakeover: false, requestMaxWindowBits: 15 },
  { requestNoContextTakeover: true, requestMaxWindowBits: 8 },
  { requestNoContextTakeover: true, requestMaxWindowBits: 15 },
];

/** Category 12: permessage-deflate with the default offer, 5 corpora × 18 sizes. @see RFC 7692 */
export const compressionCases: ConformanceCase[] = CORPORA.flatMap((_, j) =>
  SIZES.map(([size, frag], i) =>
    compressedEcho(
      `12.${j + 1}.${i + 1}`,
      j,
      size,
      frag,
      { offers: [DEFAULT_OFFER], accept: [ACCEPT[0]!] },
      'default offer',
    ),
  ),
);

const offer = (requestNoContextTakeover: boolean, requestMaxWindowBits: number): DeflateOffer => ({
  ...DEFAULT_OFFER,
  requestNoContextTakeover,
  requestMaxWindowBits,
});

/** The 7 offer / accept pairs of 13.x: *_no_context_takeover × *_max_window_bits 8 / 15 / default. */
const PARAMS: Array<{ offers: DeflateOffer[]; accept: DeflateAccept[]; what: string }> = [
  { offers: [offer(false, 0)], accept: [ACCEPT[0]!], what: 'default offer and answer' },
  { offers: [offer(true, 0)], accept: [ACCEPT[1]!], what: 'no context takeover' },
  { offers: [offer(false, 8)], accept: [ACCEPT[2]!], what: 'max window bits 8' },
  { offers: [offer(false, 15)], accept: [ACCEPT[3]!], what: 'max window bits 15' },
  { offers: [offer(true, 8)], accept: [ACCEPT[4]!], what: 'no context takeover, max window bits 8' },
  { offers: [offer(true, 15)], accept: [ACCEPT[5]!], what: 'no context takeover, max window bits 15' },
  {
    offers: [offer(true, 8), offer(true, 0), offer(false, 0)],
    accept: [ACCEPT[4]!, ACCEPT[1]!, ACCEPT[0]!],
    what: 'three offers / fallback answers',
  },
];

/** Category 13: permessage-deflate parameters, 7 offer/accept pairs × 18 sizes (JSON corpus). */
export const compressionParameterCases: ConformanceCase[] = PARAMS.flatMap((p, j) =>
  SIZES.map(([size, frag], i) =>
    compressedEcho(`13.${j + 1}.${i + 1}`, 0, size, frag, { offers: p.offers, accept: p.accept }, p.what),
  ),
);
