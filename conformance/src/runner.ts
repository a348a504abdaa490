import { createServer, type Server, type Socket } from 'node:net';
import {
  type CaseContext,
  type ConformanceCase,
  categoryOf,
  type Mode,
  NORMAL_CLOSE,
  type Outcome,
  type RunSettings,
  Verdict,
} from './case.js';
import { acceptResponse, answerOffers, DeflateCodec, formatOffers, parseExtensions } from './deflate.js';
import {
  acceptFor,
  checkSwitchingProtocols,
  type HttpHead,
  hasToken,
  newKey,
  openTcp,
  readHead,
  requestHead,
  standardHeaders,
} from './handshake.js';
import { RawPeer } from './raw-peer.js';
import type { Subject } from './subject.js';
import { describeTrace, sameTrace } from './trace.js';

/** One case's result for one subject in one mode. */
export interface CaseResult {
  id: string;
  category: string;
  subject: string;
  mode: Mode;
  verdict: Verdict;
  reason: string;
  ms: number;
}

/** The defaults of {@link RunSettings}, sized for a CI run on loopback. */
export const DEFAULT_SETTINGS: RunSettings = {
  waitMs: 500,
  closeTimeoutMs: 2000,
  deflateMessages: 50,
  roundTrips: 1000,
  maxMessageSize: 16 * 2 ** 20,
};

const RANK: Record<Verdict, number> = { pass: 0, informational: 0, 'non-strict': 1, fail: 2 };

function worst(a: Outcome, b: Outcome): Outcome {
  if (a.verdict === 'fail' && b.verdict === 'fail')
    return { verdict: Verdict.Fail, reason: `${a.reason}; ${b.reason}` };
  return RANK[b.verdict] > RANK[a.verdict] ? b : a;
}

const fail = (reason: string): Outcome => ({ verdict: Verdict.Fail, reason });

/**
 * Drives one open connection through a frame case and judges it the way Autobahn's `Case` does:
 * the trace against the accepted traces (behaviour), then how the connection ended (close).
 */
