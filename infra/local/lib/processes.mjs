// Starting, probing and stopping service processes by PID, so that a process
// other than the one that started a service (a test attached to the stack) can
// stop it too.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const POLL_INTERVAL_MS = 100;
const KILL_WAIT_MS = 5_000;

/**
 * Starts a long-running service in its own process group with stdout and
 * stderr appended to logPath, and returns its { pid, startTime }.
 * The child is detached and unreferenced, so it outlives this process unless
 * someone stops it.
 */
export async function spawnService({ command, args, env, cwd, logPath, uid, gid }) {
  const logFd = fs.openSync(logPath, 'a');
  try {
    const child = spawn(command, args, {
      cwd,
      env,
      uid,
      gid,
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
    await new Promise((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.unref();
    return { pid: child.pid, startTime: readProcessStat(child.pid).startTime };
  } finally {
    fs.closeSync(logFd);
  }
}

/**
 * Returns the state letter, parent PID and start time (clock ticks after boot)
 * from /proc/PID/stat, or null when no such process exists.
 */
function readProcessStat(pid) {
  let text;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name in brackets may contain spaces, so split after its last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], parentPid: Number(fields[1]), startTime: fields[19] };
}

/**
 * Reports whether the process in record ({ pid, startTime }) still runs.
 * The start time guards against a recycled PID, and zombies count as stopped.
 */
export function isRunning(record) {
  if (!record) return false;
  const stat = readProcessStat(record.pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') return false;
  return stat.startTime === record.startTime;
}

/** Returns the PIDs of all live descendants of pid. */
function listDescendants(pid) {
  const childrenByParent = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcessStat(entry);
    if (!stat) continue;
    const siblings = childrenByParent.get(stat.parentPid) ?? [];
    siblings.push(Number(entry));
    childrenByParent.set(stat.parentPid, siblings);
  }
  const descendants = [];
  const pending = [pid];
  while (pending.length > 0) {
    const children = childrenByParent.get(pending.pop()) ?? [];
    descendants.push(...children);
    pending.push(...children);
  }
  return descendants;
}

function sendSignal(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
}

function isPidAlive(pid) {
  const stat = readProcessStat(pid);
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
}

async function waitForExit(pids, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!pids.some(isPidAlive)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(POLL_INTERVAL_MS);
  }
}

/**
 * Sends signal to the process in record and waits up to timeoutMs for it and
 * its descendants to exit. Past the deadline it sends SIGKILL to all of them.
 * Returns true when the graceful stop worked and false when SIGKILL was needed.
 */
export async function stopProcess(record, { signal, timeoutMs }) {
  if (!isRunning(record)) return true;
  sendSignal(record.pid, signal);
  if (await waitForExit([record.pid], timeoutMs)) {
    // A graceful stop waits for its children, but check in case one was orphaned.
    await killAll(listDescendants(record.pid));
    return true;
  }
  // Collect the tree before killing the root: once the root is gone, its
  // children are reparented and can no longer be found by walking from it.
  const tree = [record.pid, ...listDescendants(record.pid)];
  await killAll(tree);
  return false;
}

async function killAll(pids) {
  if (pids.length === 0) return;
  for (const pid of pids) sendSignal(pid, 'SIGKILL');
  if (!(await waitForExit(pids, KILL_WAIT_MS))) {
    throw new Error(`processes ${pids.join(', ')} still run ${KILL_WAIT_MS} ms after SIGKILL`);
  }
}

/**
 * Sends SIGKILL to the process in record and its descendants without waiting.
 * Meant for a process 'exit' handler, where nothing asynchronous can run.
 */
export function killProcessTreeSync(record) {
  if (!isRunning(record)) return;
  const tree = [record.pid, ...listDescendants(record.pid)];
  for (const pid of tree) sendSignal(pid, 'SIGKILL');
}

/** Returns the resident set size in KiB of the process in record plus its descendants. */
export function measureTreeRssKiB(record) {
  if (!isRunning(record)) return 0;
  let total = 0;
  for (const pid of [record.pid, ...listDescendants(record.pid)]) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
      if (match) total += Number(match[1]);
    } catch {
      // The process exited between the listing and the read.
    }
  }
  return total;
}
