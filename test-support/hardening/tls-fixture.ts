// Kept so the hardening tests' imports stand; the fixture itself lives in `test-support/tls-fixture.ts`.
export { selfSignedCertificate, type TlsFixture } from '../tls-fixture.js';
