/**
 * Test support for the protocol engine: a recording {@link EngineHandler}, a frame builder and a
 * frame reader written independently of the code under test, and the shared assertions the
 * RFC-section tests use ("frame sent", "connection failing"), after python-websockets'
 * tests/test_protocol.py.
 */
import { expect } from 'vitest';
import { ProtocolError } from '../../../src/errors.js';
import { Connection, type ConnectionOptions } from '../../../src/protocol/connection.js';
import { type EngineHandler, EngineState } from '../../../src/protocol/engine.js';
import type { Role } from '../../../src/protocol/role.js';

export type Seen =
  | { type: 'message'; data: string | Buffer; binary: boolean }
  | { type: 'ping'; payload: string }
  | { type: 'pong'; payload: string }
  | { type: 'close'; code: number; reason: string }
  | { type: 'fail'; closeCode: number; code: string; message: string };

/** A frame as read back from bytes, payload unmasked. */
export interface WireFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

export const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** RFC 6455 §5.7's example key. */
export const KEY = hex('37fa213d');

/** Builds a frame byte by byte, independently of the encoder under test. */
export function frame(
  opcode: number,
  payload: Uint8Array | string = '',
  options: { fin?: boolean; rsv?: number; key?: Uint8Array | null } = {},
): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload);
  const key = options.key === undefined ? null : options.key;
  const first = ((options.fin ?? true) ? 0x80 : 0) | (options.rsv ?? 0) | opcode;
  const maskBit = key === null ? 0 : 0x80;
  let header: Buffer;
  if (body.length < 126) header = Buffer.from([first, maskBit | body.length]);
  else if (body.length < 65536)
    header = Buffer.from([first, maskBit | 126, body.length >> 8, body.length & 255]);
  else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(BigInt(body.length), 2);
  }
  if (key === null) return Buffer.concat([header, body]);
  const masked = Buffer.from(body);
  for (let i = 0; i < masked.length; i++) masked[i] = masked[i]! ^ key[i % 4]!;
  return Buffer.concat([header, Buffer.from(key), masked]);
}

/** A frame as a client sends it (masked with {@link KEY}). */
export const clientFrame = (
  opcode: number,
  payload: Uint8Array | string = '',
  options: { fin?: boolean; rsv?: number } = {},
) => frame(opcode, payload, { ...options, key: KEY });

/** A frame as a server sends it (unmasked). */
export const serverFrame = (
  opcode: number,
  payload: Uint8Array | string = '',
  options: { fin?: boolean; rsv?: number } = {},
) => frame(opcode, payload, { ...options, key: null });

/** Reads every frame in `bytes`, unmasking payloads. Fails the test on trailing garbage. */
export function readFrames(bytes: Buffer): WireFrame[] {
  const frames: WireFrame[] = [];
  let at = 0;
  while (at < bytes.length) {
    const b0 = bytes[at]!;
    const b1 = bytes[at + 1]!;
    let length = b1 & 0x7f;
    at += 2;
    if (length === 126) {
      length = bytes.readUInt16BE(at);
      at += 2;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(at));
      at += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    let key: Buffer | null = null;
    if (masked) {
      key = bytes.subarray(at, at + 4);
      at += 4;
    }
    const payload = Buffer.from(bytes.subarray(at, at + length));
    expect(payload.length).toBe(length);
    if (key !== null) for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ key[i % 4]!;
    at += length;
    frames.push({ fin: (b0 & 0x80) !== 0, rsv: b0 & 0x70, opcode: b0 & 0x0f, masked, payload });
  }
  return frames;
}

/** A Connection with a handler that records everything. */
export class Harness implements EngineHandler {
  readonly events: Seen[] = [];
  outgoingCalls = 0;
  /** Set by a test that listens for a deferred end of stream. */
  onEnd?: () => void;
  readonly connection: Connection;

  constructor(role: Role, options: Omit<ConnectionOptions, 'role'> = {}) {
    this.connection = new Connection(this, { role, ...options });
  }

