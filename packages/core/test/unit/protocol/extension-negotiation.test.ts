import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import Extensions from 'websocket-extensions';
import { ErrorCode, HandshakeError } from '../../../src/errors.js';
import type {
  ClientExtensionSession,
  Extension,
  ExtensionMessage,
  ExtensionParams,
  ExtensionPipeline,
  ServerExtensionSession,
} from '../../../src/protocol/extension.js';
import {
  ClientExtensionNegotiation,
  checkExtensionPlugins,
  MAX_OFFERS_PER_EXTENSION,
  negotiateServerExtensions,
} from '../../../src/protocol/extension-negotiation.js';

// npm permessage-deflate ships no types: it is the faye plugin users pass today, used as is.
type Configurable = Extension & { configure(options: object): Extension };
const pmd = createRequire(import.meta.url)('permessage-deflate') as Configurable;

function run(pipeline: ExtensionPipeline, direction: 'in' | 'out', message: ExtensionMessage) {
  return new Promise<ExtensionMessage>((resolve, reject) => {
    const method = direction === 'in' ? 'processIncomingMessage' : 'processOutgoingMessage';
    pipeline[method](message, (error, result) => (error ? reject(error) : resolve(result!)));
  });
}

function closePipeline(pipeline: ExtensionPipeline | null) {
  return new Promise<void>((resolve) => (pipeline ? pipeline.close(resolve) : resolve()));
}

function text(data: string): ExtensionMessage {
  return { rsv1: false, rsv2: false, rsv3: false, opcode: 1, data: Buffer.from(data) };
}

/** A plugin that records what it is given and answers as told. */
function fakeExtension(
  name: string,
  behaviour: {
    rsv1?: boolean;
    offer?: ExtensionParams | ExtensionParams[] | null;
    accept?: (params: ExtensionParams) => boolean;
    response?: ExtensionParams;
    decline?: boolean;
    throwOnServer?: Error;
  } = {},
) {
  const seen: { offers: ExtensionParams[][]; activated: ExtensionParams[]; closed: number } = {
    offers: [],
    activated: [],
    closed: 0,
  };
  const session = {
    processIncomingMessage(
      message: ExtensionMessage,
      callback: (e: Error | null, m: ExtensionMessage) => void,
    ) {
      callback(null, { ...message, data: Buffer.from(`${message.data}<${name}`) });
    },
    processOutgoingMessage(
      message: ExtensionMessage,
      callback: (e: Error | null, m: ExtensionMessage) => void,
    ) {
      callback(null, { ...message, data: Buffer.from(`${message.data}>${name}`) });
    },
    close() {
      seen.closed++;
    },
  };
  const extension: Extension = {
    name,
    type: 'permessage',
    rsv1: behaviour.rsv1 ?? false,
    rsv2: false,
    rsv3: false,
    createClientSession(): ClientExtensionSession {
      return {
        ...session,
        generateOffer: () => (behaviour.offer === undefined ? {} : behaviour.offer),
        activate(params: ExtensionParams) {
          seen.activated.push(params);
          return behaviour.accept ? behaviour.accept(params) : true;
        },
      };
    },
    createServerSession(offers: ExtensionParams[]): ServerExtensionSession | null {
      seen.offers.push(offers);
      if (behaviour.throwOnServer) throw behaviour.throwOnServer;
      if (behaviour.decline) return null;
      return { ...session, generateResponse: () => behaviour.response ?? {} };
    },
  };
  return { extension, seen };
}

