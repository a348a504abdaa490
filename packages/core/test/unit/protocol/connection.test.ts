import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/errors.js';
import { CloseCode } from '../../../src/protocol/close-code.js';
import { Connection } from '../../../src/protocol/connection.js';
import { EngineState } from '../../../src/protocol/engine.js';
import type { ExtensionPipeline } from '../../../src/protocol/extension.js';
import { encodeFrame } from '../../../src/protocol/frame-encoder.js';
import { Opcode } from '../../../src/protocol/opcode.js';
import { Role } from '../../../src/protocol/role.js';
import {
  clientFrame,
  closePayload,
  expectBytesSent,
  expectConnectionClosed,
  expectConnectionFailing,
  expectFramesSent,
  expectNothingSent,
  Harness,
  hex,
  readFrames,
  serverFrame,
} from './engine-harness.js';

const server = (options = {}) => new Harness(Role.Server, options);
const client = (options = {}) => new Harness(Role.Client, options);

describe('Connection options', () => {
  it('throws on an unknown option key, as faye does', () => {
    expect(() => new Connection(server(), { role: Role.Server, maxLenght: 5 } as never)).toThrow(
      'Unrecognized option: maxLenght',
    );
  });

  it('throws on a missing or unknown role', () => {
    expect(() => new Connection(server(), {} as never)).toThrow(TypeError);
    expect(() => new Connection(server(), { role: 'peer' } as never)).toThrow(TypeError);
  });

  it('throws on limits that are not non-negative integers', () => {
    expect(() => new Connection(server(), { role: Role.Server, maxLength: -1 })).toThrow(RangeError);
    expect(() => new Connection(server(), { role: Role.Server, maxLength: 1.5 })).toThrow(RangeError);
    expect(() => new Connection(server(), { role: Role.Server, maxFragments: 0 })).toThrow(RangeError);
  });

  it('throws on an extensions value that is not a pipeline', () => {
    expect(
      () => new Connection(server(), { role: Role.Server, extensions: {} as ExtensionPipeline }),
    ).toThrow(TypeError);
  });

  it('starts Open, with nothing sent, received or pending', () => {
    const h = server();
    expect(h.connection.state).toBe(EngineState.Open);
    expect(h.connection.closeSent).toBe(false);
    expect(h.connection.closeReceived).toBe(false);
    expect(h.connection.pendingBytes).toBe(0);
    expect(h.connection.role).toBe(Role.Server);
    expectNothingSent(h);
  });
});

describe('RFC 6455 §5.1 Overview: masking by role', () => {
  it('a server fails the connection with 1002 on an unmasked client frame', () => {
    const h = server();
    h.receive(serverFrame(Opcode.Text, 'Hello'));
    expectConnectionFailing(h, 1002, ErrorCode.ExpectedMask);
  });

  it('a client fails the connection with 1002 on a masked server frame', () => {
    const h = client();
    h.receive(clientFrame(Opcode.Text, 'Hello'));
    expectConnectionFailing(h, 1002, ErrorCode.UnexpectedMask);
  });

  it('a client masks every frame it sends', () => {
    const h = client();
    h.connection.sendText('text');
    h.connection.sendBinary(Buffer.from('binary'));
    h.connection.sendPing(Buffer.from('ping'));
    h.connection.sendPong(Buffer.from('pong'));
    h.connection.sendClose(1000, 'bye');
    expectFramesSent(h, [
      { opcode: Opcode.Text, payload: 'text' },
      { opcode: Opcode.Binary, payload: 'binary' },
      { opcode: Opcode.Ping, payload: 'ping' },
      { opcode: Opcode.Pong, payload: 'pong' },
      { opcode: Opcode.Close, payload: closePayload(1000, 'bye') },
    ]);
  });

  it('a server sends every frame unmasked', () => {
    const h = server();
    h.connection.sendText('text');
    h.connection.sendBinary(Buffer.from('binary'));
    h.connection.sendPing();
    expectBytesSent(h, '8104 74657874 8206 62696e617279 8900');
  });
});

