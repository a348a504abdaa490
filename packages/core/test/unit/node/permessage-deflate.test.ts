import { createHook } from 'node:async_hooks';
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import Extensions from 'websocket-extensions';
import {
  ClientExtensionNegotiation,
  type Extension,
  type ExtensionMessage,
  type ExtensionParams,
  type ExtensionSession,
  negotiateServerExtensions,
  PERMESSAGE_DEFLATE_DEFAULTS,
  type PermessageDeflateOptions,
  permessageDeflate,
} from '../../../src/index.js';
import { Opcode } from '../../../src/protocol/opcode.js';
import { Role } from '../../../src/protocol/role.js';
import { clientFrame, Harness, readFrames } from '../protocol/engine-harness.js';

type Session = ExtensionSession;

/** RFC 7692 §7.2.2: the tail a receiver appends before inflating; the message ends in a sync flush. */
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const SYNC = { finishFlush: constants.Z_SYNC_FLUSH };

const sessions: Session[] = [];
afterEach(() => {
  for (const session of sessions.splice(0)) session.close?.();
});

/** The server's response params for `offers`, or `null` when it declines them all. */
function serverResponse(
  offers: ExtensionParams[],
  options?: PermessageDeflateOptions,
): ExtensionParams | null {
  const session = permessageDeflate(options).createServerSession(offers);
  if (session === null) return null;
  sessions.push(session);
  return session.generateResponse();
}

/** Whether a client with `options` accepts the server's `response`. */
function clientAccepts(response: ExtensionParams, options?: PermessageDeflateOptions): boolean {
  const session = permessageDeflate(options).createClientSession()!;
  sessions.push(session);
  session.generateOffer();
  return session.activate(response);
}

/** A client and a server session negotiated through websocket-extensions, as a handshake does. */
function negotiate(
  client: PermessageDeflateOptions = {},
  server: PermessageDeflateOptions = {},
  maxLength?: number,
): { client: Session; server: Session; offer: string; response: string } {
  const options = maxLength === undefined ? {} : { maxLength };
  const clientSide = new Extensions(options);
  clientSide.add(permessageDeflate(client));
  const serverSide = new Extensions(options);
  serverSide.add(permessageDeflate(server));
  const offer = clientSide.generateOffer()!;
  const response = serverSide.generateResponse(offer)!;
  clientSide.activate(response);
  sessions.push(clientSide, serverSide);
  return { client: clientSide, server: serverSide, offer, response };
}

function run(
  session: Session,
  direction: 'in' | 'out',
  data: Buffer,
  rsv1 = direction === 'in',
  opcode: number = Opcode.Binary,
): Promise<ExtensionMessage> {
  return new Promise((resolve, reject) => {
    const message: ExtensionMessage = { rsv1, rsv2: false, rsv3: false, opcode, data };
    const callback = (error: Error | null, result: ExtensionMessage | null) =>
      error ? reject(error) : resolve(result!);
    if (direction === 'in') session.processIncomingMessage(message, callback);
    else session.processOutgoingMessage(message, callback);
  });
}

/** Compresses on one side and inflates on the other, returning what went over the wire. */
/** Client to server, then server to client. */
function bothWays(client: Session, server: Session): ReadonlyArray<readonly [Session, Session]> {
  return [
    [client, server],
    [server, client],
  ];
}

async function roundTrip(from: Session, to: Session, data: Buffer): Promise<ExtensionMessage> {
  const sent = await run(from, 'out', data);
  const wire = Buffer.from(sent.data);
  const received = await run(to, 'in', sent.data, sent.rsv1);
  expect(Buffer.compare(received.data, data)).toBe(0);
  expect(received.rsv1).toBe(false);
  return { ...sent, data: wire };
}

/** Text that compresses well and has repeats far apart (tests of the window size need those). */
function text(size: number, seed = 1): Buffer {
  let out = '';
  let x = seed;
  while (out.length < size) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out += `{"id":${x % 100000},"name":"user${x % 977}","score":${x % 1000}},`;
  }
  return Buffer.from(out.slice(0, size));
}

