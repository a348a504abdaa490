import fc from 'fast-check';
import { frame } from './raw-peer.js';

// Real frames (some valid, most not quite: any opcode, RSV bits, masked or not, fragments) mixed
// with raw noise.
const piece: fc.Arbitrary<Buffer> = fc.oneof(
  fc
    .record({
      opcode: fc.constantFrom(0, 1, 2, 3, 8, 9, 10, 11),
      payload: fc.uint8Array({ maxLength: 200 }),
      fin: fc.boolean(),
      mask: fc.boolean(),
      rsv: fc.integer({ min: 0, max: 7 }),
    })
    .map(({ opcode, payload, fin, mask, rsv }) => frame(opcode, Buffer.from(payload), { fin, mask, rsv })),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((a) => Buffer.from(a)),
);

/** What a fuzzed peer writes after the handshake: one to eight pieces, each written on its own. */
export const socketInput: fc.Arbitrary<Buffer[]> = fc.array(piece, { minLength: 1, maxLength: 8 });