describe('permessage-deflate (RFC 7692) negotiated through websocket-extensions', () => {
  async function negotiate(clientOptions: object, serverOptions: object) {
    const client = new ClientExtensionNegotiation([pmd.configure(clientOptions)]);
    const server = negotiateServerExtensions([pmd.configure(serverOptions)], client.offer ?? undefined);
    const clientPipeline = client.activate(server.response ?? undefined);
    return {
      offer: client.offer,
      response: server.response,
      client: clientPipeline,
      server: server.pipeline,
    };
  }

  it('offers client_max_window_bits, accepts and compresses both ways', async () => {
    const result = await negotiate({}, {});
    expect(result.offer).toBe('permessage-deflate; client_max_window_bits');
    expect(result.response).toBe('permessage-deflate');
    const sent = await run(result.client!, 'out', text('Hello, hello, hello, hello'));
    expect(sent.rsv1).toBe(true);
    expect(sent.data.length).toBeLessThan(26);
    const received = await run(result.server!, 'in', sent);
    expect(received.data.toString()).toBe('Hello, hello, hello, hello');
    const back = await run(result.server!, 'out', text('echo'));
    expect((await run(result.client!, 'in', back)).data.toString()).toBe('echo');
    expect(
      result.client!.validFrameRsv({
        final: true,
        rsv1: true,
        rsv2: false,
        rsv3: false,
        opcode: 1,
        masked: true,
      }),
    ).toBe(true);
    expect(
      result.client!.validFrameRsv({
        final: true,
        rsv1: false,
        rsv2: true,
        rsv3: false,
        opcode: 1,
        masked: true,
      }),
    ).toBe(false);
    expect(
      result.client!.validFrameRsv({
        final: true,
        rsv1: true,
        rsv2: false,
        rsv3: false,
        opcode: 9,
        masked: true,
      }),
    ).toBe(false);
    await Promise.all([closePipeline(result.client), closePipeline(result.server)]);
  });

  it('negotiates the *_no_context_takeover flags', async () => {
    const result = await negotiate({ noContextTakeover: true, requestNoContextTakeover: true }, {});
    expect(result.offer).toBe(
      'permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover',
    );
    expect(result.response).toBe(
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover',
    );
    for (const word of ['one', 'two']) {
      const sent = await run(result.client!, 'out', text(word.repeat(10)));
      expect((await run(result.server!, 'in', sent)).data.toString()).toBe(word.repeat(10));
    }
    await Promise.all([closePipeline(result.client), closePipeline(result.server)]);
  });

  it('negotiates *_max_window_bits downwards', async () => {
    const result = await negotiate({ maxWindowBits: 10, requestMaxWindowBits: 11 }, { maxWindowBits: 9 });
    expect(result.offer).toBe('permessage-deflate; client_max_window_bits=10; server_max_window_bits=11');
    expect(result.response).toBe('permessage-deflate; server_max_window_bits=9; client_max_window_bits=10');
    const sent = await run(result.client!, 'out', text('windowed '.repeat(20)));
    expect((await run(result.server!, 'in', sent)).data.toString()).toBe('windowed '.repeat(20));
    await Promise.all([closePipeline(result.client), closePipeline(result.server)]);
  });

  it('fails the client when the server ignores a requested parameter', () => {
    const client = new ClientExtensionNegotiation([pmd.configure({ requestNoContextTakeover: true })]);
    expect(() => client.activate('permessage-deflate')).toThrow(
      'Server sent unacceptable extension parameters: permessage-deflate',
    );
    expect(() =>
      new ClientExtensionNegotiation([pmd]).activate('permessage-deflate; server_max_window_bits=20'),
    ).toThrow('Server sent unacceptable extension parameters: permessage-deflate; server_max_window_bits=20');
  });

  it('lets the server pick the first valid offer', () => {
    const server = negotiateServerExtensions(
      [pmd],
      'permessage-deflate; server_max_window_bits=20, permessage-deflate; server_max_window_bits=12',
    );
    expect(server.response).toBe('permessage-deflate; server_max_window_bits=12');
    return closePipeline(server.pipeline);
  });

  it('declines when no offer is valid', () => {
    const server = negotiateServerExtensions([pmd], 'permessage-deflate; server_max_window_bits=20');
    expect(server).toEqual({ response: null, pipeline: null });
  });
});

