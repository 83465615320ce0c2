import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { ROOT } from './app-process.ts';
import { track } from './child-registry.ts';

/** Spawns a script of bench/children as its own Node process under tsx. */
function spawnScript(script: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', `bench/children/${script}`, ...args], {
    cwd: ROOT,
    env: { ...(process.env as Record<string, string>), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return track(child);
}

/** Collects the last `max` lines of a stream, for error messages. */
function tailOf(stream: NodeJS.ReadableStream, max = 30): string[] {
  const lines: string[] = [];
  createInterface({ input: stream }).on('line', (line) => {
    lines.push(line);
    if (lines.length > max) lines.shift();
  });
  return lines;
}

/**
 * Runs a script to its end and returns the JSON object on the last line of its output.
 * Raises an error with the script's last output lines when it exits with a non-zero code.
 */
export async function runScript<T>(script: string, args: string[], env: Record<string, string> = {}): Promise<T> {
  const child = spawnScript(script, args, env);
  const stdout = tailOf(child.stdout!);
  const stderr = tailOf(child.stderr!);
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  if (code !== 0) {
    const output = [...stdout, ...stderr].join('\n');
    throw new Error(`bench/children/${script} failed (code ${code}, signal ${signal}):\n${output}`);
  }
  const last = stdout.at(-1);
  if (!last) throw new Error(`bench/children/${script} printed no result`);
  return JSON.parse(last) as T;
}

/** A server script that runs until it is stopped. */
export interface ScriptServer {
  port: number;
  /** Base URL, http://127.0.0.1:<port>. */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts a server script and waits for the `{"port": N}` line it prints once it listens. */
export async function startScriptServer(
  script: string,
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<ScriptServer> {
  const child = spawnScript(script, [], env);
  const stderr = tailOf(child.stderr!);
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not listen within ${timeoutMs} ms`)), timeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const parsed = /^\{"port":(\d+)\}$/.exec(line);
      if (!parsed) return;
      clearTimeout(timer);
      resolve(Number(parsed[1]));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with code ${code} before listening:\n${stderr.join('\n')}`));
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { port, url: `http://127.0.0.1:${port}`, pid: child.pid ?? 0, stop };
}
