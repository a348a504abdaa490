import type { Socket } from 'node:net';
import type {
  ClientHandshakeScript,
  ConformanceCase,
  Outcome,
  RunSettings,
  ServerHandshakeScript,
} from '../case.js';
import { encodeFrame, Opcode } from '../frame.js';
import {
  acceptFor,
  checkSwitchingProtocols,
  type HttpHead,
  newKey,
  openTcp,
  readHead,
  requestHead,
  standardHeaders,
  statusOf,
} from '../handshake.js';
import { RawPeer } from '../raw-peer.js';
import { play } from '../runner.js';
import { text } from '../trace.js';

type Headers = Array<readonly [string, string]>;
const fail = (reason: string): Outcome => ({ verdict: 'fail', reason });
const pass = (reason: string): Outcome => ({ verdict: 'pass', reason });

/** After a successful handshake: a text message must be echoed and the close must be clean. */
function echoCheck(
  socket: Socket,
  rest: Buffer,
  role: 'client' | 'server',
  settings: RunSettings,
  preSent: boolean,
) {
  const peer = new RawPeer(socket, { role, codec: null, closeTimeoutMs: settings.closeTimeoutMs }, rest);
  return play(
    peer,
    {
      id: 'handshake',
      description: '',
      run: preSent ? undefined : ({ peer: p }) => p.sendFrames({ opcode: Opcode.Text, payload: 'hello' }),
      expect: { ok: [text('hello')] },
    } as ConformanceCase,
    role === 'client' ? 'server' : 'client',
    settings,
  );
}

/** Server mode: write `request` (chopped as asked), read the reply. */
async function ask(port: number, request: Buffer, settings: RunSettings, chop = 0) {
  const socket = await openTcp(port);
  socket.on('error', () => {});
  if (chop) {
    for (let i = 0; i < request.length; i += chop) {
      await new Promise<void>((resolve) => socket.write(request.subarray(i, i + chop), () => resolve()));
      await new Promise((r) => setTimeout(r, 1));
    }
  } else socket.write(request);
  const reply = await readHead(socket, settings.closeTimeoutMs * 2);
  return { socket, reply };
}

/** A request the server must accept; `check` may add requirements on the 101 response. */
function accepted(
  headers: (port: number, key: string) => Headers,
  options: {
    chop?: number;
    frameWithRequest?: boolean;
    check?: (head: HttpHead) => string | null;
    /** A 4xx here is allowed but less than ideal (the RFC asks to decline an offer, not the connection). */
    refusalIsNonStrict?: string;
  } = {},
): ServerHandshakeScript {
  return async (port, settings) => {
    const key = newKey();
    let request = requestHead('/', headers(port, key));
    if (options.frameWithRequest)
      request = Buffer.concat([request, encodeFrame({ opcode: Opcode.Text, payload: 'hello' }, true)]);
    const { socket, reply } = await ask(port, request, settings, options.chop);
    try {
      if (!reply) return fail('no complete HTTP response');
      const status = statusOf(reply.head);
      if (options.refusalIsNonStrict && status >= 400 && status < 500)
        return { verdict: 'non-strict', reason: `refused with ${status}: ${options.refusalIsNonStrict}` };
      const wrong = checkSwitchingProtocols(reply.head, key) ?? options.check?.(reply.head) ?? null;
      if (wrong) return fail(wrong);
      return await echoCheck(socket, reply.rest, 'client', settings, options.frameWithRequest === true);
    } finally {
      socket.destroy();
    }
  };
}