describe('RFC 6455 §5.2 Base Framing Protocol', () => {
  it.each([0x40, 0x20, 0x10])('fails with 1002 on RSV bits %s that no extension negotiated', (rsv) => {
    const h = server();
    h.receive(clientFrame(Opcode.Text, 'Hello', { rsv }));
    expectConnectionFailing(h, 1002, rsv === 0x40 ? ErrorCode.UnexpectedRsv1 : ErrorCode.UnexpectedRsv2Or3);
  });

  it.each([3, 4, 5, 6, 7, 11, 12, 13, 14, 15])('fails with 1002 on the reserved opcode %s', (opcode) => {
    const h = server();
    h.receive(clientFrame(opcode, 'x'));
    expectConnectionFailing(h, 1002, ErrorCode.InvalidOpcode);
  });

  it.each([0, 1, 125, 126, 127, 65535, 65536, 100000])(
    'reads a payload of %s bytes in the 7-, 16- or 64-bit length form',
    (length) => {
      const payload = Buffer.alloc(length, 0x61);
      for (const h of [server(), client()]) {
        const bytes =
          h.connection.role === 'server'
            ? clientFrame(Opcode.Binary, payload)
            : serverFrame(Opcode.Binary, payload);
        h.receive(bytes, 1000);
        const [event, ...rest] = h.take();
        expect(rest).toEqual([]);
        expect(event?.type === 'message' && event.binary && payload.equals(event.data as Buffer)).toBe(true);
      }
    },
  );

  it('fails with 1002 on a 64-bit length whose most significant bit is set', () => {
    const h = client();
    h.receive(hex('827f 8000000000000001'));
    expectConnectionFailing(h, 1002, ErrorCode.UnsupportedDataPayloadLength);
  });

  it('fails with 1009 on a 64-bit length past maxLength, before any payload arrives', () => {
    const h = client({ maxLength: 1 << 20 });
    h.receive(hex('827f 0000000000100001'));
    expectConnectionFailing(h, 1009, ErrorCode.UnsupportedMessageLength);
  });

  it('fails with 1009 on a 64-bit length beyond 2^53', () => {
    const h = client();
    h.receive(hex('827f 7fffffffffffffff'));
    expectConnectionFailing(h, 1009, ErrorCode.UnsupportedMessageLength);
  });

  it('accepts a message of exactly maxLength bytes and fails one byte more with 1009', () => {
    const h = server({ maxLength: 10 });
    h.receive(clientFrame(Opcode.Binary, Buffer.alloc(10)));
    expect(h.take()).toHaveLength(1);
    h.receive(clientFrame(Opcode.Binary, Buffer.alloc(11)));
    expectConnectionFailing(h, 1009);
  });

  it('sends lengths in the minimal form: 7 bits to 125, 16 bits to 65535, then 64 bits', () => {
    const h = server();
    h.connection.sendBinary(Buffer.alloc(125));
    h.connection.sendBinary(Buffer.alloc(126));
    h.connection.sendBinary(Buffer.alloc(65535));
    h.connection.sendBinary(Buffer.alloc(65536));
    const bytes = h.sent();
    expect(bytes.subarray(0, 2).toString('hex')).toBe('827d');
    expect(bytes.subarray(127, 131).toString('hex')).toBe('827e007e');
    expect(bytes.subarray(257, 261).toString('hex')).toBe('827effff');
    expect(bytes.subarray(65796, 65806).toString('hex')).toBe('827f0000000000010000');
    expect(bytes.length).toBe(65806 + 65536);
  });

  it('gives the same events whether a stream arrives whole or one byte at a time', () => {
    const stream = Buffer.concat([
      clientFrame(Opcode.Text, 'Hel', { fin: false }),
      clientFrame(Opcode.Ping, 'p'),
      clientFrame(Opcode.Continuation, 'lo'),
      clientFrame(Opcode.Binary, Buffer.alloc(300, 7)),
      clientFrame(Opcode.Close, closePayload(1000, 'done')),
    ]);
    const whole = server();
    whole.receive(stream);
    const bytewise = server();
    bytewise.receive(stream, 1);
    expect(bytewise.take()).toEqual(whole.take());
    expect(bytewise.sent().toString('hex')).toBe(whole.sent().toString('hex'));
  });
});

