import { defineSockeyeProject } from '../vitest.shared.ts';

export default defineSockeyeProject('bench');