/** Counts the zlib handles Node creates while `body` runs (an idle session must create none). */
async function countZlibHandles(body: () => Promise<void>): Promise<number> {
  let count = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'ZLIB') count++;
    },
  }).enable();
  try {
    await body();
  } finally {
    hook.disable();
  }
  return count;
}

describe('permessageDeflate(): the plugin object', () => {
  it('is a websocket-extensions plugin that claims RSV1 only (RFC 7692 §6)', () => {
    const extension: Extension = permessageDeflate();
    expect(extension).toMatchObject({
      name: 'permessage-deflate',
      type: 'permessage',
      rsv1: true,
      rsv2: false,
      rsv3: false,
    });
    expect(() => new Extensions().add(extension)).not.toThrow();
  });

  it('throws on an unknown option, as faye does, to catch typos', () => {
    expect(() => permessageDeflate({ maxWindowBits: 10 } as PermessageDeflateOptions)).toThrow(
      'Unrecognized option: maxWindowBits',
    );
  });

  it.each([
    [{ serverMaxWindowBits: 7 }, RangeError],
    [{ serverMaxWindowBits: 16 }, RangeError],
    [{ clientMaxWindowBits: 9.5 }, RangeError],
    [{ windowBits: 16 }, RangeError],
    [{ level: 10 }, RangeError],
    [{ memLevel: 0 }, RangeError],
    [{ threshold: -1 }, RangeError],
    [{ serverNoContextTakeover: 'yes' }, TypeError],
  ])('refuses %j', (options, type) => {
    expect(() => permessageDeflate(options as PermessageDeflateOptions)).toThrow(type);
  });

  it('documents its defaults: level 1, memLevel 5, 4 KiB window, 1 KiB threshold, shared compressor', () => {
    expect(PERMESSAGE_DEFLATE_DEFAULTS).toEqual({
      level: 1,
      memLevel: 5,
      windowBits: 12,
      threshold: 1024,
      sharedCompressor: true,
    });
  });

  it('refuses a sharedCompressor that is not a boolean', () => {
    expect(() => permessageDeflate({ sharedCompressor: 'yes' as never })).toThrow(TypeError);
  });
});

describe('RFC 7692 §7.1: the client offer', () => {
  const offer = (options?: PermessageDeflateOptions) =>
    permessageDeflate(options).createClientSession()!.generateOffer();

  it('offers the bare client_max_window_bits by default, so the server may lower the window', () => {
    expect(offer()).toEqual({ client_max_window_bits: true });
  });

  it('offers every parameter it is configured with', () => {
    expect(
      offer({
        serverNoContextTakeover: true,
        clientNoContextTakeover: true,
        serverMaxWindowBits: 10,
        clientMaxWindowBits: 11,
      }),
    ).toEqual({
      client_no_context_takeover: true,
      client_max_window_bits: 11,
      server_no_context_takeover: true,
      server_max_window_bits: 10,
    });
    expect(offer({ clientMaxWindowBits: false })).toEqual({});
  });

  it('goes into the request header through the negotiation layer', () => {
    const negotiation = new ClientExtensionNegotiation([permessageDeflate({ serverMaxWindowBits: 9 })]);
    expect(negotiation.offer).toBe('permessage-deflate; client_max_window_bits; server_max_window_bits=9');
  });
});

