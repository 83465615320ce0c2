// Makes sure Debian's Chromium is at /usr/bin/chromium before the browser tests start. It is
// installed with apt-get when it is missing and this process runs as root; otherwise this fails.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';

/** Runs apt-get with `args` and returns true when it exited with 0. */
function aptGet(...args) {
  const result = spawnSync('apt-get', args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.error) console.error(`apt-get ${args.join(' ')} failed to start: ${result.error.message}`);
  return result.status === 0;
}

if (!existsSync(CHROMIUM)) {
  if (process.getuid?.() !== 0) {
    console.error(
      `${CHROMIUM} is missing and this user is not root, so it cannot be installed here. ` +
        'Install it with "sudo apt-get install -y chromium" and run the browser tests again.',
    );
    process.exit(1);
  }
  console.log(`${CHROMIUM} is missing: installing Debian's chromium package`);
  // A new machine may have no package lists yet, so a failed install is tried again after an update.
  const installed =
    aptGet('install', '-y', 'chromium') || (aptGet('update') && aptGet('install', '-y', 'chromium'));
  if (!installed || !existsSync(CHROMIUM)) {
    console.error(
      `installing chromium with apt-get failed, so ${CHROMIUM} is still missing: ` +
        'read the apt-get output above, fix the package source and run the browser tests again',
    );
    process.exit(1);
  }
}
