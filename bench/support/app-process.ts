import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { track } from './child-registry.ts';

/** Repository root, the working folder of every child process. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The three apps of FileFlow. */
export type AppName = 'api' | 'consumer' | 'retry-consumer';

/** Options of one app process. */
export interface AppProcessOptions {
  app: AppName;
  /** Name of this process in reports, such as `consumer-2`. */
  instance: string;
  /** Complete environment of the process. */
  env: Record<string, string>;
  /**
   * Folder that receives a V8 CPU profile of each thread in `<folder>/<instance>/` when the
   * process exits; no profile when absent.
   */
  cpuProfileDir?: string;
}

/** Resident memory of a process, in bytes. */
export interface MemoryUsage {
  rssBytes: number;
  /** Peak resident set size since the process started (VmHWM). */
  peakRssBytes: number;
}

/** Messages whose log lines mean that an upload attempt did not succeed. */
const FAILURE_MESSAGES = [
  'attempt failed; retry scheduled',
  'upload failed; sent to the dead-letter topic',
  'message processing failed; it will be redelivered',
];
const TAIL_LINES = 40;

/** Path of an app's esbuild bundle below ROOT, which `buildApps` writes. */
function bundlePath(app: AppName): string {
  return `apps/${app}/dist/bin/main.js`;
}

/**
 * Builds each app's esbuild bundle with its `build` script, which is what its container image
 * runs. Raises with the build's output when it fails.
 */
export async function buildApps(): Promise<void> {
  const apps = ['api', 'consumer', 'retry-consumer'].map((app) => `--filter=@fileflow/${app}`);
  const child = spawn('npx', ['turbo', 'run', 'build', ...apps, '--output-logs=errors-only'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`building the apps failed (exit ${code}):\n${output}`);
}

/**
 * One app started from its esbuild bundle as `node apps/<app>/dist/bin/main.js`, as its
 * container image starts it. It reads the app's JSON log and keeps only what the benchmarks need: the listening
 * port, the uploads this instance completed and the last lines for error messages.
 */
export class AppProcess {
  /** Partition of each upload this instance completed, by upload id. */
  readonly completed = new Map<string, number>();
  /** Log lines that report a failed attempt. */
  failureLines = 0;
  port = 0;
  private readonly tail: string[] = [];
  private readonly exited: Promise<unknown>;
  /** Callbacks that wait for a log line containing their needle. */
  private readonly waiters = new Map<string, () => void>();

  private constructor(
    readonly options: AppProcessOptions,
    private readonly child: ChildProcess,
  ) {
    this.exited = once(child, 'exit');
    createInterface({ input: child.stdout! }).on('line', (line) => this.record(line));
    createInterface({ input: child.stderr! }).on('line', (line) => this.keep(line));
  }

  /** Starts the app and waits until it listens and, for a consumer, until it consumes. */
  static async start(options: AppProcessOptions, timeoutMs = 90_000): Promise<AppProcess> {
    // Every thread writes a profile, so each instance gets a folder.
    const profile = options.cpuProfileDir
      ? ['--cpu-prof', `--cpu-prof-dir=${path.join(options.cpuProfileDir, options.instance)}`]
      : [];
    const child = spawn(
      process.execPath,
      [...profile, bundlePath(options.app)],
      { cwd: ROOT, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const app = new AppProcess(options, track(child));
    const ready = options.app === 'api' ? 'api listening' : 'consumer started';
    try {
      await app.waitFor(ready, timeoutMs);
    } catch (error) {
      await app.stop();
      throw error;
    }
    return app;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get instance(): string {
    return this.options.instance;
  }

  /** Reads the process's current and peak resident memory from /proc. */
  async memory(): Promise<MemoryUsage> {
    const status = await readFile(`/proc/${this.pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rssBytes: kib('VmRSS') * 1024, peakRssBytes: kib('VmHWM') * 1024 };
  }

  /** Sends SIGTERM, waits for a graceful exit and kills the process after `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
    return this.child.exitCode;
  }

  /** Last log lines, for error messages. */
  lastLines(): string {
    return this.tail.join('\n');
  }

  private waitFor(message: string, timeoutMs: number): Promise<void> {
    const needle = `"msg":"${message}"`;
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null, signal: string | null) => {
        clearTimeout(timer);
        reject(new Error(`${this.instance} exited (code ${code}, signal ${signal}):\n${this.lastLines()}`));
      };
      const timer = setTimeout(() => {
        this.waiters.delete(needle);
        this.child.off('exit', onExit);
        reject(new Error(`${this.instance} did not log "${message}" within ${timeoutMs} ms:\n${this.lastLines()}`));
      }, timeoutMs);
      this.waiters.set(needle, () => {
        clearTimeout(timer);
        this.child.off('exit', onExit);
        resolve();
      });
      this.child.once('exit', onExit);
    });
  }

  /** Looks only at lines that can matter, since the API logs two lines per request. */
  private record(line: string): void {
    this.keep(line);
    if (line.includes('"msg":"upload completed"')) {
      const json = JSON.parse(line) as { uploadId: string; partition: number };
      this.completed.set(json.uploadId, json.partition);
    } else if (line.includes('"msg":"api listening"') || line.includes('"msg":"health server listening"')) {
      this.port = (JSON.parse(line) as { port: number }).port;
    } else if (FAILURE_MESSAGES.some((message) => line.includes(`"msg":"${message}"`))) {
      this.failureLines += 1;
    }
    for (const [needle, resolve] of this.waiters) {
      if (!line.includes(needle)) continue;
      this.waiters.delete(needle);
      resolve();
    }
  }

  private keep(line: string): void {
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
  }
}