describe('RFC 7692 §7.1: the client checks the response', () => {
  it('accepts an empty response and the parameters it allowed', () => {
    expect(clientAccepts({})).toBe(true);
    expect(clientAccepts({ server_no_context_takeover: true, client_no_context_takeover: true })).toBe(true);
    // §7.1.2.1: a server MAY announce a smaller window than it was asked for, or unasked.
    expect(clientAccepts({ server_max_window_bits: 10 })).toBe(true);
    expect(clientAccepts({ client_max_window_bits: 8 })).toBe(true);
  });

  it.each<[string, ExtensionParams, PermessageDeflateOptions]>([
    ['an unknown parameter', { foo: true }, {}],
    ['a repeated parameter', { server_no_context_takeover: [true, true] }, {}],
    ['a value on a no_context_takeover flag', { client_no_context_takeover: 1 }, {}],
    ['window bits out of range', { server_max_window_bits: 16 }, {}],
    ['window bits out of range', { server_max_window_bits: 7 }, {}],
    ['window bits with leading zeros', { server_max_window_bits: '09' }, {}],
    ['server_max_window_bits without a value', { server_max_window_bits: true }, {}],
    ['client_max_window_bits without a value', { client_max_window_bits: true }, {}],
    [
      'client_max_window_bits when not offered (§7.1.2.2 MUST NOT)',
      { client_max_window_bits: 10 },
      { clientMaxWindowBits: false },
    ],
    ['client_max_window_bits above the hint', { client_max_window_bits: 12 }, { clientMaxWindowBits: 11 }],
    ['no server_no_context_takeover when it was requested', {}, { serverNoContextTakeover: true }],
    ['no server_max_window_bits when 10 was requested', {}, { serverMaxWindowBits: 10 }],
    [
      'a larger server_max_window_bits than requested',
      { server_max_window_bits: 11 },
      { serverMaxWindowBits: 10 },
    ],
  ])('refuses %s: %j', (_what, response, options) => {
    expect(clientAccepts(response, options)).toBe(false);
  });

  it('lets a server ignore a request for 15 bits, which asks for no limit', () => {
    expect(clientAccepts({}, { serverMaxWindowBits: 15 })).toBe(true);
  });

  it('refuses window bits written with a fraction (§7.1.2: "a decimal integer value")', () => {
    for (const response of [
      'permessage-deflate; server_max_window_bits=10.0',
      'permessage-deflate; client_max_window_bits="9.00"',
    ]) {
      const negotiation = new ClientExtensionNegotiation([permessageDeflate()]);
      expect(() => negotiation.activate(response)).toThrow('Server sent unacceptable extension parameters');
    }
  });

  it('fails the handshake through the negotiation layer on a refused response', () => {
    const negotiation = new ClientExtensionNegotiation([permessageDeflate()]);
    expect(() => negotiation.activate('permessage-deflate; server_max_window_bits=20')).toThrow(
      'Server sent unacceptable extension parameters: permessage-deflate; server_max_window_bits=20',
    );
  });
});

