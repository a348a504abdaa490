import type { Subject } from '../subject.js';
import { fayeSubject } from './faye.js';
import { sockeyeSubject } from './sockeye.js';
import { wsSubject } from './ws.js';

/** Every subject by name, in report order. */
export const SUBJECTS: Record<string, Subject> = {
  sockeye: sockeyeSubject,
  ws: wsSubject,
  faye: fayeSubject,
};