describe('RFC 6455 §5.3 Client-to-Server Masking', () => {
  it('unmasks the RFC §5.7 example, a masked "Hello"', () => {
    const h = server();
    h.receive(hex('8185 37fa213d 7f9f4d5158'));
    expect(h.take()).toEqual([{ type: 'message', data: 'Hello', binary: false }]);
  });

  it('unmasks a payload split across chunks at every mask phase', () => {
    const payload = Buffer.from('abcdefghijklmnopqrstuvwxyz0123456789'.repeat(5));
    for (const size of [1, 2, 3, 5, 7, 64, 100]) {
      const h = server();
      h.receive(clientFrame(Opcode.Binary, payload), size);
      expect(h.take()).toEqual([{ type: 'message', data: payload, binary: true }]);
    }
  });

  it('never alters the buffer the caller sends when masking', () => {
    const h = client();
    const small = Buffer.from('small payload');
    const large = Buffer.alloc(70000, 0x5a);
    h.connection.sendBinary(small);
    h.connection.sendBinary(large);
    h.connection.sendPing(small);
    expect(small.toString()).toBe('small payload');
    expect(large.equals(Buffer.alloc(70000, 0x5a))).toBe(true);
    expectFramesSent(h, [
      { opcode: Opcode.Binary, payload: small },
      { opcode: Opcode.Binary, payload: large },
      { opcode: Opcode.Ping, payload: small },
    ]);
  });

  it('picks a fresh masking key for each frame', () => {
    const h = client();
    for (let i = 0; i < 20; i++) h.connection.sendText('same');
    const keys = new Set(h.connection.takeOutgoing().map((b) => b.subarray(2, 6).toString('hex')));
    expect(keys.size).toBe(20);
  });
});

describe('RFC 6455 §5.4 Fragmentation', () => {
  it('reassembles the RFC §5.7 example, "Hel" and "lo" in two unmasked frames', () => {
    const h = client();
    h.receive(hex('010348656c 80026c6f'));
    expect(h.take()).toEqual([{ type: 'message', data: 'Hello', binary: false }]);
  });

  it('processes control frames injected between fragments', () => {
    const h = server();
    h.receive(
      Buffer.concat([
        clientFrame(Opcode.Binary, 'ab', { fin: false }),
        clientFrame(Opcode.Ping, 'p1'),
        clientFrame(Opcode.Continuation, 'cd', { fin: false }),
        clientFrame(Opcode.Pong, 'p2'),
        clientFrame(Opcode.Continuation, 'ef'),
      ]),
    );
    expect(h.take()).toEqual([
      { type: 'ping', payload: Buffer.from('p1').toString('hex') },
      { type: 'pong', payload: Buffer.from('p2').toString('hex') },
      { type: 'message', data: Buffer.from('abcdef'), binary: true },
    ]);
    expectBytesSent(h, '8a02 7031');
  });

  it('delivers a message made of empty fragments as an empty message', () => {
    const h = server();
    h.receive(
      Buffer.concat([clientFrame(Opcode.Text, '', { fin: false }), clientFrame(Opcode.Continuation, '')]),
    );
    expect(h.take()).toEqual([{ type: 'message', data: '', binary: false }]);
  });

  it('fails with 1002 on a continuation frame with no message in progress', () => {
    const h = server();
    h.receive(clientFrame(Opcode.Continuation, 'x'));
    expectConnectionFailing(h, 1002, ErrorCode.UnexpectedContinuation);
  });

  it('fails with 1002 on a new data frame while a fragmented message is unfinished', () => {
    const h = server();
    h.receive(Buffer.concat([clientFrame(Opcode.Text, 'a', { fin: false }), clientFrame(Opcode.Text, 'b')]));
    expectConnectionFailing(h, 1002, ErrorCode.ExpectedContinuation);
  });

  it('counts maxLength over all fragments and fails with 1009 when they exceed it', () => {
    const h = server({ maxLength: 8 });
    h.receive(
      Buffer.concat([
        clientFrame(Opcode.Binary, 'abcd', { fin: false }),
        clientFrame(Opcode.Continuation, 'efgh', { fin: false }),
      ]),
    );
    expect(h.take()).toEqual([]);
    h.receive(clientFrame(Opcode.Continuation, 'i'));
    expectConnectionFailing(h, 1009, ErrorCode.UnsupportedMessageLength);
  });

  it('fails with 1009 when a message spans more than maxFragments frames', () => {
    const h = server({ maxFragments: 3 });
    h.receive(
      Buffer.concat([
        clientFrame(Opcode.Binary, 'a', { fin: false }),
        clientFrame(Opcode.Continuation, 'b', { fin: false }),
        clientFrame(Opcode.Continuation, 'c'),
      ]),
    );
    expect(h.take()).toHaveLength(1);
    h.receive(
      Buffer.concat([
        clientFrame(Opcode.Binary, 'a', { fin: false }),
        clientFrame(Opcode.Continuation, 'b', { fin: false }),
        clientFrame(Opcode.Continuation, 'c', { fin: false }),
        clientFrame(Opcode.Continuation, 'd'),
      ]),
    );
    expectConnectionFailing(h, 1009, ErrorCode.TooManyFragments);
  });

  it('fails with 1002 on RSV1 on a continuation frame, even with an extension that claims RSV1', () => {
    const h = server({ extensions: fakeExtensions() });
    h.receive(
      Buffer.concat([
        clientFrame(Opcode.Binary, 'a', { fin: false }),
        clientFrame(Opcode.Continuation, 'b', { rsv: 0x40 }),
      ]),
    );
    expectConnectionFailing(h, 1002, ErrorCode.UnexpectedRsv1);
  });
});

