import { type Browser, chromium } from 'playwright-core';

/**
 * Launches Debian's headless Chromium with the flags TOOLCHAIN.md lists: no sandbox (the tests
 * run as root in CI) and no network chatter of its own (loopback only). Close it in `afterAll`.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
