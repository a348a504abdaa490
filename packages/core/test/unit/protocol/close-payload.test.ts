import { describe, expect, it } from 'vitest';
import { ErrorCode, ProtocolError } from '../../../src/errors.js';
import { CloseCode, isValidCloseCode } from '../../../src/protocol/close-code.js';
import { encodeClosePayload, parseClosePayload } from '../../../src/protocol/close-payload.js';
import { hex } from './engine-harness.js';

describe('RFC 6455 §7.4 Status Codes', () => {
  it('names the codes of §7.4.1 and the IANA registry', () => {
    expect(CloseCode).toMatchObject({
      Normal: 1000,
      NoStatus: 1005,
      Abnormal: 1006,
      InternalError: 1011,
      BadGateway: 1014,
    });
  });

  it('lets 1000–1003, 1007–1014 and 3000–4999 be sent, nothing else', () => {
    const allowed: number[] = [];
    for (let code = 0; code < 6000; code++) if (isValidCloseCode(code)) allowed.push(code);
    expect(allowed.filter((c) => c < 3000)).toEqual([
      1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
    ]);
    expect(allowed.filter((c) => c >= 3000)).toHaveLength(2000);
    expect(allowed.at(-1)).toBe(4999);
    expect(isValidCloseCode(1000.5)).toBe(false);
    expect(isValidCloseCode(Number.NaN)).toBe(false);
  });
});

describe('RFC 6455 §5.5.1 close payloads', () => {
  it('encodes code then UTF-8 reason, or nothing without a code', () => {
    expect(encodeClosePayload(1000, 'é').toString('hex')).toBe('03e8c3a9');
    expect(encodeClosePayload(4000).toString('hex')).toBe('0fa0');
    expect(encodeClosePayload().length).toBe(0);
  });

  it('refuses more than 125 bytes', () => {
    expect(() => encodeClosePayload(1000, 'é'.repeat(62))).toThrow(RangeError);
    expect(encodeClosePayload(1000, `${'é'.repeat(61)}x`).length).toBe(125);
  });

  it('parses empty, code-only and code-and-reason payloads', () => {
    expect(parseClosePayload(hex(''))).toEqual({ code: 1005, reason: '' });
    expect(parseClosePayload(hex('03e8'))).toEqual({ code: 1000, reason: '' });
    expect(parseClosePayload(hex('0bb8 c3a9'))).toEqual({ code: 3000, reason: 'é' });
  });

  it.each([
    ['a 1-byte payload', '03', 1002, ErrorCode.InvalidClosePayload],
    ['code 1005', '03ed', 1002, ErrorCode.InvalidCloseCode],
    ['code 2999', '0bb7', 1002, ErrorCode.InvalidCloseCode],
    ['a reason that is not UTF-8', '03e8 ff', 1007, ErrorCode.InvalidUtf8],
  ])('rejects %s', (_name, bytes, closeCode, code) => {
    let error: unknown;
    try {
      parseClosePayload(hex(bytes));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ closeCode, code });
  });
});