describe('RFC 6455 §5.5 Control Frames', () => {
  it('fails with 1002 on a control frame whose payload exceeds 125 bytes', () => {
    const h = server();
    h.receive(clientFrame(Opcode.Ping, Buffer.alloc(126)));
    expectConnectionFailing(h, 1002, ErrorCode.InvalidControlPayloadLength);
  });

  it('accepts a control frame of exactly 125 bytes', () => {
    const h = server();
    h.receive(clientFrame(Opcode.Ping, Buffer.alloc(125, 1)));
    expect(h.take()).toEqual([{ type: 'ping', payload: Buffer.alloc(125, 1).toString('hex') }]);
  });

  it.each([Opcode.Close, Opcode.Ping, Opcode.Pong])(
    'fails with 1002 on a fragmented control frame (opcode %s)',
    (opcode) => {
      const h = server();
      h.receive(clientFrame(opcode, '', { fin: false }));
      expectConnectionFailing(h, 1002, ErrorCode.ExpectedFin);
    },
  );

  it('throws RangeError when asked to send a ping or pong over 125 bytes', () => {
    const h = server();
    expect(() => h.connection.sendPing(Buffer.alloc(126))).toThrow(RangeError);
    expect(() => h.connection.sendPong(Buffer.alloc(126))).toThrow(RangeError);
    expectNothingSent(h);
    expect(h.connection.sendPing(Buffer.alloc(125))).toBe(true);
  });

  it('throws RangeError when asked to send a close payload over 125 bytes', () => {
    const h = server();
    expect(() => h.connection.sendClose(1000, 'x'.repeat(124))).toThrow(RangeError);
    expect(h.connection.closeSent).toBe(false);
    expect(h.connection.sendClose(1000, 'x'.repeat(123))).toBe(true);
  });
});

