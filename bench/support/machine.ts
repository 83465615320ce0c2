import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { stackVersions, type StackEnv } from './stack.ts';

/** The machine and software a benchmark ran on. */
export interface Machine {
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  os: string;
  node: string;
  kafka: string;
  seaweedfs: string;
  postgres: string;
}

async function osName(): Promise<string> {
  const release = await readFile('/etc/os-release', 'utf8').catch(() => '');
  const pretty = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(release)?.[1];
  return `${pretty ?? os.type()}, kernel ${os.release()}`;
}

/** Describes this machine and the versions of the stack's services. */
export async function describeMachine(stack: StackEnv): Promise<Machine> {
  const versions = await stackVersions(stack);
  return {
    cores: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryBytes: os.totalmem(),
    os: await osName(),
    node: process.version,
    ...versions,
  };
}