describe('RFC 7692 §7.1: the server picks an offer', () => {
  it('answers a plain offer with no parameters', () => {
    expect(serverResponse([{}])).toEqual({});
    expect(serverResponse([{ client_max_window_bits: true }])).toEqual({});
  });

  it('accepts server_no_context_takeover and echoes client_no_context_takeover', () => {
    expect(serverResponse([{ server_no_context_takeover: true, client_no_context_takeover: true }])).toEqual({
      server_no_context_takeover: true,
      client_no_context_takeover: true,
    });
  });

  it('answers server_max_window_bits with the window it compresses with (its own 12 at most)', () => {
    expect(serverResponse([{ server_max_window_bits: 10 }])).toEqual({ server_max_window_bits: 10 });
    expect(serverResponse([{ server_max_window_bits: 15 }])).toEqual({ server_max_window_bits: 12 });
    expect(serverResponse([{ server_max_window_bits: 8 }])).toEqual({ server_max_window_bits: 8 });
  });

  it('asks for what its options say', () => {
    expect(serverResponse([{}], { serverNoContextTakeover: true, clientNoContextTakeover: true })).toEqual({
      server_no_context_takeover: true,
      client_no_context_takeover: true,
    });
    expect(serverResponse([{}], { serverMaxWindowBits: 11 })).toEqual({ server_max_window_bits: 11 });
    // §7.1.2.2: client_max_window_bits only answers an offer that has it.
    expect(serverResponse([{}], { clientMaxWindowBits: 10 })).toEqual({});
    expect(serverResponse([{ client_max_window_bits: true }], { clientMaxWindowBits: 10 })).toEqual({
      client_max_window_bits: 10,
    });
    expect(serverResponse([{ client_max_window_bits: 9 }], { clientMaxWindowBits: 10 })).toEqual({
      client_max_window_bits: 9,
    });
  });

  it('declines offers with unknown or invalid parameters and takes the first acceptable one', () => {
    expect(
      serverResponse([{ foo: true }, { server_max_window_bits: 7 }, { server_no_context_takeover: true }]),
    ).toEqual({
      server_no_context_takeover: true,
    });
    expect(serverResponse([{ foo: true }, { client_max_window_bits: 16 }])).toBeNull();
  });

  it('declines window bits written with a fraction, which the parser reads as numbers', () => {
    const ext = [permessageDeflate()];
    for (const offer of [
      'permessage-deflate; server_max_window_bits=10.0',
      'permessage-deflate; server_max_window_bits="12.00"',
      'permessage-deflate; client_max_window_bits=9.0',
    ]) {
      expect(negotiateServerExtensions(ext, offer).response).toBeNull();
    }
    expect(negotiateServerExtensions(ext, 'permessage-deflate; server_max_window_bits=10').response).toBe(
      'permessage-deflate; server_max_window_bits=10',
    );
  });

  it('answers without the extension, not with a failed handshake, when every offer is invalid', () => {
    const ext = [permessageDeflate()];
    expect(negotiateServerExtensions(ext, 'permessage-deflate; server_max_window_bits=99')).toEqual({
      response: null,
      pipeline: null,
    });
    const accepted = negotiateServerExtensions(
      ext,
      'permessage-deflate; bogus, permessage-deflate; client_max_window_bits; server_max_window_bits=10',
    );
    expect(accepted.response).toBe('permessage-deflate; server_max_window_bits=10');
    accepted.pipeline?.close();
  });
});