describe('checkExtensionPlugins', () => {
  const plugin = { ...pmd, name: 'x-plugin' };
  it.each([
    ['a name that is not a string', [{ ...plugin, name: 5 }]],
    ['a type other than permessage', [{ ...plugin, type: 'per-frame' }]],
    ['an rsv bit that is not a boolean', [{ ...plugin, rsv2: 1 }]],
    ['a name given twice', [plugin, { ...plugin }]],
  ])('refuses %s with the TypeError websocket-extensions throws when a handshake registers it', (_, list) => {
    // Checked without registering (cheaper per connection): the rules must stay the library's.
    const register = () => {
      const library = new Extensions();
      for (const extension of list) library.add(extension as Extension);
    };
    expect(register).toThrow(TypeError);
    const message = (() => {
      try {
        register();
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(() => checkExtensionPlugins(list as Extension[])).toThrow(new TypeError(message));
  });

  it('accepts what the library registers, and refuses what is not an object', () => {
    expect(() => checkExtensionPlugins([pmd, plugin])).not.toThrow();
    expect(() => checkExtensionPlugins([null as unknown as Extension])).toThrow(TypeError);
  });
});

describe('negotiateServerExtensions', () => {
  it('checks the header even with no plugin, and returns nothing to negotiate', () => {
    expect(negotiateServerExtensions([], 'permessage-deflate; x')).toEqual({
      response: null,
      pipeline: null,
    });
    expect(negotiateServerExtensions([], undefined)).toEqual({ response: null, pipeline: null });
    expect(() => negotiateServerExtensions([], 'x-webkit- -frame')).toThrow(HandshakeError);
  });

  it('answers a malformed header with a 400 HandshakeError', () => {
    const { extension } = fakeExtension('a');
    try {
      negotiateServerExtensions([extension], 'a; b="open');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(HandshakeError);
      expect((error as HandshakeError).code).toBe(ErrorCode.HandshakeInvalidRequest);
      expect((error as HandshakeError).statusCode).toBe(400);
      expect((error as HandshakeError).message).toBe('Invalid Sec-WebSocket-Extensions header: a; b="open');
    }
  });

  it('hands each plugin all its offers with their parameters, in header order', () => {
    const { extension, seen } = fakeExtension('a', { response: { mode: 'fast' } });
    const result = negotiateServerExtensions([extension], 'b; q, a; x=1; y="two words", a; x=2; x=3');
    expect(seen.offers).toEqual([[{ x: 1, y: 'two words' }, { x: [2, 3] }]]);
    expect(result.response).toBe('a; mode=fast');
    expect(result.pipeline).not.toBeNull();
  });

  it('answers in registration order, not the client order, and skips RSV conflicts', async () => {
    const a = fakeExtension('a', { rsv1: true });
    const b = fakeExtension('b', { rsv1: true });
    const c = fakeExtension('c');
    const result = negotiateServerExtensions([c.extension, b.extension, a.extension], 'a, b, c');
    expect(result.response).toBe('c, b');
    expect(a.seen.offers).toEqual([]);
    const out = await run(result.pipeline!, 'out', text('m'));
    expect(out.data.toString()).toBe('m>c>b');
    const back = await run(result.pipeline!, 'in', text('m'));
    expect(back.data.toString()).toBe('m<b<c');
  });

  it('offers an RSV bit to the next plugin when the first declines', () => {
    const a = fakeExtension('a', { rsv1: true, decline: true });
    const b = fakeExtension('b', { rsv1: true });
    expect(negotiateServerExtensions([a.extension, b.extension], 'a, b').response).toBe('b');
  });

  it('returns no pipeline when every plugin declines or none was offered', () => {
    const a = fakeExtension('a', { decline: true });
    expect(negotiateServerExtensions([a.extension], 'a')).toEqual({ response: null, pipeline: null });
    expect(negotiateServerExtensions([a.extension], 'z')).toEqual({ response: null, pipeline: null });
  });

  it(`considers at most ${MAX_OFFERS_PER_EXTENSION} offers per extension`, () => {
    const { extension, seen } = fakeExtension('a');
    negotiateServerExtensions([extension], Array.from({ length: 100 }, (_, i) => `a; n=${i}`).join(', '));
    expect(seen.offers[0]).toHaveLength(MAX_OFFERS_PER_EXTENSION);
    expect(seen.offers[0]![MAX_OFFERS_PER_EXTENSION - 1]).toEqual({ n: MAX_OFFERS_PER_EXTENSION - 1 });
  });

  it('turns a plugin exception into a 400, keeping the cause', () => {
    const boom = new Error('zlib exploded');
    const { extension } = fakeExtension('a', { throwOnServer: boom });
    try {
      negotiateServerExtensions([extension], 'a');
      expect.unreachable();
    } catch (error) {
      expect((error as HandshakeError).statusCode).toBe(400);
      expect((error as HandshakeError).message).toBe('Extension negotiation failed');
      expect((error as HandshakeError).cause).toBe(boom);
    }
  });

  it('throws TypeError for an invalid plugin or a duplicate name', () => {
    const bad = { ...fakeExtension('a').extension, type: 'permanent' } as unknown as Extension;
    expect(() => negotiateServerExtensions([bad], 'a')).toThrow(TypeError);
    const a = fakeExtension('a').extension;
    expect(() => negotiateServerExtensions([a, a], 'a')).toThrow(
      'An extension with name "a" is already registered',
    );
  });

  it('passes maxLength to the plugins as websocket-extensions does', () => {
    let options: unknown;
    const extension: Extension = {
      ...fakeExtension('a').extension,
      createServerSession(_offers, given) {
        options = given;
        return null;
      },
    };
    negotiateServerExtensions([extension], 'a', 1234);
    expect(options).toEqual({ maxLength: 1234 });
  });

  it('negotiates a 1 MiB header of offers in one scan', () => {
    const { extension, seen } = fakeExtension('permessage-deflate');
    const header = `${'x-unknown; a=1; b="c d", '.repeat(20_000)}${'permessage-deflate; q, '.repeat(20_000)}z`;
    const started = performance.now();
    const result = negotiateServerExtensions([extension], header);
    expect(result.response).toBe('permessage-deflate');
    expect(seen.offers[0]).toHaveLength(MAX_OFFERS_PER_EXTENSION);
    console.log(`${header.length} byte offer negotiated in ${(performance.now() - started).toFixed(1)} ms`);
  });
});

describe('ClientExtensionNegotiation', () => {
  it('makes no offer without plugins and accepts no response', () => {
    const client = new ClientExtensionNegotiation([]);
    expect(client.offer).toBeNull();
    expect(client.activate(undefined)).toBeNull();
    expect(client.activate('')).toBeNull();
    expect(() => client.activate('permessage-deflate')).toThrow(
      'Server sent an extension response for unknown extension "permessage-deflate"',
    );
  });

  it('offers every plugin in order, several offers joined', () => {
    const a = fakeExtension('a', { offer: [{ mode: 'compress' }, {}] });
    const b = fakeExtension('b', { offer: null });
    const c = fakeExtension('c', { offer: { x: 'two words' } });
    const client = new ClientExtensionNegotiation([a.extension, b.extension, c.extension]);
    expect(client.offer).toBe('a; mode=compress, a, c; x="two words"');
  });

  it('returns null when the server accepts nothing', () => {
    const client = new ClientExtensionNegotiation([fakeExtension('a').extension]);
    expect(client.activate(undefined)).toBeNull();
  });

  it('activates the responses with their parameters, in the server order', async () => {
    const a = fakeExtension('a');
    const b = fakeExtension('b');
    const client = new ClientExtensionNegotiation([a.extension, b.extension]);
    const pipeline = client.activate('b; x="1 2", a; y')!;
    expect(b.seen.activated).toEqual([{ x: '1 2' }]);
    expect(a.seen.activated).toEqual([{ y: true }]);
    expect((await run(pipeline, 'out', text('m'))).data.toString()).toBe('m>b>a');
    await closePipeline(pipeline);
    expect(a.seen.closed + b.seen.closed).toBe(2);
  });

  it.each([
    ['an extension never offered', 'z', 'Server sent an extension response for unknown extension "z"'],
    [
      'an extension whose plugin made no offer',
      'n',
      'Server sent an extension response for unknown extension "n"',
    ],
    ['the same extension twice', 'a, a', 'Server sent two extension responses for "a"'],
    [
      'two extensions on RSV1',
      'a, r',
      'Server sent two extension responses that use the RSV1 bit: "a" and "r"',
    ],
    ['parameters the plugin refuses', 'a; bad', 'Server sent unacceptable extension parameters: a; bad'],
    ['a malformed header', 'a;', 'Invalid Sec-WebSocket-Extensions header: a;'],
  ])('fails on %s', (_name, header, message) => {
    const client = new ClientExtensionNegotiation([
      fakeExtension('a', { rsv1: true, accept: (params) => !('bad' in params) }).extension,
      fakeExtension('r', { rsv1: true }).extension,
      fakeExtension('n', { offer: null }).extension,
    ]);
    expect(() => client.activate(header)).toThrow(message);
  });

  it('ignores plugins that create no client session', () => {
    const extension: Extension = { ...fakeExtension('a').extension, createClientSession: () => null };
    const client = new ClientExtensionNegotiation([extension]);
    expect(client.offer).toBeNull();
    expect(() => client.activate('a')).toThrow('unknown extension "a"');
  });
});