export async function play(
  peer: RawPeer,
  c: ConformanceCase,
  mode: Mode,
  settings: RunSettings,
): Promise<Outcome> {
  const expect = c.expect ?? { ok: [] };
  const close = c.close ?? NORMAL_CLOSE;
  let decided: Outcome | null = null;
  let scriptDone = false;
  let killed = false;

  // Autobahn's finishWhenDone: once the trace is what we wanted, start the closing handshake.
  const maybeClose = () => {
    if (!scriptDone || c.suppressClose || !close.closedByMe || peer.closeSent || !peer.isOpen) return;
    if (decided !== null || sameTrace(peer.trace, expect.ok)) void peer.sendClose(close.codes[0]);
  };
  const off = peer.onChange(maybeClose);

  const ctx: CaseContext = {
    peer,
    mode,
    settings,
    checkpoint: (label, ms) =>
      new Promise((resolve) => {
        const done = () => {
          stop();
          clearTimeout(timer);
          const open = peer.isOpen && !peer.closeReceived && !peer.closeSent;
          if (open) peer.record({ kind: 'timeout', label });
          resolve(open);
        };
        const stop = peer.onChange(() => {
          if (!peer.isOpen || peer.closeReceived) done();
        });
        const timer = setTimeout(done, ms);
      }),
    waitForEvents: (count, ms) =>
      new Promise((resolve) => {
        if (peer.trace.length >= count || !peer.isOpen) return resolve(peer.trace.length >= count);
        const timer = setTimeout(() => {
          stop();
          resolve(false);
        }, ms);
        const stop = peer.onChange(() => {
          if (peer.trace.length >= count || !peer.isOpen || peer.closeReceived) {
            stop();
            clearTimeout(timer);
            resolve(peer.trace.length >= count);
          }
        });
      }),
    decide: (verdict, reason) => {
      decided = { verdict, reason };
    },
  };

  try {
    await c.run?.(ctx);
  } catch (error) {
    decided = fail(`the case script threw: ${(error as Error).message}`);
  }
  scriptDone = true;
  maybeClose();
  // Autobahn's killAfter / closeAfter: the subject had its chance.
  const patience = setTimeout(
    () => {
      if (!peer.isOpen || peer.closeSent) return;
      if (close.closedByMe) void peer.sendClose(close.codes[0]);
      else {
        killed = true;
        peer.drop();
      }
    },
    (c.patience ?? 2) * settings.waitMs,
  );
  await peer.closed;
  clearTimeout(patience);
  off();

  let behavior: Outcome;
  if (peer.violation !== null) behavior = fail(`the subject sent ${peer.violation}`);
  else if (decided !== null) behavior = decided;
  else if (sameTrace(peer.trace, expect.ok))
    behavior = { verdict: Verdict.Pass, reason: 'events as expected' };
  else if (expect.nonStrict && sameTrace(peer.trace, expect.nonStrict))
    behavior = {
      verdict: Verdict.NonStrict,
      reason: `accepted but not strict: expected ${describeTrace(expect.ok)}, observed ${describeTrace(peer.trace)}`,
    };
  else behavior = fail(`expected ${describeTrace(expect.ok)}, observed ${describeTrace(peer.trace)}`);

  let ending: Outcome = { verdict: Verdict.Pass, reason: 'closed properly' };
  const codes = close.codes.join(' or ');
  if (killed)
    ending = fail(`the subject did not fail the connection within ${(c.patience ?? 2) * settings.waitMs} ms`);
  else if (close.closedByMe !== peer.closedByMe)
    ending = fail(
      close.closedByMe
        ? `the subject closed the connection itself (code ${peer.remoteCloseCode ?? 'none'}), expected it to echo and wait for our close`
        : 'the subject did not fail the connection; the suite had to close it',
    );
  else if (close.requireClean && !(peer.closeSent && peer.closeReceived))
    ending = fail(
      `unclean close: ${peer.closeReceived ? '' : 'no close frame from the subject'}${peer.closeSent ? '' : ' no close frame sent by the suite'}`.trim(),
    );
  else if (peer.remoteCloseCode !== null && !close.codes.includes(peer.remoteCloseCode))
    ending = fail(`wrong close code ${peer.remoteCloseCode}, expected ${codes}`);
  else if (mode === 'server' && peer.droppedByMe)
    ending = fail('the server did not close TCP after the closing handshake; the suite had to drop it');

  if (
    close.closedByWrongEndpointIsFatal &&
    close.closedByMe !== peer.closedByMe &&
    behavior.verdict !== 'fail'
  )
    behavior = fail(`${ending.reason} (the subject did not detect the error)`);
  const result = worst(behavior, ending);
  if (c.informational)
    return { verdict: Verdict.Informational, reason: `${behavior.reason}; ${ending.reason}` };
  return result;
}

/** Runs one case against a running server subject. */
export async function runServerCase(
  c: ConformanceCase,
  port: number,
  settings: RunSettings,
): Promise<Outcome> {
  if (c.handshake?.server) return c.handshake.server(port, settings);
  let socket: Socket;
  try {
    socket = await openTcp(port);
  } catch (error) {
    return fail(`cannot connect: ${(error as Error).message}`);
  }
  try {
    const key = newKey();
    const extra: Array<readonly [string, string]> = [];
    if (c.deflate) extra.push(['Sec-WebSocket-Extensions', formatOffers(c.deflate.offers)]);
    socket.write(requestHead(`/case/${c.id}`, standardHeaders(port, key, extra)));
    const reply = await readHead(socket, settings.closeTimeoutMs * 2);
    if (!reply) return fail('no complete HTTP response to a valid opening handshake');
    const wrong = checkSwitchingProtocols(reply.head, key);
    if (wrong) return fail(`opening handshake: ${wrong}`);
    let codec: DeflateCodec | null = null;
    const extHeader = reply.head.headers.get('sec-websocket-extensions');
    if (c.deflate) {
      if (!extHeader)
        return fail('permessage-deflate was offered but not accepted (Autobahn: UNIMPLEMENTED)');
      const elements = parseExtensions(extHeader);
      if (!elements) return fail(`malformed Sec-WebSocket-Extensions: ${extHeader}`);
      const agreement = acceptResponse(elements, c.deflate.offers);
      if (typeof agreement === 'string') return fail(`permessage-deflate response: ${agreement}`);
      codec = new DeflateCodec(agreement);
    } else if (extHeader) {
      return fail(`the server accepted an extension nobody offered: ${extHeader}`);
    }
    const peer = new RawPeer(
      socket,
      { role: 'client', codec, closeTimeoutMs: settings.closeTimeoutMs },
      reply.rest,
    );
    return await play(peer, c, 'server', settings);
  } finally {
    socket.destroy();
  }
}