/** A request the server must refuse with one of `statuses` (other 4xx: non-strict). */
function refused(
  headers: (port: number, key: string) => Headers,
  statuses: number[],
  options: { method?: string; check?: (head: HttpHead) => string | null } = {},
): ServerHandshakeScript {
  return async (port, settings) => {
    let request = requestHead('/', headers(port, newKey()));
    if (options.method)
      request = Buffer.from(request.toString('latin1').replace(/^GET/, options.method), 'latin1');
    const { socket, reply } = await ask(port, request, settings);
    try {
      if (!reply)
        return fail('no HTTP response: the connection was dropped or left hanging without a status');
      const status = statusOf(reply.head);
      if (status === 101) return fail('the server switched protocols on an invalid request');
      if (statuses.includes(status)) {
        const wrong = options.check?.(reply.head);
        if (wrong) return { verdict: 'non-strict', reason: `${status} but ${wrong}` };
        return pass(`refused with ${status}`);
      }
      if (status >= 400 && status < 500)
        return { verdict: 'non-strict', reason: `refused with ${status}, expected ${statuses.join(' or ')}` };
      return fail(`answered "${reply.head.startLine}", expected ${statuses.join(' or ')}`);
    } finally {
      socket.destroy();
    }
  };
}

const std =
  (extra: Headers = []) =>
  (port: number, key: string) =>
    standardHeaders(port, key, extra);
const without = (name: string) => (port: number, key: string) =>
  standardHeaders(port, key).filter(([k]) => k.toLowerCase() !== name.toLowerCase());
const replace = (name: string, value: string) => (port: number, key: string) =>
  standardHeaders(port, key).map(
    ([k, v]) => [k, k.toLowerCase() === name.toLowerCase() ? value : v] as const,
  );

const noHeader = (name: string) => (head: HttpHead) =>
  head.headers.has(name) ? `unexpected ${name}: ${head.headers.get(name)}` : null;