describe('RFC 7692 §7.2: compressing and inflating messages', () => {
  it('round-trips text and binary messages of many sizes in both directions', async () => {
    const { client, server } = negotiate({ threshold: 0 }, { threshold: 0 });
    for (const size of [0, 1, 100, 1024, 16 * 1024, 70_000, 300_000]) {
      await roundTrip(client, server, text(size, size));
      await roundTrip(server, client, text(size, size + 1));
    }
  });

  it('sets RSV1 on compressed messages and strips the 00 00 ff ff tail (§7.2.1)', async () => {
    const { client, server } = negotiate();
    const data = text(4000);
    const sent = await roundTrip(client, server, data);
    expect(sent.rsv1).toBe(true);
    expect(sent.data.length).toBeLessThan(data.length / 2);
    const inflated = inflateRawSync(Buffer.concat([sent.data, TAIL]), SYNC);
    expect(inflated.equals(data)).toBe(true);
  });

  it('leaves messages under the threshold uncompressed with RSV1 clear (§6.1)', async () => {
    const { client } = negotiate({ threshold: 100 });
    const small = await run(client, 'out', Buffer.from('x'.repeat(99)));
    expect(small.rsv1).toBe(false);
    expect(small.data.toString()).toBe('x'.repeat(99));
    const large = await run(client, 'out', Buffer.from('x'.repeat(100)));
    expect(large.rsv1).toBe(true);
  });

  it('sends an empty message as the single 0x00 of §7.2.3.6, every time, and reads it back', async () => {
    const { client, server } = negotiate({ threshold: 0 });
    for (let i = 0; i < 3; i++) {
      const sent = await roundTrip(client, server, Buffer.alloc(0));
      expect(sent).toMatchObject({ rsv1: true, data: Buffer.from([0x00]) });
    }
    // The context survived: a real message still round-trips after them.
    await roundTrip(client, server, text(3000));
    // An empty payload with RSV1 (no DEFLATE block at all) reads as the empty message.
    expect((await run(server, 'in', Buffer.alloc(0))).data.length).toBe(0);
    await roundTrip(client, server, text(3000, 2));
  });

  it('passes incoming messages without RSV1 through untouched (§6.2)', async () => {
    const { server } = negotiate();
    const data = Buffer.from('not compressed');
    const result = await run(server, 'in', data, false);
    expect(result.data).toBe(data);
  });

  it('with a compressor of its own keeps the LZ77 context across messages: a repeat costs a few bytes', async () => {
    const { client, server } = negotiate({ sharedCompressor: false }, { sharedCompressor: false });
    const data = text(2000);
    for (const [from, to] of bothWays(client, server)) {
      const first = await roundTrip(from, to, data);
      const second = await roundTrip(from, to, data);
      expect(second.data.length).toBeLessThan(first.data.length / 4);
    }
  });

  it('with the shared compressor (default) compresses each message on its own, context takeover or not', async () => {
    const { client, server, response } = negotiate();
    // Nothing asked of the peer: its inflater keeps its window, which these messages do not use.
    expect(response).toBe('permessage-deflate');
    const data = text(2000);
    for (const [from, to] of bothWays(client, server)) {
      const first = await roundTrip(from, to, data);
      for (let i = 0; i < 3; i++) {
        const sent = await roundTrip(from, to, data);
        expect(sent.data.equals(first.data)).toBe(true);
        expect(inflateRawSync(Buffer.concat([sent.data, TAIL]), SYNC).equals(data)).toBe(true);
      }
    }
  });

  it('shares one compressor between sessions without mixing their messages or windows', async () => {
    // Many sessions, interleaved: every message must come back as its own bytes, and each must
    // inflate alone (no back-reference into another session's message).
    const pairs = Array.from({ length: 6 }, () => negotiate());
    const results = await Promise.all(
      pairs.flatMap(({ client, server }, i) =>
        Array.from({ length: 4 }, (_, k) =>
          roundTrip(i % 2 ? client : server, i % 2 ? server : client, text(3000, i * 10 + k)),
        ),
      ),
    );
    for (const sent of results)
      expect(inflateRawSync(Buffer.concat([sent.data, TAIL]), SYNC).length).toBe(3000);
  });

  it.each([
    ['client_no_context_takeover', { clientNoContextTakeover: true }, {}],
    ['client_no_context_takeover asked by the server', {}, { clientNoContextTakeover: true }],
  ])('with %s each client message inflates on its own', async (_what, clientOptions, serverOptions) => {
    const { client, server, response } = negotiate(clientOptions, serverOptions);
    expect(response).toContain('client_no_context_takeover');
    const data = text(2000);
    for (let i = 0; i < 3; i++) {
      const sent = await roundTrip(client, server, data);
      // A fresh inflater (no shared history) reads every message.
      const alone = inflateRawSync(Buffer.concat([sent.data, TAIL]), SYNC);
      expect(alone.equals(data)).toBe(true);
    }
  });

  it('with server_no_context_takeover each server message inflates on its own', async () => {
    const { client, server, response } = negotiate({ serverNoContextTakeover: true });
    expect(response).toBe('permessage-deflate; server_no_context_takeover');
    const data = text(2000);
    for (let i = 0; i < 3; i++) {
      const sent = await roundTrip(server, client, data);
      const alone = inflateRawSync(Buffer.concat([sent.data, TAIL]), SYNC);
      expect(alone.equals(data)).toBe(true);
    }
  });

  it('compresses within the window the peer allowed (§7.1.2.1), never its default 12 bits above it', async () => {
    // zlib is deterministic: the same settings give the same bytes, so the window used shows.
    const reference = (windowBits: number) => {
      const out = deflateRawSync(data, { level: 1, memLevel: 5, windowBits, ...SYNC });
      return out.subarray(0, out.length - 4);
    };
    const block = text(1000, 7);
    const data = Buffer.concat([block, block, block]);
    const narrow = negotiate({ serverMaxWindowBits: 9 });
    expect(narrow.response).toBe('permessage-deflate; server_max_window_bits=9');
    const sent9 = await roundTrip(narrow.server, narrow.client, data);
    expect(sent9.data.equals(reference(9))).toBe(true);

    const wide = negotiate();
    const sent12 = await roundTrip(wide.server, wide.client, data);
    expect(sent12.data.equals(reference(12))).toBe(true);
    // Repeats 1000 bytes apart: out of a 512-byte window's reach.
    expect(sent12.data.length).toBeLessThan(sent9.data.length / 2);

    // client_max_window_bits in the response lowers the client's window too.
    const asked = negotiate({}, { clientMaxWindowBits: 10 });
    expect(asked.response).toBe('permessage-deflate; client_max_window_bits=10');
    const sent10 = await roundTrip(asked.client, asked.server, data);
    expect(sent10.data.equals(reference(10))).toBe(true);
  });

  it('inflates with the window the peer may use, not its own smaller one', async () => {
    // The peer compressed with a 32 KiB window (zlib's default) and referred 20 000 bytes back.
    const block = text(20_000, 3);
    const data = Buffer.concat([block, block]);
    const compressed = deflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH });
    const { server } = negotiate();
    const result = await run(server, 'in', compressed.subarray(0, compressed.length - 4));
    expect(result.data.equals(data)).toBe(true);
  });

  it('returns results in order when many messages are in flight', async () => {
    const { client, server } = negotiate({ threshold: 0 });
    const inputs = Array.from({ length: 40 }, (_, i) => text(100 + i * 997, i));
    const sent = await Promise.all(inputs.map((data) => run(client, 'out', data)));
    const copies = sent.map((m) => Buffer.from(m.data));
    const received = await Promise.all(copies.map((data) => run(server, 'in', data)));
    received.forEach((message, i) => {
      expect(message.data.equals(inputs[i]!)).toBe(true);
    });
  });

  it('accepts a message that ends the DEFLATE stream (BFINAL) and starts afresh for the next', async () => {
    const { server } = negotiate();
    const data = text(3000);
    const finished = deflateRawSync(data); // Z_FINISH: the last block has BFINAL set
    for (let i = 0; i < 2; i++) {
      const result = await run(server, 'in', finished);
      expect(result.data.equals(data)).toBe(true);
    }
  });
});