describe('RFC 6455 §5.5.1 Close', () => {
  it('echoes the peer close frame, code and reason, and reports the close', () => {
    const h = server();
    h.receive(clientFrame(Opcode.Close, closePayload(1001, 'going')));
    expectConnectionClosed(h, 1001, 'going');
    expectBytesSent(h, '8807 03e9 676f696e67');
  });

  it('echoes the RFC example close frame byte for byte as a client, masked', () => {
    const h = client();
    h.receive(hex('8807 03e8 48656c6c6f'));
    expectConnectionClosed(h, 1000, 'Hello');
    expectFramesSent(h, [{ opcode: Opcode.Close, payload: closePayload(1000, 'Hello') }]);
  });

  it('reports an empty close frame as 1005 and answers with an empty close frame', () => {
    const h = server();
    h.receive(clientFrame(Opcode.Close));
    expectConnectionClosed(h, CloseCode.NoStatus);
    expectBytesSent(h, '8800');
  });

  it('reports a code without reason with an empty reason', () => {
    const h = server();
    h.receive(clientFrame(Opcode.Close, closePayload(4000)));
    expectConnectionClosed(h, 4000);
    expectBytesSent(h, '8802 0fa0');
  });

  it('fails with 1002 on a 1-byte close payload', () => {
    const h = server();
    h.receive(clientFrame(Opcode.Close, hex('03')));
    expectConnectionFailing(h, 1002, ErrorCode.InvalidClosePayload);
  });

  it('fails with 1007 on a close reason that is not UTF-8', () => {
    const h = server();
    h.receive(
      clientFrame(Opcode.Close, Buffer.concat([closePayload(1000), hex('cebae1bdb9cf83cebcceb5eda080')])),
    );
    expectConnectionFailing(h, 1007, ErrorCode.InvalidUtf8);
  });

  it('processes nothing after the peer close frame', () => {
    const h = server();
    h.receive(
      Buffer.concat([clientFrame(Opcode.Close, closePayload(1000)), clientFrame(Opcode.Text, 'late')]),
    );
    expectConnectionClosed(h, 1000);
    h.receive(clientFrame(Opcode.Ping, 'later'));
    expect(h.take()).toEqual([]);
    expectBytesSent(h, '8802 03e8');
  });

  it('moves to Closing on sendClose, then to Closed on the peer close, sending no second close', () => {
    const h = server();
    expect(h.connection.sendClose(1000, 'bye')).toBe(true);
    expect(h.connection.state).toBe(EngineState.Closing);
    expect(h.connection.closeSent).toBe(true);
    expectBytesSent(h, '8805 03e8 627965');
    h.receive(clientFrame(Opcode.Close, closePayload(1000)));
    expectConnectionClosed(h, 1000);
    expectNothingSent(h);
    expect(h.connection.sendClose(1000)).toBe(false);
  });

  it('sends an empty close frame when no code is given', () => {
    const h = server();
    h.connection.sendClose();
    expectBytesSent(h, '8800');
    expect(() => server().connection.sendClose(undefined, 'reason')).toThrow(TypeError);
  });

  it('while its output is blocked, answers only the newest ping, once unblocked (§5.5.3)', () => {
    const h = server();
    h.connection.setOutputBlocked(true);
    h.receive(Buffer.concat([clientFrame(Opcode.Ping, 'p1'), clientFrame(Opcode.Ping, 'p2')]));
    expect(h.take()).toEqual([
      { type: 'ping', payload: Buffer.from('p1').toString('hex') },
      { type: 'ping', payload: Buffer.from('p2').toString('hex') },
    ]);
    expectNothingSent(h);
    h.connection.setOutputBlocked(false);
    expectFramesSent(h, [{ opcode: Opcode.Pong, payload: 'p2' }]);
    // Unblocked again: every ping is answered.
    h.receive(Buffer.concat([clientFrame(Opcode.Ping, 'p3'), clientFrame(Opcode.Ping, 'p4')]));
    expectFramesSent(h, [
      { opcode: Opcode.Pong, payload: 'p3' },
      { opcode: Opcode.Pong, payload: 'p4' },
    ]);
    // A ping held back when our close goes out is not answered after it.
    h.connection.setOutputBlocked(true);
    h.receive(clientFrame(Opcode.Ping, 'p5'));
    h.connection.sendClose(1000);
    h.sent();
    h.connection.setOutputBlocked(false);
    expectNothingSent(h);
  });

  it('sends nothing after its close frame: send* return false and pings get no pong', () => {
    const h = server();
    h.connection.sendClose(1000);
    h.sent();
    expect(h.connection.sendText('x')).toBe(false);
    expect(h.connection.sendBinary(Buffer.from('x'))).toBe(false);
    expect(h.connection.sendPing()).toBe(false);
    expect(h.connection.sendPong()).toBe(false);
    expect(h.connection.sendEncoded(encodeFrame(Opcode.Text, Buffer.from('x')))).toBe(false);
    h.receive(clientFrame(Opcode.Ping, 'p'));
    expect(h.take()).toEqual([{ type: 'ping', payload: '70' }]);
    expectNothingSent(h);
  });

  it('still delivers data frames the peer sent before it saw our close (§1.4)', () => {
    const h = client();
    h.connection.sendClose(1000);
    h.sent();
    h.receive(
      Buffer.concat([serverFrame(Opcode.Text, 'in flight'), serverFrame(Opcode.Close, closePayload(1000))]),
    );
    expect(h.take()).toEqual([
      { type: 'message', data: 'in flight', binary: false },
      { type: 'close', code: 1000, reason: '' },
    ]);
  });

  it('keeps the close frame after the messages sent before it', () => {
    const h = server();
    h.connection.sendText('one');
    h.connection.sendText('two');
    h.connection.sendClose(1000);
    expectFramesSent(h, [
      { opcode: Opcode.Text, payload: 'one' },
      { opcode: Opcode.Text, payload: 'two' },
      { opcode: Opcode.Close, payload: closePayload(1000) },
    ]);
  });
});