  onMessage(data: string | Buffer, binary: boolean): void {
    this.events.push({ type: 'message', data: binary ? Buffer.from(data as Buffer) : data, binary });
  }
  onPing(payload: Buffer): void {
    this.events.push({ type: 'ping', payload: payload.toString('hex') });
  }
  onPong(payload: Buffer): void {
    this.events.push({ type: 'pong', payload: payload.toString('hex') });
  }
  onClose(code: number, reason: string): void {
    this.events.push({ type: 'close', code, reason });
  }
  onFail(error: ProtocolError): void {
    expect(error).toBeInstanceOf(ProtocolError);
    this.events.push({ type: 'fail', closeCode: error.closeCode, code: error.code, message: error.message });
  }
  onOutgoing(): void {
    this.outgoingCalls++;
  }

  /** Feeds bytes (copied: the engine owns what it is fed), in one chunk or in the given sizes. */
  receive(bytes: Buffer, chunkSize = bytes.length): void {
    for (let at = 0; at < bytes.length; at += Math.max(chunkSize, 1)) {
      this.connection.receiveData(Buffer.from(bytes.subarray(at, at + Math.max(chunkSize, 1))));
    }
  }

  /** Takes everything queued for the wire. */
  sent(): Buffer {
    return Buffer.concat(this.connection.takeOutgoing());
  }

  /** Takes and reads back the frames queued for the wire. */
  sentFrames(): WireFrame[] {
    return readFrames(this.sent());
  }

  /** Events recorded since the last call. */
  take(): Seen[] {
    return this.events.splice(0);
  }
}

// Shared assertions -----------------------------------------------------------------------------

/** Exactly these bytes were queued for the wire (server frames are unmasked, so bytes are exact). */
export function expectBytesSent(h: Harness, expected: Buffer | string): void {
  const bytes = typeof expected === 'string' ? hex(expected) : expected;
  expect(h.sent().toString('hex')).toBe(bytes.toString('hex'));
}

/** Exactly these frames (opcode, payload, fin) were queued, masked iff the sender is a client. */
export function expectFramesSent(
  h: Harness,
  expected: Array<{ opcode: number; payload?: Buffer | string; fin?: boolean; rsv?: number }>,
): void {
  const frames = h.sentFrames();
  const mustMask = h.connection.role === 'client';
  expect(
    frames.map((f) => ({
      opcode: f.opcode,
      payload: f.payload.toString('hex'),
      fin: f.fin,
      rsv: f.rsv,
      masked: f.masked,
    })),
  ).toEqual(
    expected.map((f) => ({
      opcode: f.opcode,
      payload: (typeof f.payload === 'string'
        ? Buffer.from(f.payload)
        : (f.payload ?? Buffer.alloc(0))
      ).toString('hex'),
      fin: f.fin ?? true,
      rsv: f.rsv ?? 0,
      masked: mustMask,
    })),
  );
}

export function expectNothingSent(h: Harness): void {
  expect(h.connection.takeOutgoing()).toEqual([]);
}

/** A close frame payload: code, then reason. */
export function closePayload(code: number, reason = ''): Buffer {
  const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2);
  return payload;
}

/**
 * The connection is failing (§7.1.7): onFail reported `closeCode` with error `code`, a close frame
 * carrying `closeCode` was the last thing queued, and the engine is Closed, processing nothing
 * more.
 */
export function expectConnectionFailing(h: Harness, closeCode: number, code?: string): void {
  const events = h.take();
  const last = events.at(-1);
  expect(last?.type).toBe('fail');
  if (last?.type === 'fail') {
    expect(last.closeCode).toBe(closeCode);
    if (code !== undefined) expect(last.code).toBe(code);
  }
  const frames = h.sentFrames();
  const close = frames.at(-1);
  expect(close?.opcode).toBe(0x8);
  expect(close!.payload.readUInt16BE(0)).toBe(closeCode);
  if (closeCode === 1011) expect(close!.payload.length).toBe(2);
  expect(h.connection.state).toBe(EngineState.Closed);
  expect(h.connection.closeSent).toBe(true);
  // Nothing is processed after a failure.
  h.receive(h.connection.role === 'server' ? clientFrame(0x9, 'late') : serverFrame(0x9, 'late'));
  expect(h.take()).toEqual([]);
  expectNothingSent(h);
}

/** The closing handshake is complete: onClose(code, reason) and the engine is Closed. */
export function expectConnectionClosed(h: Harness, code: number, reason = ''): void {
  expect(h.take()).toEqual([{ type: 'close', code, reason }]);
  expect(h.connection.state).toBe(EngineState.Closed);
  expect(h.connection.closeReceived).toBe(true);
  expect(h.connection.closeSent).toBe(true);
}
