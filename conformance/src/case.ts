import type { Socket } from 'node:net';
import type { DeflateAccept, DeflateOffer } from './deflate.js';
import type { HttpHead } from './handshake.js';
import type { RawPeer } from './raw-peer.js';
import type { TraceEvent } from './trace.js';

/** Which side of the subject a run tests: its server (the suite connects) or its client. */
export type Mode = 'server' | 'client';

/**
 * A case's verdict. `pass`, `non-strict` (accepted, less strict than ideal, as Autobahn's
 * NON-STRICT), `fail` (Autobahn's FAILED, WRONG CODE, UNCLEAN or FAILED BY CLIENT), and
 * `informational` (the RFC leaves the behaviour open; recorded, never a failure).
 */
export const Verdict = {
  Pass: 'pass',
  NonStrict: 'non-strict',
  Fail: 'fail',
  Informational: 'informational',
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/** A verdict and the reason for it. */
export interface Outcome {
  verdict: Verdict;
  reason: string;
}

/**
 * How the connection is expected to end (Autobahn's `expectedClose`).
 */
export interface CloseExpectation {
  /** True when the suite starts the closing handshake; false when the subject must fail the connection. */
  closedByMe: boolean;
  /** The close codes the subject may send (no code at all is always accepted, as in Autobahn). */
  codes: readonly number[];
  /** True when the RFC requires a clean closing handshake (close frames both ways). */
  requireClean: boolean;
  /** True when a close started by the wrong end fails the case's behaviour too (the UTF-8 cases). */
  closedByWrongEndpointIsFatal?: boolean;
  /** True when a close code outside `codes` fails the behaviour too (7.1.5, 7.3.x, 7.9.x). */
  wrongCodeIsFatal?: boolean;
}

/** What a case script can do on an open connection. */
export interface CaseContext {
  /** The connection to the subject. */
  readonly peer: RawPeer;
  /** Which side of the subject is being tested. */
  readonly mode: Mode;
  /** Options of this run (for waits scaled to the machine and message counts). */
  readonly settings: RunSettings;
  /**
   * Waits `ms` (less if TCP closes); if the connection is still open then, records
   * `timeout(label)` in the trace (Autobahn's `continueLater`) and returns true.
   */
  checkpoint(label: string, ms: number): Promise<boolean>;
  /** Waits until the trace holds at least `count` events, TCP closes, or `ms` pass. */
  waitForEvents(count: number, ms: number): Promise<boolean>;
  /** Sets the behaviour verdict directly (for cases that check payloads themselves). */
  decide(verdict: Verdict, reason: string): void;
}

/** Run-wide settings a case may read. */
export interface RunSettings {
  /** Autobahn's 1 s waits (continueLater, killAfter), scaled for loopback. Default 500 ms. */
  waitMs: number;
  /** How long the subject has to finish the closing handshake and close TCP. Default 2000 ms. */
  closeTimeoutMs: number;
  /** Messages per 12.x/13.x case (Autobahn: 1000). */
  deflateMessages: number;
  /** Round trips per 9.7/9.8 case (Autobahn: 1000). */
  roundTrips: number;
  /** Largest 9.1/9.2 message in bytes (Autobahn: 16 MiB). */
  maxMessageSize: number;
}

/** A handshake case run against a server subject: it gets the port and judges the reply itself. */
export type ServerHandshakeScript = (port: number, settings: RunSettings) => Promise<Outcome>;

/**
 * A handshake case run against a client subject: the suite has accepted the client's TCP
 * connection and read its request head; the case answers (rightly or wrongly) and judges.
 * `finished` resolves when the subject client reports its connection over.
 */
export type ClientHandshakeScript = (
  socket: Socket,
  request: HttpHead,
  rest: Buffer,
  finished: Promise<void>,
  settings: RunSettings,
) => Promise<Outcome>;

/** One conformance case. Frame cases use `run` + `expect` + `close`; handshake cases use `handshake`. */
export interface ConformanceCase {
  /** Autobahn's id where the case mirrors one (`6.4.1`), or the suite's own (`0.1.1`). */
  id: string;
  /** One sentence: what is sent and what should happen. */
  description: string;
  /** The modes the case applies to. Default: both. */
  modes?: readonly Mode[];
  /** permessage-deflate: the suite's offers (server mode) and accept rules (client mode). */
  deflate?: { offers: readonly DeflateOffer[]; accept: readonly DeflateAccept[] };
  /** The frame script; runs once the connection is open. */
  run?: (ctx: CaseContext) => Promise<void> | void;
  /** Accepted traces. Default: `{ ok: [] }`. */
  expect?: { ok: readonly TraceEvent[]; nonStrict?: readonly TraceEvent[] };
  /** Expected end of the connection. Default: the suite closes with 1000, cleanly. */
  close?: CloseExpectation;
  /** Do not start the closing handshake when the trace matches (the script closes itself). */
  suppressClose?: boolean;
  /** Autobahn's INFORMATIONAL cases: the verdict is recorded, never a failure. */
  informational?: boolean;
  /** Handshake scripts, per mode. */
  handshake?: { server?: ServerHandshakeScript; client?: ClientHandshakeScript };
  /** How long after the script the suite gives up waiting (Autobahn's killAfter/closeAfter), in units of `waitMs`. Default 2. */
  patience?: number;
}

/** The default close expectation: the suite closes normally and expects a clean 1000. */
export const NORMAL_CLOSE: CloseExpectation = { closedByMe: true, codes: [1000], requireClean: true };

/** The subject must fail the connection with `code` (a clean close is not required). */
export function failWith(code: number, extra: Partial<CloseExpectation> = {}): CloseExpectation {
  return { closedByMe: false, codes: [code], requireClean: false, ...extra };
}

/** The category of a case id: the part before the first dot. */
export function categoryOf(id: string): string {
  return id.split('.')[0]!;
}