describe('limits and failures', () => {
  const compress = (data: Buffer) => {
    const out = deflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH });
    return out.subarray(0, out.length - 4);
  };

  it('fails with too_large (1009) as soon as a message inflates past maxLength', async () => {
    const { server } = negotiate({}, {}, 64 * 1024);
    const error = await run(server, 'in', compress(Buffer.alloc(10 << 20))).catch((e: unknown) => e);
    expect(error).toMatchObject({ type: 'too_large', code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' });
    expect((error as Error).message).toContain('more than 65536 bytes once inflated');
  });

  it('delivers a message of exactly maxLength', async () => {
    const { server } = negotiate({}, {}, 64 * 1024);
    const result = await run(server, 'in', compress(Buffer.alloc(64 * 1024, 1)));
    expect(result.data.length).toBe(64 * 1024);
  });

  it('fails with protocol_error (1002) on data that is not DEFLATE', async () => {
    const { server } = negotiate();
    const error = await run(server, 'in', Buffer.from([0xff, 0xff, 0xff, 0xff])).catch((e: unknown) => e);
    expect(error).toMatchObject({ type: 'protocol_error' });
    expect((error as Error).message).toMatch(/Invalid compressed data/);
  });

  it('makes the Connection close with 1009 and 1002, through websocket-extensions', async () => {
    for (const [payload, code] of [
      [compress(Buffer.alloc(1 << 20)), 1009],
      [Buffer.from([0xff, 0xfe, 0xfd]), 1002],
    ] as const) {
      const { server } = negotiate({}, {}, 1000);
      const harness = new Harness(Role.Server, { extensions: server as never, maxLength: 1000 });
      harness.connection.receiveData(clientFrame(Opcode.Binary, payload, { rsv: 0x40 }));
      const deadline = Date.now() + 5000;
      while (!harness.events.some((e) => e.type === 'fail') && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 5));
      expect(harness.events).toContainEqual(expect.objectContaining({ type: 'fail', closeCode: code }));
      const frames = readFrames(Buffer.concat(harness.connection.takeOutgoing()));
      expect(frames.at(-1)?.payload.readUInt16BE(0)).toBe(code);
    }
  });

  it('answers queued messages with an error when closed, and refuses later ones', async () => {
    const { client } = negotiate({ threshold: 0 });
    const session = permessageDeflate({ threshold: 0, sharedCompressor: false }).createClientSession()!;
    session.generateOffer();
    session.activate({});
    const pending = [run(session, 'out', text(50_000)), run(session, 'out', text(50_000))];
    session.close?.();
    for (const result of await Promise.allSettled(pending)) expect(result.status).toBe('rejected');
    await expect(run(session, 'out', text(5000))).rejects.toThrow('closed');
    await expect(run(client, 'out', text(5000))).resolves.toMatchObject({ rsv1: true });
  });

  it('closing a session leaves the shared compressor working for the others', async () => {
    const session = permessageDeflate({ threshold: 0 }).createClientSession()!;
    session.generateOffer();
    session.activate({});
    const other = negotiate({ threshold: 0 });
    const pending = run(session, 'out', text(50_000));
    session.close?.();
    // Its message was already with zlib: it completes; the next is refused.
    await expect(pending).resolves.toMatchObject({ rsv1: true });
    await expect(run(session, 'out', text(5000))).rejects.toThrow('closed');
    await roundTrip(other.client, other.server, text(5000));
  });

  it('a decompression bomb on a shared inflater fails only its own message', async () => {
    const small = negotiate({ clientNoContextTakeover: true }, {}, 64 * 1024);
    const large = negotiate({ clientNoContextTakeover: true }, {}, 1 << 20);
    const bomb = run(small.server, 'in', compress(Buffer.alloc(10 << 20))).catch((e: unknown) => e);
    const fine = run(large.server, 'in', compress(Buffer.alloc(512 * 1024, 7)));
    expect(await bomb).toMatchObject({ type: 'too_large' });
    expect((await fine).data.length).toBe(512 * 1024);
    // The failed session is done (its pipeline stops); later sessions, on either pooled
    // inflater, still inflate.
    for (let i = 0; i < 2; i++) {
      const again = negotiate({ clientNoContextTakeover: true }, {}, 64 * 1024);
      await roundTrip(again.client, again.server, text(5000, i));
    }
  });
});

