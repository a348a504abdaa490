import { defineSockeyeProject } from '../../vitest.shared.ts';

// The umbrella is tested as applications load it: the built packages, through `require('sockeye')`.
export default defineSockeyeProject('sockeye', {}, { fromSource: false });
