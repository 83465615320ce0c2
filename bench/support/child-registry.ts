import type { ChildProcess } from 'node:child_process';

/** Child processes of this run that are still running. */
const running = new Set<ChildProcess>();

/**
 * Kills every child still running, by PID, when this process gets SIGINT or SIGTERM, so that an
 * interrupted run leaves no app or helper behind. `node infra/local/cli.mjs exec` forwards both
 * signals to the benchmark and stops the stack once it exits.
 */
function stopChildrenOnSignal(signal: NodeJS.Signals): void {
  process.once(signal, () => {
    for (const child of running) child.kill('SIGKILL');
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  });
}
stopChildrenOnSignal('SIGINT');
stopChildrenOnSignal('SIGTERM');

/** Registers a child until it exits. */
export function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}