describe('zlib streams: lazy, reused, released', () => {
  it('creates none until a compressed message needs one', async () => {
    const handles = await countZlibHandles(async () => {
      const { client, server } = negotiate();
      await roundTrip(client, server, Buffer.from('under the threshold'));
    });
    expect(handles).toBe(0);
  });

  it('with compressors of their own and context takeover: one per direction, reused', async () => {
    for (const options of [{ sharedCompressor: false }]) {
      const handles = await countZlibHandles(async () => {
        const { client, server } = negotiate(options, options);
        for (let i = 0; i < 5; i++) {
          await roundTrip(client, server, text(5000, i));
          await roundTrip(server, client, text(5000, i));
        }
      });
      expect(handles).toBe(4);
    }
  });

  it('shared: many sessions make no zlib stream of their own', async () => {
    const agreed = { clientNoContextTakeover: true, serverNoContextTakeover: true };
    // Enough sessions to fill every slot of the pool (sessions take slots round-robin).
    for (let i = 0; i < 8; i++) {
      const warm = negotiate(agreed, agreed);
      await roundTrip(warm.client, warm.server, text(5000));
      await roundTrip(warm.server, warm.client, text(5000));
    }
    // The pool now holds its codecs per direction and settings; 20 more sessions add none.
    const handles = await countZlibHandles(async () => {
      for (let i = 0; i < 20; i++) {
        const { client, server } = negotiate(agreed, agreed);
        await roundTrip(client, server, text(5000, i));
        await roundTrip(server, client, text(5000, i));
      }
    });
    expect(handles).toBe(0);
  });
});
