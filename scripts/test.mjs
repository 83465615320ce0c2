// Runs every test task through turbo with the output unprefixed, then prints one closing
// line that adds up the node test runner's counts from all packages.
import { spawn } from 'node:child_process';

const tasks = process.argv.slice(2);
const args = ['turbo', 'run', ...(tasks.length ? tasks : ['typecheck', 'test', 'test:int']),
  '--concurrency=1', '--continue', '--log-prefix=none', '--log-order=grouped'];
const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'inherit'] });

const totals = { pass: 0, fail: 0, skipped: 0 };
let carry = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const lines = (carry + chunk.toString()).split('\n');
  carry = lines.pop() ?? '';
  for (const line of lines) {
    const match = /^# (pass|fail|skipped) (\d+)$/.exec(line.trim());
    if (match) totals[match[1]] += Number(match[2]);
  }
});

child.on('exit', (code) => {
  const failed = code !== 0 || totals.fail > 0;
  console.log(`\ntests: ${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped`);
  process.exit(failed ? code || 1 : 0);
});
