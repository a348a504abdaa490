import type { ConformanceCase } from '../case.js';
import { closeCases } from './close.js';
import { compressionCases, compressionParameterCases } from './compression.js';
import { fragmentationCases } from './fragmentation.js';
import { framingCases } from './framing.js';
import { handshakeCases } from './handshake.js';
import { autoFragmentationCases, limitCases } from './limits.js';
import { opcodeCases } from './opcodes.js';
import { pingPongCases } from './ping-pong.js';
import { reservedBitsCases } from './reserved-bits.js';
import { utf8Cases } from './utf8.js';

/** Category names, as in Autobahn (0 is the suite's handshake category). */
export const CATEGORIES: Record<string, string> = {
  '0': 'Handshake',
  '1': 'Framing',
  '2': 'Pings/Pongs',
  '3': 'Reserved Bits',
  '4': 'Opcodes',
  '5': 'Fragmentation',
  '6': 'UTF-8 Handling',
  '7': 'Close Handling',
  '9': 'Limits/Performance',
  '10': 'Auto-Fragmentation',
  '12': 'WebSocket Compression (payloads)',
  '13': 'WebSocket Compression (parameters)',
};

/** Every case, in report order. `maxMessageSize` caps the 9.x sizes. */
export function allCases(maxMessageSize?: number): ConformanceCase[] {
  return [
    ...handshakeCases,
    ...framingCases,
    ...pingPongCases,
    ...reservedBitsCases,
    ...opcodeCases,
    ...fragmentationCases,
    ...utf8Cases,
    ...closeCases,
    ...limitCases(maxMessageSize),
    ...autoFragmentationCases,
    ...compressionCases,
    ...compressionParameterCases,
  ];
}

/**
 * Filters cases by patterns like `6.4.*`, `12`, `7.9.3` (comma-separated). A pattern without a
 * star matches the id itself and everything under it.
 */
export function selectCases(
  cases: readonly ConformanceCase[],
  patterns: string | undefined,
): ConformanceCase[] {
  if (!patterns) return [...cases];
  const tests = patterns.split(',').map((p) => {
    const pattern = p.trim();
    if (pattern.includes('*')) {
      const re = new RegExp(`^${pattern.replace(/\./g, '\\.').replace(/\*/g, '.*')}$`);
      return (id: string) => re.test(id);
    }
    return (id: string) => id === pattern || id.startsWith(`${pattern}.`);
  });
  return cases.filter((c) => tests.some((t) => t(c.id)));
}
