import { APP_DEFAULTS, type BenchConfig } from '../config.ts';
import type { AppName } from '../support/app-process.ts';
import { monotonicUs, type ClockWindow } from '../support/cpu-profile.ts';
import type { ScriptServer } from '../support/child-script.ts';
import type { CoresUsed } from '../support/cpu-usage.ts';
import type { StackEnv } from '../support/stack.ts';
import { BenchSystem } from '../support/system.ts';
import { runPipeline, runPlainCopy, warmUp } from './small-files.ts';

/** One copy of the large file. */
export interface LargeRun {
  bytes: number;
  seconds: number;
  bytesPerSecond: number;
  /** Highest resident memory of the copying process seen during the run, in bytes. */
  peakRssBytes: number;
  /** Cores each process used during the run. */
  cpu: CoresUsed;
}

/** Runs of scenario 3. */
export interface LargeFileResult {
  pipeline: LargeRun[];
  plain: LargeRun[];
  /** Consumer's resident memory after the warm-up, before the first large file. */
  consumerBaselineRssBytes: number;
  /** Consumer's VmHWM after the last run: its peak since it started. */
  consumerPeakRssBytes: number;
}

/** Interval of resident memory samples of the consumer, in ms. */
const SAMPLE_MS = 100;

const LARGE_BUCKET = 'bench-large';

/** Copies the large file through the pipeline while sampling the consumer's resident memory. */
async function copyThroughPipeline(system: BenchSystem, fileServer: ScriptServer, config: BenchConfig, prefix: string): Promise<LargeRun> {
  const consumer = system.consumers[0]!;
  const { size } = config.large;
  let peak = 0;
  const sample = async () => {
    peak = Math.max(peak, (await consumer.memory()).rssBytes);
  };
  const timer = setInterval(() => void sample(), SAMPLE_MS);
  try {
    const batch = { bucket: LARGE_BUCKET, prefix, count: 1, size, timeoutMs: config.finishTimeoutMs };
    const copied = await runPipeline(system, fileServer, batch, sample);
    return { bytes: size, seconds: copied.seconds, bytesPerSecond: size / copied.seconds, peakRssBytes: peak, cpu: copied.cpu };
  } finally {
    clearInterval(timer);
  }
}

/** Starts the system for scenario 3 and warms it up with small files. */
async function startLargeFile(stack: StackEnv, config: BenchConfig, fileServer: ScriptServer, profileDir?: string) {
  const partitions = APP_DEFAULTS.partitions;
  const options = profileDir
    ? { name: 'bench_large_profile', consumers: 1, partitions, profile: { apps: ['consumer'] as AppName[], dir: profileDir } }
    : { name: 'bench_large', consumers: 1, partitions };
  const system = await BenchSystem.start(stack, options);
  try {
    await warmUp(system, fileServer, LARGE_BUCKET, config.small.warmupCount);
  } catch (error) {
    await system.stop();
    throw error;
  }
  return system;
}

/**
 * Runs scenario 3: one large file through the whole pipeline, sampling the consumer's resident
 * memory, each run followed by the plain copy script on a file of the same size.
 */
export async function runLargeFile(stack: StackEnv, config: BenchConfig, fileServer: ScriptServer): Promise<LargeFileResult> {
  const { size } = config.large;
  const system = await startLargeFile(stack, config, fileServer);
  const consumer = system.consumers[0]!;
  const result: LargeFileResult = { pipeline: [], plain: [], consumerBaselineRssBytes: 0, consumerPeakRssBytes: 0 };
  try {
    result.consumerBaselineRssBytes = (await consumer.memory()).rssBytes;
    for (let run = 1; run <= config.runs; run += 1) {
      result.pipeline.push(await copyThroughPipeline(system, fileServer, config, `pipeline-${run}`));
      const plainBatch = { bucket: LARGE_BUCKET, prefix: `plain-${run}`, count: 1, size, concurrency: 1, warmupCount: config.small.warmupCount };
      const plain = await runPlainCopy(system, fileServer, plainBatch);
      result.plain.push({ bytes: size, seconds: plain.seconds, bytesPerSecond: size / plain.seconds, peakRssBytes: plain.peakRssBytes, cpu: plain.cpu });
    }
    result.consumerPeakRssBytes = (await consumer.memory()).peakRssBytes;
  } finally {
    await system.stop();
  }
  return result;
}

/**
 * Copies the large file once with the consumer writing a CPU profile into `dir`, and returns
 * the span of the copy on the profile's clock.
 */
export async function profileLargeFile(stack: StackEnv, config: BenchConfig, fileServer: ScriptServer, dir: string): Promise<ClockWindow> {
  const system = await startLargeFile(stack, config, fileServer, dir);
  try {
    const fromUs = monotonicUs();
    await copyThroughPipeline(system, fileServer, config, 'profiled');
    return { fromUs, toUs: monotonicUs() };
  } finally {
    await system.stop();
  }
}