describe('RFC 6455 §5.5.2 Ping and §5.5.3 Pong', () => {
  it('answers a ping with a pong carrying identical application data (RFC §5.7 example)', () => {
    const h = client();
    h.receive(hex('8905 48656c6c6f'));
    expect(h.take()).toEqual([{ type: 'ping', payload: Buffer.from('Hello').toString('hex') }]);
    expectFramesSent(h, [{ opcode: Opcode.Pong, payload: 'Hello' }]);
  });

  it('reads the RFC §5.7 masked pong example and sends nothing back', () => {
    const h = server();
    h.receive(hex('8a85 37fa213d 7f9f4d5158'));
    expect(h.take()).toEqual([{ type: 'pong', payload: Buffer.from('Hello').toString('hex') }]);
    expectNothingSent(h);
  });

  it('answers an empty ping with an empty pong', () => {
    const h = server();
    h.receive(clientFrame(Opcode.Ping));
    expectBytesSent(h, '8a00');
  });

  it('sends unsolicited pongs and pings with their payload', () => {
    const h = server();
    h.connection.sendPing(Buffer.from('a'));
    h.connection.sendPong(Buffer.from('b'));
    expectBytesSent(h, '890161 8a0162');
  });
});

describe('RFC 6455 §5.6 Data Frames and §8.1 UTF-8 handling', () => {
  it('delivers a text message as a string and a binary one as a Buffer', () => {
    const h = server();
    h.receive(Buffer.concat([clientFrame(Opcode.Text, 'héllo ✓'), clientFrame(Opcode.Binary, hex('00ff'))]));
    expect(h.take()).toEqual([
      { type: 'message', data: 'héllo ✓', binary: false },
      { type: 'message', data: hex('00ff'), binary: true },
    ]);
  });

  it('delivers an empty text and an empty binary message', () => {
    const h = server();
    h.receive(Buffer.concat([clientFrame(Opcode.Text), clientFrame(Opcode.Binary)]));
    expect(h.take()).toEqual([
      { type: 'message', data: '', binary: false },
      { type: 'message', data: Buffer.alloc(0), binary: true },
    ]);
  });

  it('fails with 1007 on invalid UTF-8 in a single-frame text message', () => {
    const h = server();
    h.receive(clientFrame(Opcode.Text, hex('cebae1bdb9cf83cebcceb5eda080656469746564')));
    expectConnectionFailing(h, 1007, ErrorCode.InvalidUtf8);
  });

  it('accepts a code point split across two fragments', () => {
    const h = server();
    const bytes = Buffer.from('€');
    h.receive(
      Buffer.concat([
        clientFrame(Opcode.Text, bytes.subarray(0, 1), { fin: false }),
        clientFrame(Opcode.Continuation, bytes.subarray(1)),
      ]),
    );
    expect(h.take()).toEqual([{ type: 'message', data: '€', binary: false }]);
  });

  it('fails with 1007 in the first fragment holding an invalid byte, before the message ends', () => {
    const h = server();
    h.receive(clientFrame(Opcode.Text, hex('cebae1bdb9cf83cebcceb5'), { fin: false }));
    expect(h.take()).toEqual([]);
    h.receive(clientFrame(Opcode.Continuation, hex('eda080'), { fin: false }));
    expectConnectionFailing(h, 1007, ErrorCode.InvalidUtf8);
  });

  it('fails with 1007 as soon as the chunk with the invalid byte arrives, mid-frame', () => {
    const h = server();
    const bytes = clientFrame(
      Opcode.Text,
      Buffer.concat([Buffer.from('valid text, then '), hex('ff'), Buffer.alloc(50, 0x61)]),
    );
    // Header (6) + 17 valid bytes + the bad byte: the rest of the frame never needs to arrive.
    h.receive(bytes.subarray(0, 20));
    expect(h.take()).toEqual([]);
    h.receive(bytes.subarray(20, 6 + 18));
    expectConnectionFailing(h, 1007, ErrorCode.InvalidUtf8);
  });

  it('fails with 1007 when a text message ends inside a code point', () => {
    const h = server();
    h.receive(
      Buffer.concat([
        clientFrame(Opcode.Text, 'ok', { fin: false }),
        clientFrame(Opcode.Continuation, hex('e282')),
      ]),
    );
    expectConnectionFailing(h, 1007, ErrorCode.InvalidUtf8);
  });

  it('keeps a leading U+FEFF as content, in a whole frame and in fragments', () => {
    const h = server();
    const bom = hex('efbbbf 78');
    h.receive(
      Buffer.concat([
        clientFrame(Opcode.Text, bom),
        clientFrame(Opcode.Text, bom.subarray(0, 2), { fin: false }),
        clientFrame(Opcode.Continuation, bom.subarray(2)),
      ]),
    );
    expect(h.take()).toEqual([
      { type: 'message', data: '\ufeffx', binary: false },
      { type: 'message', data: '\ufeffx', binary: false },
    ]);
  });

  it('does not validate binary messages as UTF-8', () => {
    const h = server();
    h.receive(clientFrame(Opcode.Binary, hex('ff fe fd')));
    expect(h.take()).toEqual([{ type: 'message', data: hex('fffefd'), binary: true }]);
  });

  it('sends text as UTF-8 in one frame', () => {
    const h = server();
    h.connection.sendText('\u03ba\u1f79\u03c3\u03bc\u03b5');
    expectBytesSent(h, '810b cebae1bdb9cf83cebcceb5');
  });

  it('sends a large text unmasked as a [header, payload] pair and masked in one buffer', () => {
    const text = 'x'.repeat(5000);
    const s = server();
    s.connection.sendText(text);
    const chunks = s.connection.takeOutgoing();
    expect(chunks.map((c) => c.length)).toEqual([4, 5000]);
    const c = client();
    c.connection.sendText(text);
    expectFramesSent(c, [{ opcode: Opcode.Text, payload: text }]);
  });
});