/** Checks a client's opening request as a server must. @see RFC 6455 §4.2.1 */
export function checkClientRequest(head: HttpHead): string | null {
  if (!/^GET \S+ HTTP\/1\.1$/.test(head.startLine)) return `bad request line "${head.startLine}"`;
  const h = head.headers;
  if (!h.get('host')) return 'no Host header';
  if (!hasToken(h.get('upgrade'), 'websocket')) return 'no "Upgrade: websocket"';
  if (!hasToken(h.get('connection'), 'upgrade')) return 'no "Connection: Upgrade"';
  if (h.get('sec-websocket-version') !== '13')
    return `Sec-WebSocket-Version is ${h.get('sec-websocket-version')}`;
  const key = h.get('sec-websocket-key') ?? '';
  if (
    head.counts.get('sec-websocket-key') !== 1 ||
    Buffer.from(key, 'base64').length !== 16 ||
    !/^[A-Za-z0-9+/]{22}==$/.test(key)
  )
    return `bad Sec-WebSocket-Key "${key}"`;
  return null;
}

/**
 * The suite's TCP server for client mode: one connection at a time, handed to the running case.
 */
export class CaseServer {
  readonly #server: Server;
  #waiting: ((socket: Socket) => void) | null = null;
  #cancel: ((socket: null) => void) | null = null;
  readonly #sockets = new Set<Socket>();

