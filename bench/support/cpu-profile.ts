import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT } from './app-process.ts';

/** Node of a V8 CPU profile as `node --cpu-prof` writes it. */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  /** Start of sampling in µs of the monotonic clock that process.hrtime reads. */
  startTime: number;
  samples: number[];
  /** Time between consecutive samples, in µs. */
  timeDeltas: number[];
}

/** A span of the monotonic clock, in µs as `process.hrtime.bigint() / 1000n` returns it. */
export interface ClockWindow {
  fromUs: number;
  toUs: number;
}

/** Reads the monotonic clock in µs, on the same scale as a CPU profile's sample times. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Time spent in one group of functions, in ms and as a share of the busy time. */
export interface ProfileEntry {
  name: string;
  ms: number;
  share: number;
}

/** Self time of a profiled process while it was not idle, by origin and by function. */
export interface ProfileSummary {
  /** Sampled time other than idle, in ms. */
  busyMs: number;
  idleMs: number;
  /** Self time by package, Node internals and the project's own folders. */
  byOrigin: ProfileEntry[];
  /** Functions with the most self time. */
  topFunctions: ProfileEntry[];
}

/** Names the origin of a function: an npm package, Node itself, or a folder of this repository. */
function originOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : 'V8 and native code';
  if (url.startsWith('node:')) return 'Node internals';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  const local = url.replace(/^file:\/\//, '').replace(ROOT, '');
  const folder = /^((?:apps|packages|bench|tests)\/[^/]+)/.exec(local);
  return folder ? folder[1]! : local;
}

function shortLocation(url: string, line: number): string {
  const path = url.replace(/^file:\/\//, '').replace(ROOT, '').replace(/^.*node_modules\//, '');
  return path ? `${path}:${line + 1}` : '';
}

function top(totals: Map<string, number>, busyMs: number, count: number): ProfileEntry[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => ({ name, ms, share: ms / busyMs }));
}

/**
 * Reads a `.cpuprofile` and sums the self time of the samples inside `window` by origin and by
 * function, leaving out start-up and shutdown. Self time only: an async function's
 * continuations run from the microtask queue, not under their caller, so inclusive time would
 * miss most of what an awaited call costs.
 */
export async function summarizeProfile(file: string, window: ClockWindow, count = 15): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const selfMs = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (at < window.fromUs || at > window.toUs) return;
    selfMs.set(id, (selfMs.get(id) ?? 0) + delta / 1_000);
  });

  const byOrigin = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let idleMs = 0;
  for (const node of profile.nodes) {
    const ms = selfMs.get(node.id) ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    const origin = originOf(url, functionName);
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + ms);
    const name = `${functionName || '(anonymous)'} ${shortLocation(url, lineNumber)}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
  }
  const busyMs = [...byOrigin.values()].reduce((sum, ms) => sum + ms, 0);

  return {
    busyMs,
    idleMs,
    byOrigin: top(byOrigin, busyMs, count),
    topFunctions: top(byFunction, busyMs, count),
  };
}

/**
 * Returns the main thread's profile in a folder that `node --cpu-prof` wrote, whose default file
 * names are CPU.<date>.<time>.<pid>.<thread id>.<sequence>.cpuprofile with thread id 0 for the
 * main thread.
 */
export async function mainThreadProfile(folder: string): Promise<string> {
  const names = await readdir(folder);
  const main = names.find((name) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(name));
  if (!main) throw new Error(`no main-thread CPU profile in ${folder}, only: ${names.join(', ')}`);
  return path.join(folder, main);
}
