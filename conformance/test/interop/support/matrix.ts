import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PeerClose } from './control.js';
import { type Conversation, LARGE_STEP_MS, STEP_MS } from './conversation.js';
import { within } from './inbox.js';
import { BINARY_LENGTHS, binary, LARGE_LENGTH, PEER_CLOSE, SOCKEYE_CLOSE, TEXTS } from './payloads.js';

/** One connection of a pair, as {@link Pair.connect} starts it. */
export interface PairConnection {
  /** The sockeye end (a server WebSocket once it is accepted, or a Client at once). */
  conversation: Promise<Conversation> | Conversation;
  /** How the peer saw the connection end; only asked for once the close has started. */
  peerClosed(ms: number): Promise<PeerClose>;
}

/** A sockeye end and a real peer, one row of the interop matrix. */
export interface Pair {
  /** `<peer role> → <sockeye role>`, with or without permessage-deflate. */
  readonly name: string;
  /** Whether permessage-deflate must be negotiated. */
  readonly compress: boolean;
  /** Whether the peer's API can send a ping and see the pong (the WHATWG API cannot). */
  readonly peerPings: boolean;
  /** Opens connection `id` (unique in the run: servers tell connections apart by it). */
  connect(id: string): PairConnection;
  /** The `url` the sockeye end must report for connection `id`, where the test knows it. */
  url?(id: string): string;
  /**
   * The largest message, when the peer cannot take {@link LARGE_LENGTH}: `why` goes into the test
   * name. Default: 16 MiB.
   */
  readonly large?: { length: number; why: string };
}

interface Opened {
  id: string;
  conversation: Conversation;
  peerClosed(ms: number): Promise<PeerClose>;
}

let connections = 0;

async function open(pair: Pair): Promise<Opened> {
  const id = `c${++connections}`;
  const started = pair.connect(id);
  const conversation = await within(Promise.resolve(started.conversation), STEP_MS, `connection ${id}`);
  await within(conversation.opened, STEP_MS, `open event of connection ${id}`);
  return { id, conversation, peerClosed: started.peerClosed };
}

/**
 * The matrix row for one pair: text (ASCII and multi-byte), binary at every length encoding and at
 * 16 MiB, a ping each way where the peer can send one, and a clean close started by each side
 * (code and reason checked on the receiving side, `wasClean` on sockeye's). The sockeye end drives
 * every step; the peer echoes and obeys commands (see `control.ts`). One connection carries the
 * exchanges and sockeye's close; a second one carries the peer's close.
 */
export function describePair(pair: Pair): void {
  describe(pair.name, () => {
    let main: Opened;

    beforeAll(async () => {
      main = await open(pair);
    });

    afterAll(() => {
      main?.conversation.end.terminate();
    });

    it(`opens with subprotocol "echo"${pair.compress ? ' and permessage-deflate' : ', no extension'}`, () => {
      const { end } = main.conversation;
      expect(end.protocol).toBe('echo');
      if (pair.compress) expect(end.extensions).toMatch(/^permessage-deflate/);
      else expect(end.extensions).toBe('');
      if (pair.url) expect(end.url).toBe(pair.url(main.id));
    });

    it('echoes text: ASCII, empty and multi-byte UTF-8', async () => {
      for (const text of TEXTS) {
        expect(await main.conversation.echo(text)).toBe(text);
      }
    });

    it(`echoes binary of ${BINARY_LENGTHS.join(', ')} bytes`, async () => {
      for (const length of BINARY_LENGTHS) {
        const data = binary(length);
        const echoed = await main.conversation.echo(data);
        expect(Buffer.isBuffer(echoed), `${length} bytes come back as binary`).toBe(true);
        expect((echoed as Buffer).equals(data), `${length} bytes come back intact`).toBe(true);
      }
    });

    const large = pair.large ?? { length: LARGE_LENGTH, why: '' };
    const mib = `${large.length / 2 ** 20} MiB`;
    it(
      `echoes a ${mib} binary message${large.why ? ` (${large.why})` : ''}`,
      async () => {
        const data = binary(large.length);
        const echoed = await main.conversation.echo(data, LARGE_STEP_MS);
        expect(Buffer.isBuffer(echoed)).toBe(true);
        expect((echoed as Buffer).length).toBe(large.length);
        expect((echoed as Buffer).equals(data)).toBe(true);
      },
      2 * LARGE_STEP_MS,
    );

    it('answers a ping from sockeye with a pong carrying the payload', async () => {
      const payload = `sockeye ping ${main.id}`;
      expect(await main.conversation.ping(payload)).toBe(payload);
    });

    if (pair.peerPings) {
      it('answers a ping from the peer with a pong carrying the payload', async () => {
        const payload = `peer ping ${main.id}`;
        main.conversation.command({ op: 'ping', payload });
        expect(await main.conversation.reply()).toEqual({ op: 'pong', payload });
        expect(main.conversation.pingsReceived).toContain(payload);
      });
    }

    it(`closes cleanly when sockeye closes (${SOCKEYE_CLOSE.code}, UTF-8 reason)`, async () => {
      const { conversation } = main;
      conversation.end.close(SOCKEYE_CLOSE.code, SOCKEYE_CLOSE.reason);
      const closed = await conversation.closedWithin();
      // The peer echoes the code (RFC 6455 §5.5.1: "typically echos the status code it received");
      // whether it echoes the reason too is up to it.
      expect(closed).toMatchObject({ code: SOCKEYE_CLOSE.code, wasClean: true });
      const peer = await main.peerClosed(STEP_MS);
      expect(peer).toMatchObject(SOCKEYE_CLOSE);
      if (peer.wasClean !== undefined) expect(peer.wasClean).toBe(true);
      expect(conversation.errors).toEqual([]);
    });

    it(`closes cleanly when the peer closes (${PEER_CLOSE.code}, UTF-8 reason)`, async () => {
      const second = await open(pair);
      const { conversation } = second;
      try {
        expect(await conversation.echo('before the peer closes')).toBe('before the peer closes');
        conversation.command({ op: 'close', ...PEER_CLOSE });
        expect(await conversation.closedWithin()).toEqual({ ...PEER_CLOSE, wasClean: true });
        const peer = await second.peerClosed(STEP_MS);
        expect(peer.code).toBe(PEER_CLOSE.code);
        if (peer.wasClean !== undefined) expect(peer.wasClean).toBe(true);
        expect(conversation.errors).toEqual([]);
      } finally {
        conversation.end.terminate();
      }
    });
  });
}

/** A promise that is never reported as unhandled, for reports only read at the end of a test. */
export function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/** {@link PairConnection.peerClosed} for a peer whose report is already a promise. */
export function reportWithin(report: Promise<PeerClose>): (ms: number) => Promise<PeerClose> {
  const quieted = quiet(report);
  return (ms) => within(quieted, ms, 'close report from the peer');
}

/**
 * The sockeye server's end of a connection a peer client is opening, or the peer's own failure if
 * it gives up first (its report then says why: a child's stderr, a close code).
 */
export function acceptedEnd(
  accept: Promise<Conversation>,
  report: Promise<PeerClose>,
): Promise<Conversation> {
  const gaveUp = report.then((close) => {
    throw new Error(`the peer's connection ended (${close.code} ${close.reason}) before sockeye accepted it`);
  });
  return Promise.race([accept, quiet(gaveUp)]);
}