  private constructor(server: Server) {
    this.#server = server;
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
      socket.on('error', () => {});
      const take = this.#waiting;
      this.#waiting = null;
      if (take) take(socket);
      else socket.destroy();
    });
  }

  /** Listens on 127.0.0.1, port 0. */
  static async start(): Promise<CaseServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new CaseServer(server);
  }

  /** The port it listens on. */
  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** The next connection, or null after `ms` or on {@link cancel}. */
  next(ms: number): Promise<Socket | null> {
    this.cancel();
    return new Promise((resolve) => {
      const take = (socket: Socket | null) => {
        clearTimeout(timer);
        if (this.#waiting === take) this.#waiting = null;
        if (this.#cancel === take) this.#cancel = null;
        resolve(socket);
      };
      const timer = setTimeout(() => take(null), ms);
      this.#waiting = take;
      this.#cancel = take;
    });
  }

  /** Stops waiting for a connection (one that comes later is refused). */
  cancel(): void {
    this.#cancel?.(null);
  }

  /** Stops listening and destroys open connections. */
  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** Runs one case against a client subject, the suite playing the server. */
export async function runClientCase(
  c: ConformanceCase,
  subject: Subject,
  server: CaseServer,
  settings: RunSettings,
): Promise<Outcome> {
  const incoming = server.next(settings.closeTimeoutMs * 2);
  let finishedFlag = false;
  let connectError = '';
  const finished = subject
    .connectClient(`ws://127.0.0.1:${server.port}/runCase?case=${c.id}`)
    .catch((error: Error) => {
      connectError = error.message;
    })
    .then(() => {
      finishedFlag = true;
    });
  const socket = await Promise.race([incoming, finished.then(() => null)]);
  if (!socket) {
    server.cancel();
    return fail(`the client did not connect${connectError ? `: ${connectError}` : ''}`);
  }
  try {
    const request = await readHead(socket, settings.closeTimeoutMs * 2);
    if (!request) return fail('no complete opening handshake request from the client');
    let outcome: Outcome;
    if (c.handshake?.client) {
      outcome = await c.handshake.client(socket, request.head, request.rest, finished, settings);
    } else {
      outcome = await serveFrameCase(c, socket, request.head, request.rest, settings);
    }
    // The client must report its close once the connection is over.
    await Promise.race([finished, new Promise((r) => setTimeout(r, settings.closeTimeoutMs * 2))]);
    if (!finishedFlag) outcome = worst(outcome, fail('the client never reported the connection closed'));
    return outcome;
  } finally {
    socket.destroy();
  }
}

async function serveFrameCase(
  c: ConformanceCase,
  socket: Socket,
  head: HttpHead,
  rest: Buffer,
  settings: RunSettings,
): Promise<Outcome> {
  const wrong = checkClientRequest(head);
  if (wrong) {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    return fail(`opening handshake: ${wrong}`);
  }
  const key = head.headers.get('sec-websocket-key')!;
  let response = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n`;
  let codec: DeflateCodec | null = null;
  if (c.deflate) {
    const offered = head.headers.get('sec-websocket-extensions');
    const elements = offered ? parseExtensions(offered) : [];
    if (!elements) return fail(`malformed Sec-WebSocket-Extensions offer: ${offered}`);
    const answer = answerOffers(elements, c.deflate.accept);
    if (!answer) {
      socket.destroy();
      return fail(`no acceptable permessage-deflate offer (got "${offered ?? ''}"; Autobahn: UNIMPLEMENTED)`);
    }
    response += `Sec-WebSocket-Extensions: ${answer.header}\r\n`;
    codec = new DeflateCodec(answer.agreement);
  }
  socket.write(`${response}\r\n`);
  const peer = new RawPeer(socket, { role: 'server', codec, closeTimeoutMs: settings.closeTimeoutMs }, rest);
  return play(peer, c, 'client', settings);
}

/** What to run: cases × subjects × modes. */
export interface RunPlan {
  cases: readonly ConformanceCase[];
  subjects: readonly Subject[];
  modes: readonly Mode[];
  settings?: Partial<RunSettings>;
  /** Called after every case (progress output). */
  onResult?: (result: CaseResult) => void;
}

/** Runs the plan, one case at a time, and returns every result. */
export async function runSuite(plan: RunPlan): Promise<CaseResult[]> {
  const settings = { ...DEFAULT_SETTINGS, ...plan.settings };
  const results: CaseResult[] = [];
  for (const subject of plan.subjects) {
    for (const mode of plan.modes) {
      const cases = plan.cases.filter((c) => (c.modes ?? ['server', 'client']).includes(mode));
      if (cases.length === 0) continue;
      const record = (c: ConformanceCase, outcome: Outcome, started: number) => {
        const result: CaseResult = {
          id: c.id,
          category: categoryOf(c.id),
          subject: subject.name,
          mode,
          ...outcome,
          ms: Date.now() - started,
        };
        results.push(result);
        plan.onResult?.(result);
      };
      if (mode === 'server') {
        let running: Awaited<ReturnType<Subject['startServer']>>;
        try {
          running = await subject.startServer();
        } catch (error) {
          for (const c of cases)
            record(c, fail(`the server subject did not start: ${(error as Error).message}`), Date.now());
          continue;
        }
        try {
          for (const c of cases) {
            const started = Date.now();
            record(
              c,
              await runServerCase(c, running.port, settings).catch((e: Error) => fail(e.message)),
              started,
            );
          }
        } finally {
          await running.close();
        }
      } else {
        const server = await CaseServer.start();
        try {
          for (const c of cases) {
            const started = Date.now();
            record(
              c,
              await runClientCase(c, subject, server, settings).catch((e: Error) => fail(e.message)),
              started,
            );
          }
        } finally {
          await server.close();
        }
      }
    }
  }
  return results;
}
