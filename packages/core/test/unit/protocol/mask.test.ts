import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskInPlace, maskInPlaceJs, maskInto, WASM_THRESHOLD } from '../../../src/protocol/mask.js';
import { writeRandomMaskKey } from '../../../src/protocol/mask-source.js';
import { wasmMaskAvailable } from '../../../src/protocol/mask-wasm.js';

function naive(data: Uint8Array, key: Uint8Array, phase: number): Uint8Array {
  return data.map((byte, i) => byte ^ key[(i + phase) & 3]!);
}

describe('RFC 6455 §5.3 Client-to-Server Masking', () => {
  it('masks the RFC §5.7 example "Hello" with key 37 fa 21 3d', () => {
    const data = Buffer.from('Hello');
    maskInPlace(data, 0, data.length, Buffer.from('37fa213d', 'hex'), 0, 0);
    expect(data.toString('hex')).toBe('7f9f4d5158');
  });

  it('is its own inverse', () => {
    const key = Buffer.from('a1b2c3d4', 'hex');
    const data = Buffer.from('the quick brown fox jumps over the lazy dog, twice over: the quick brown fox');
    const copy = Buffer.from(data);
    maskInPlace(data, 0, data.length, key, 0, 0);
    expect(data.equals(copy)).toBe(false);
    maskInPlace(data, 0, data.length, key, 0, 0);
    expect(data.equals(copy)).toBe(true);
  });

  it('matches octet i XOR key[i mod 4] for any length, alignment, range and phase', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 700 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: 7 }),
        fc.nat(),
        fc.nat(),
        (bytes, key, offset, a, b) => {
          // A view at an odd offset of a larger buffer exercises the alignment prologue.
          const backing = new Uint8Array(bytes.length + offset);
          backing.set(bytes, offset);
          const data = backing.subarray(offset);
          const start = bytes.length === 0 ? 0 : a % bytes.length;
          const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
          maskInPlace(data, start, end, key, 0, start);
          const expected = Uint8Array.from(bytes);
          expected.set(naive(bytes.subarray(start, end), key, start), start);
          expect(Buffer.from(data).equals(Buffer.from(expected))).toBe(true);
          expect(Buffer.from(backing.subarray(0, offset)).equals(Buffer.alloc(offset))).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('unmasks a payload piece by piece with the running phase', () => {
    const key = Buffer.from('0102f0ff', 'hex');
    const plain = Buffer.from('abcdefghijklmnopqrstuvwxyz'.repeat(10));
    const masked = Buffer.from(plain);
    maskInPlace(masked, 0, masked.length, key, 0, 0);
    for (const cut of [1, 2, 3, 5, 100, 199]) {
      const data = Buffer.from(masked);
      maskInPlace(data, 0, cut, key, 0, 0);
      maskInPlace(data, cut, data.length, key, 0, cut);
      expect(data.equals(plain)).toBe(true);
    }
  });

  it('copies into the target when masking, leaving the source untouched', () => {
    const source = Buffer.alloc(300, 0x55);
    const target = Buffer.alloc(310);
    maskInto(source, target, 10, Buffer.from('00000000ff', 'hex'), 1);
    expect(source.equals(Buffer.alloc(300, 0x55))).toBe(true);
    expect(target.subarray(10).equals(Buffer.from(naive(source, Buffer.from('000000ff', 'hex'), 0)))).toBe(
      true,
    );
  });

  it('draws unpredictable 4-byte keys from the pooled CSPRNG, never repeating a pool slot', () => {
    const keys = new Set<string>();
    const target = Buffer.alloc(6);
    for (let i = 0; i < 5000; i++) {
      writeRandomMaskKey(target, 1);
      keys.add(target.subarray(1, 5).toString('hex'));
    }
    // 5000 draws from 2^32: a collision is ~0.3 % likely; more than a few means keys repeat.
    expect(keys.size).toBeGreaterThan(4990);
    expect(target[0]).toBe(0);
    expect(target[5]).toBe(0);
  });
});