/** Client mode: answer the opening request with `response` and expect the client to go on. */
function clientAccepts(chop: number, frameWithResponse: boolean): ClientHandshakeScript {
  return async (socket, request, _rest, _finished, settings) => {
    const key = request.headers.get('sec-websocket-key') ?? '';
    let response = Buffer.from(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`,
    );
    if (frameWithResponse)
      response = Buffer.concat([response, encodeFrame({ opcode: Opcode.Text, payload: 'hello' }, false)]);
    if (chop) {
      for (let i = 0; i < response.length; i += chop) {
        await new Promise<void>((resolve) => socket.write(response.subarray(i, i + chop), () => resolve()));
        await new Promise((r) => setTimeout(r, 1));
      }
    } else socket.write(response);
    const peer = new RawPeer(
      socket,
      { role: 'server', codec: null, closeTimeoutMs: settings.closeTimeoutMs },
      Buffer.alloc(0),
    );
    return play(
      peer,
      {
        id: 'handshake',
        description: '',
        run: frameWithResponse
          ? undefined
          : ({ peer: p }) => p.sendFrames({ opcode: Opcode.Text, payload: 'hello' }),
        expect: { ok: [text('hello')] },
      } as ConformanceCase,
      'client',
      settings,
    );
  };
}

/**
 * Client mode: answer with a response the client must reject ("the client MUST _Fail the
 * WebSocket Connection_", RFC 6455 §4.1), followed by a text frame it must not echo.
 */
function clientRejects(response: (key: string) => string): ClientHandshakeScript {
  return async (socket, request, _rest, _finished, settings) => {
    const key = request.headers.get('sec-websocket-key') ?? '';
    const received: Buffer[] = [];
    socket.on('data', (c: Buffer) => received.push(c));
    socket.resume();
    const closed = new Promise<boolean>((resolve) => {
      socket.once('close', () => resolve(true));
      setTimeout(() => resolve(false), settings.closeTimeoutMs * 2);
    });
    socket.on('end', () => socket.end());
    socket.write(
      Buffer.concat([
        Buffer.from(response(key), 'latin1'),
        encodeFrame({ opcode: Opcode.Text, payload: 'hello' }, false),
      ]),
    );
    const wasClosed = await closed;
    const data = Buffer.concat(received);
    if (data.length > 0 && (data[0]! & 0x0f) === Opcode.Text)
      return fail('the client accepted the handshake and echoed a frame');
    if (!wasClosed) return fail('the client did not fail the connection (TCP still open)');
    if (data.length > 0 && (data[0]! & 0x0f) !== Opcode.Close)
      return fail('the client sent data after a bad handshake');
    return pass('the client failed the connection');
  };
}

const ok101 = (key: string, extra = '') =>
  `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n${extra}\r\n`;

const SERVER: readonly ['server'] = ['server'];
const CLIENT: readonly ['client'] = ['client'];

/** Category 0: the opening handshake, both ends. @see RFC 6455 §4 */
export const handshakeCases: ConformanceCase[] = [
  {
    id: '0.1.1',
    description:
      'A valid opening handshake: expect 101 with the right Sec-WebSocket-Accept and a working connection.',
    modes: SERVER,
    handshake: { server: accepted(std(), { check: noHeader('sec-websocket-protocol') }) },
  },
  {
    id: '0.1.2',
    description: 'The request written octet by octet: expect 101 and a working connection.',
    modes: SERVER,
    handshake: { server: accepted(std(), { chop: 1 }) },
  },
  {
    id: '0.1.3',
    description: 'A text frame in the same TCP packet as the request: expect 101, then the frame echoed.',
    modes: SERVER,
    handshake: { server: accepted(std(), { frameWithRequest: true }) },
  },
  {
    id: '0.1.4',
    description:
      'Connection: keep-alive, Upgrade and Upgrade: WebSocket (token list, other case): expect 101.',
    modes: SERVER,
    handshake: {
      server: accepted((port, key) =>
        standardHeaders(port, key).map(([k, v]) =>
          k === 'Connection'
            ? ([k, 'keep-alive, Upgrade'] as const)
            : k === 'Upgrade'
              ? ([k, 'WebSocket'] as const)
              : ([k, v] as const),
        ),
      ),
    },
  },
  {
    id: '0.1.5',
    description:
      'Lower-case header names plus Origin, User-Agent and an unknown extension offer: expect 101 without extensions.',
    modes: SERVER,
    handshake: {
      server: accepted(
        (port, key) => [
          ...standardHeaders(port, key).map(([k, v]) => [k.toLowerCase(), v] as const),
          ['origin', 'http://127.0.0.1'],
          ['user-agent', 'sockeye-conformance'],
          ['sec-websocket-extensions', 'x-webkit-deflate-frame'],
        ],
        { check: noHeader('sec-websocket-extensions') },
      ),
    },
  },
  {
    id: '0.2.1',
    description: 'No Sec-WebSocket-Key: expect 400.',
    modes: SERVER,
    handshake: { server: refused(without('Sec-WebSocket-Key'), [400]) },
  },
  {
    id: '0.2.2',
    description: 'A Sec-WebSocket-Key that is not 16 bytes in base64: expect 400.',
    modes: SERVER,
    handshake: { server: refused(replace('Sec-WebSocket-Key', 'abc'), [400]) },
  },
  {
    id: '0.2.3',
    description: 'Two Sec-WebSocket-Key headers: expect 400.',
    modes: SERVER,
    handshake: { server: refused(std([['Sec-WebSocket-Key', newKey()]]), [400]) },
  },
  {
    id: '0.2.4',
    description: 'No Sec-WebSocket-Version: expect 400 or 426.',
    modes: SERVER,
    handshake: { server: refused(without('Sec-WebSocket-Version'), [400, 426]) },
  },
  {
    id: '0.2.5',
    description:
      'Sec-WebSocket-Version: 7 (an old draft): expect 426 Upgrade Required with Sec-WebSocket-Version: 13.',
    modes: SERVER,
    handshake: {
      server: refused(replace('Sec-WebSocket-Version', '7'), [426], {
        check: (head) =>
          /\b13\b/.test(head.headers.get('sec-websocket-version') ?? '')
            ? null
            : 'no Sec-WebSocket-Version: 13 in the reply',
      }),
    },
  },
  {
    id: '0.2.6',
    description:
      'A POST request with the upgrade headers: "the method of the request MUST be GET": expect 400 (or 405).',
    modes: SERVER,
    handshake: { server: refused(std([['Content-Length', '0']]), [400, 405], { method: 'POST' }) },
  },
  {
    id: '0.2.7',
    description: 'Upgrade: h2c instead of websocket: expect 400.',
    modes: SERVER,
    handshake: { server: refused(replace('Upgrade', 'h2c'), [400]) },
  },
  {
    id: '0.3.1',
    description:
      'Subprotocols "foo, echo" offered, the server speaks "echo": expect Sec-WebSocket-Protocol: echo.',
    modes: SERVER,
    handshake: {
      server: accepted(std([['Sec-WebSocket-Protocol', 'foo, echo']]), {
        check: (head) =>
          head.headers.get('sec-websocket-protocol') === 'echo'
            ? null
            : `Sec-WebSocket-Protocol is ${head.headers.get('sec-websocket-protocol') ?? 'missing'}`,
      }),
    },
  },
  {
    id: '0.3.2',
    description: 'Only the unknown subprotocol "foo" offered: expect 101 without Sec-WebSocket-Protocol.',
    modes: SERVER,
    handshake: {
      server: accepted(std([['Sec-WebSocket-Protocol', 'foo']]), {
        check: noHeader('sec-websocket-protocol'),
      }),
    },
  },
  {
    id: '0.4.1',
    description:
      'permessage-deflate offered with an unknown parameter: the offer must be declined (101 without it).',
    modes: SERVER,
    handshake: {
      server: accepted(std([['Sec-WebSocket-Extensions', 'permessage-deflate; foo=bar']]), {
        check: noHeader('sec-websocket-extensions'),
        refusalIsNonStrict: 'RFC 7692 §7 says to decline the offer, not the connection',
      }),
    },
  },
  {
    id: '0.4.2',
    description:
      'permessage-deflate offered with server_max_window_bits=7 (out of range): the offer must be declined.',
    modes: SERVER,
    handshake: {
      server: accepted(std([['Sec-WebSocket-Extensions', 'permessage-deflate; server_max_window_bits=7']]), {
        check: noHeader('sec-websocket-extensions'),
        refusalIsNonStrict: 'RFC 7692 §7 says to decline the offer, not the connection',
      }),
    },
  },
  {
    id: '0.5.1',
    description: 'The 101 response written octet by octet: expect the client to open and echo.',
    modes: CLIENT,
    handshake: { client: clientAccepts(1, false) },
  },
  {
    id: '0.5.2',
    description: 'A text frame in the same TCP packet as the 101 response: expect it echoed.',
    modes: CLIENT,
    handshake: { client: clientAccepts(0, true) },
  },
  {
    id: '0.6.1',
    description: 'A wrong Sec-WebSocket-Accept: the client must fail the connection.',
    modes: CLIENT,
    handshake: {
      client: clientRejects(
        () =>
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor('x')}\r\n\r\n`,
      ),
    },
  },
  {
    id: '0.6.2',
    description: 'Status 200 instead of 101: the client must fail the connection.',
    modes: CLIENT,
    handshake: { client: clientRejects(() => 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n') },
  },
  {
    id: '0.6.3',
    description: 'No Upgrade header in the 101 response: the client must fail the connection.',
    modes: CLIENT,
    handshake: {
      client: clientRejects(
        (key) =>
          `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`,
      ),
    },
  },
  {
    id: '0.6.4',
    description: 'No Connection header in the 101 response: the client must fail the connection.',
    modes: CLIENT,
    handshake: {
      client: clientRejects(
        (key) =>
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`,
      ),
    },
  },
  {
    id: '0.6.5',
    description: 'A Sec-WebSocket-Protocol the client did not ask for: the client must fail the connection.',
    modes: CLIENT,
    handshake: { client: clientRejects((key) => ok101(key, 'Sec-WebSocket-Protocol: chat\r\n')) },
  },
  {
    id: '0.6.6',
    description:
      'A Sec-WebSocket-Extensions value the client did not offer: the client must fail the connection.',
    modes: CLIENT,
    handshake: { client: clientRejects((key) => ok101(key, 'Sec-WebSocket-Extensions: x-foo\r\n')) },
  },
];