describe('RFC 6455 §7.1.7 Fail the WebSocket Connection', () => {
  it('fail(code, reason) queues a close frame, stops processing, and does not report onFail', () => {
    const h = server();
    h.connection.fail(1001, 'going away');
    expect(h.connection.state).toBe(EngineState.Closed);
    expectBytesSent(h, '880c 03e9 676f696e672061776179');
    h.receive(clientFrame(Opcode.Text, 'x'));
    expect(h.take()).toEqual([]);
    h.connection.fail(1011);
    expectNothingSent(h);
  });

  it('fail() after sendClose sends no second close frame', () => {
    const h = server();
    h.connection.sendClose(1000);
    h.sent();
    h.connection.fail(1011);
    expectNothingSent(h);
    expect(h.connection.state).toBe(EngineState.Closed);
  });

  it('a protocol error after our close reports onFail without a second close frame', () => {
    const h = server();
    h.connection.sendClose(1000);
    h.sent();
    h.receive(clientFrame(5, ''));
    expect(h.take()).toMatchObject([{ type: 'fail', closeCode: 1002 }]);
    expectNothingSent(h);
  });

  it('cuts a long failure reason to 123 bytes on a code point boundary', () => {
    const h = server();
    h.connection.fail(1008, 'é'.repeat(100));
    const [close] = h.sentFrames();
    expect(close!.payload.length).toBe(2 + 122);
    expect(close!.payload.subarray(2).toString()).toBe('é'.repeat(61));
  });

  it('fails with 1011 and no reason text when an extension throws', () => {
    const h = server({
      extensions: fakeExtensions({
        incoming() {
          throw new Error('boom');
        },
      }),
    });
    h.receive(clientFrame(Opcode.Text, 'x'));
    expectConnectionFailing(h, 1011, ErrorCode.Internal);
  });
});

describe('RFC 6455 §7.4 Status Codes', () => {
  const valid = [
    1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999,
  ];
  const invalid = [0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535];

  it.each(valid)('accepts the close code %s from the peer and echoes it', (code) => {
    const h = server();
    h.receive(clientFrame(Opcode.Close, closePayload(code, 'r')));
    expectConnectionClosed(h, code, 'r');
    expectBytesSent(h, Buffer.concat([hex('8803'), closePayload(code, 'r')]));
  });

  it.each(invalid)('fails with 1002 on the close code %s from the peer', (code) => {
    const h = server();
    h.receive(clientFrame(Opcode.Close, closePayload(code)));
    expectConnectionFailing(h, 1002, ErrorCode.InvalidCloseCode);
  });
});