describe('RFC 6455 §5.3 masking through the WebAssembly SIMD kernel', () => {
  it('loads the embedded kernel on Node 20 (SIMD is on by default)', () => {
    expect(wasmMaskAvailable).toBe(true);
  });

  it('agrees with the JS loop and the definition for large payloads at any offset, phase and window split', () => {
    // Sizes around the threshold, the 64-byte kernel step and the 64 KiB window.
    const sizes = [
      WASM_THRESHOLD,
      WASM_THRESHOLD + 1,
      1000,
      4096 + 63,
      65536,
      65536 + 64,
      65536 + 5,
      200_003,
    ];
    const key = Buffer.from('9a0b7c3e', 'hex');
    for (const size of sizes) {
      for (const offset of [0, 1, 3]) {
        for (const phase of [0, 1, 2, 3]) {
          const plain = Buffer.alloc(size);
          for (let i = 0; i < size; i++) plain[i] = (i * 31 + 7) & 0xff;
          const backing = Buffer.alloc(size + offset + 2, 0xee);
          plain.copy(backing, offset);
          maskInPlace(backing, offset, offset + size, key, 0, phase);
          const viaJs = Buffer.from(plain);
          maskInPlaceJs(viaJs, 0, size, key, 0, phase);
          expect(backing.subarray(offset, offset + size).equals(viaJs)).toBe(true);
          expect(viaJs.equals(Buffer.from(naive(plain, key, phase)))).toBe(true);
          // Bytes outside the range are untouched.
          expect(backing.subarray(0, offset).equals(Buffer.alloc(offset, 0xee))).toBe(true);
          expect(backing.subarray(offset + size).equals(Buffer.alloc(2, 0xee))).toBe(true);
        }
      }
    }
  });

  it('masks into a target with a key held in the target ahead of the payload (a frame header)', () => {
    for (const size of [WASM_THRESHOLD, 70_001]) {
      const source = Buffer.alloc(size);
      for (let i = 0; i < size; i++) source[i] = (i * 13) & 0xff;
      const before = Buffer.from(source);
      const frame = Buffer.alloc(size + 6);
      frame.set(Buffer.from('c0ffee01', 'hex'), 2);
      maskInto(source, frame, 6, frame, 2);
      expect(source.equals(before)).toBe(true);
      expect(frame.subarray(6).equals(Buffer.from(naive(source, Buffer.from('c0ffee01', 'hex'), 0)))).toBe(
        true,
      );
      expect(frame.subarray(2, 6).toString('hex')).toBe('c0ffee01');
    }
  });

  it('unmasks a large payload piece by piece, pieces split anywhere, as one pass would', () => {
    const key = Buffer.from('01f2e3d4', 'hex');
    const plain = Buffer.alloc(150_000);
    for (let i = 0; i < plain.length; i++) plain[i] = (i * 7) & 0xff;
    const masked = Buffer.from(naive(plain, key, 0));
    fc.assert(
      fc.property(fc.array(fc.nat({ max: plain.length }), { maxLength: 6 }), (cuts) => {
        const data = Buffer.from(masked);
        const bounds = [0, ...cuts.sort((a, b) => a - b), plain.length];
        for (let i = 0; i + 1 < bounds.length; i++) {
          maskInPlace(data, bounds[i]!, bounds[i + 1]!, key, 0, bounds[i]!);
        }
        expect(data.equals(plain)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('falls back to the JS loop where WebAssembly is unavailable (node --jitless), with the same bytes', () => {
    // A fresh process: the kernel is instantiated once, when the module loads.
    const mask = fileURLToPath(new URL('../../../src/protocol/mask.ts', import.meta.url));
    const wasm = fileURLToPath(new URL('../../../src/protocol/mask-wasm.ts', import.meta.url));
    const script = `
      const { maskInPlace } = await import(${JSON.stringify(mask)});
      const { wasmMaskAvailable } = await import(${JSON.stringify(wasm)});
      const data = Buffer.alloc(5003);
      for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
      maskInPlace(data, 1, 5002, Buffer.from('0a0b0c0d', 'hex'), 0, 2);
      console.log(JSON.stringify({ wasmMaskAvailable, data: data.toString('base64') }));`;
    const output = execFileSync(
      process.execPath,
      ['--jitless', '--no-warnings', '--import', 'tsx', '--input-type=module', '-e', script],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const result = JSON.parse(output) as { wasmMaskAvailable: boolean; data: string };
    expect(result.wasmMaskAvailable).toBe(false);
    const expected = Buffer.alloc(5003);
    for (let i = 0; i < expected.length; i++) expected[i] = (i * 7) & 0xff;
    maskInPlace(expected, 1, 5002, Buffer.from('0a0b0c0d', 'hex'), 0, 2);
    expect(Buffer.from(result.data, 'base64').equals(expected)).toBe(true);
  });
});
