import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { StackEnv } from './stack.ts';

/** Clock ticks per second of the times in /proc/<pid>/stat: USER_HZ, 100 on x86-64 and arm64 Linux. */
const TICKS_PER_SECOND = 100;

/** Reads the CPU time of a process in seconds, with that of its exited children when `children` is set. */
async function processSeconds(pid: number, children = false): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return 0;
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  // utime, stime, cutime and cstime are fields 14 to 17 of the whole line.
  const [utime = 0, stime = 0, cutime = 0, cstime = 0] = fields.slice(11, 15);
  return (utime + stime + (children ? cutime + cstime : 0)) / TICKS_PER_SECOND;
}

/** Name of the busy time of all processes that a meter does not name. */
export const OTHER_PROCESSES = 'other processes';

/** Key under which a meter reads the busy time of the whole machine. */
const MACHINE = '(machine)';

/** Reads the CPU time that all processes of the machine have used, in seconds, from /proc/stat. */
async function machineSeconds(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal guest guest_nice; guest time is in user.
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = line.split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq) / TICKS_PER_SECOND;
}

async function childPids(parent: number): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const parentPid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (parentPid === parent) pids.push(Number(name));
  }
  return pids;
}

/**
 * Reads the CPU time of a process tree whose children come and go, such as PostgreSQL's
 * backends: the parent with its exited children plus every live child.
 */
async function treeSeconds(parent: number): Promise<number> {
  const live = await Promise.all((await childPids(parent)).map((pid) => processSeconds(pid)));
  return (await processSeconds(parent, true)) + live.reduce((sum, seconds) => sum + seconds, 0);
}

/** Processes whose CPU time a meter reads, by the name a report shows. */
export type MeteredProcesses = Record<string, { pid: number; tree?: boolean }>;

/** Reads the PIDs of the stack's PostgreSQL postmaster, Kafka broker and SeaweedFS server. */
export async function stackProcesses(stack: StackEnv): Promise<MeteredProcesses> {
  const state = JSON.parse(await readFile(path.join(stack.FILEFLOW_STACK_DIR, 'pids.json'), 'utf8')) as {
    processes: Record<'postgres' | 'kafka' | 's3', { pid: number }>;
  };
  return {
    postgresql: { pid: state.processes.postgres.pid, tree: true },
    kafka: { pid: state.processes.kafka.pid },
    seaweedfs: { pid: state.processes.s3.pid },
  };
}

/** Cores each process used over a span: CPU seconds divided by wall seconds. */
export type CoresUsed = Record<string, number>;

/** Measures the CPU time that processes use between `start` and `stop`. */
export class CpuMeter {
  private started = new Map<string, number>();
  private startedAt = 0;

  constructor(private readonly processes: MeteredProcesses) {}

  async start(): Promise<void> {
    this.started = await this.read();
    this.startedAt = performance.now();
  }

  /**
   * Returns the cores each metered process used, plus OTHER_PROCESSES for the rest of the
   * machine's busy time, which shows when something else competed for the CPU.
   */
  async stop(): Promise<CoresUsed> {
    const ended = await this.read();
    const seconds = (performance.now() - this.startedAt) / 1_000;
    const used: CoresUsed = {};
    for (const [name, total] of ended) used[name] = (total - (this.started.get(name) ?? 0)) / seconds;
    const { [MACHINE]: machine = 0, ...metered } = used;
    const meteredSum = Object.values(metered).reduce((sum, cores) => sum + cores, 0);
    return { ...metered, [OTHER_PROCESSES]: Math.max(0, machine - meteredSum) };
  }

  private async read(): Promise<Map<string, number>> {
    const entries = Object.entries(this.processes);
    const totals = await Promise.all(
      entries.map(([, { pid, tree }]) => (tree ? treeSeconds(pid) : processSeconds(pid))),
    );
    return new Map([...entries.map(([name], index) => [name, totals[index]!] as const), [MACHINE, await machineSeconds()]]);
  }
}

/** Runs `work` and returns its result with the cores each process used meanwhile. */
export async function measureCpu<T>(processes: MeteredProcesses, work: () => Promise<T>): Promise<[T, CoresUsed]> {
  const meter = new CpuMeter(processes);
  await meter.start();
  const result = await work();
  return [result, await meter.stop()];
}


/** Environment variable that hands a child script the processes to meter, as JSON. */
export const METERED_ENV = 'FILEFLOW_BENCH_METERED';

/** Creates a meter of this script and of the processes that its parent named in FILEFLOW_BENCH_METERED. */
export function childMeter(self: string): CpuMeter {
  const named = JSON.parse(process.env[METERED_ENV] ?? '{}') as MeteredProcesses;
  return new CpuMeter({ ...named, [self]: { pid: process.pid } });
}
