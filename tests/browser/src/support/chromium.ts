import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Path of Debian's Chromium, which scripts/ensure-chromium.mjs installs when it is missing. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

// --no-sandbox because CI runs as root. The other switches stop Chromium's own traffic to
// update, sync and field-trial servers, so the test reaches only servers on 127.0.0.1.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A headless Chromium with a profile of its own, removed again by `close`. */
export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium on a new, empty profile directory. */
export async function launchChromium(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: run "npm run test:int -w @fileflow/browser-tests", ` +
        'which installs it as root, or "apt-get install -y chromium"',
    );
  }
  const profile = await mkdtemp(join(tmpdir(), 'fileflow-chromium-'));
  // Playwright passes --user-data-dir itself when given a profile directory, and rejects it in args.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
