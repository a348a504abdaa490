// The shared build: CommonJS code, ES module declarations (the wrapper is written after tsup).
export { packageBuild as default } from '../../tsup.shared.js';