describe('Engine contract: output queue and notifications', () => {
  it('calls onOutgoing when the queue becomes non-empty, once per receiveData call', () => {
    const h = server();
    h.connection.sendText('a');
    h.connection.sendText('b');
    expect(h.outgoingCalls).toBe(1);
    h.sent();
    h.receive(
      Buffer.concat([
        clientFrame(Opcode.Ping, '1'),
        clientFrame(Opcode.Ping, '2'),
        clientFrame(Opcode.Ping, '3'),
      ]),
    );
    expect(h.outgoingCalls).toBe(2);
    expectBytesSent(h, '8a0131 8a0132 8a0133');
  });

  it('returns an empty list when nothing is queued', () => {
    expect(server().connection.takeOutgoing()).toEqual([]);
  });

  it('queues pre-encoded frames in order with other sends, without copying them', () => {
    const h = server();
    const encoded = encodeFrame(Opcode.Binary, Buffer.alloc(2000, 1));
    h.connection.sendText('before');
    expect(h.connection.sendEncoded(encoded)).toBe(true);
    h.connection.sendText('after');
    const chunks = h.connection.takeOutgoing();
    expect(chunks[1]).toBe(encoded[0]);
    expect(chunks[2]).toBe(encoded[1]);
    expect(readFrames(Buffer.concat(chunks)).map((f) => [f.opcode, f.payload.length])).toEqual([
      [Opcode.Text, 6],
      [Opcode.Binary, 2000],
      [Opcode.Text, 5],
    ]);
  });

  it('refuses sendEncoded on a client, whose frames must each be masked', () => {
    expect(() => client().connection.sendEncoded(encodeFrame(Opcode.Text, Buffer.from('x')))).toThrow(
      TypeError,
    );
  });

  it('after EOF processes nothing and is Closed without reporting a close', () => {
    const h = server();
    h.receive(clientFrame(Opcode.Text, 'He', { fin: false }));
    h.connection.receiveEof();
    expect(h.connection.state).toBe(EngineState.Closed);
    expect(h.connection.closeReceived).toBe(false);
    h.receive(clientFrame(Opcode.Continuation, 'llo'));
    expect(h.take()).toEqual([]);
    h.connection.receiveEof();
    expect(h.connection.state).toBe(EngineState.Closed);
  });

  it('after EOF that follows the closing handshake stays Closed', () => {
    const h = server();
    h.receive(clientFrame(Opcode.Close, closePayload(1000)));
    h.connection.receiveEof();
    expectConnectionClosed(h, 1000);
  });

  it('loses no input when a handler throws: the rest of the chunk is parsed on the next call', () => {
    const h = server();
    let thrown = false;
    h.onMessage = function (data, binary) {
      if (!thrown) {
        thrown = true;
        throw new Error('listener failed');
      }
      Harness.prototype.onMessage.call(this, data, binary);
    };
    expect(() =>
      h.receive(Buffer.concat([clientFrame(Opcode.Text, 'one'), clientFrame(Opcode.Text, 'two')])),
    ).toThrow('listener failed');
    h.receive(clientFrame(Opcode.Text, 'three'));
    expect(h.take()).toEqual([
      { type: 'message', data: 'two', binary: false },
      { type: 'message', data: 'three', binary: false },
    ]);
  });

  it('reads a frame header split over several chunks', () => {
    const h = client();
    const bytes = serverFrame(Opcode.Binary, Buffer.alloc(70000, 3));
    h.receive(bytes.subarray(0, 1));
    h.receive(bytes.subarray(1, 5));
    h.receive(bytes.subarray(5, 9));
    h.receive(bytes.subarray(9));
    expect(h.take()).toEqual([{ type: 'message', data: Buffer.alloc(70000, 3), binary: true }]);
  });
});

/** A minimal pipeline claiming RSV1 for data frames, with pluggable processing. */
function fakeExtensions(
  hooks: {
    incoming?: (
      message: import('../../../src/protocol/extension.js').ExtensionMessage,
      cb: (e: Error | null, m: never) => void,
    ) => void;
  } = {},
): ExtensionPipeline {
  return {
    validFrameRsv: (f) => (f.opcode === 1 || f.opcode === 2) && !f.rsv2 && !f.rsv3,
    processIncomingMessage: (message, cb) =>
      hooks.incoming ? hooks.incoming(message, cb as never) : cb(null, message),
    processOutgoingMessage: (message, cb) => cb(null, message),
    close: (cb) => cb?.(),
  };
}
