import { APP_DEFAULTS, consumerConcurrency, type BenchConfig } from '../config.ts';
import type { AppName } from '../support/app-process.ts';
import { runScript, type ScriptServer } from '../support/child-script.ts';
import { monotonicUs, type ClockWindow } from '../support/cpu-profile.ts';
import { measureCpu, METERED_ENV, type CoresUsed, type MeteredProcesses } from '../support/cpu-usage.ts';
import { generatedSha256 } from '../support/generated-file.ts';
import type { StackEnv } from '../support/stack.ts';
import { checkStoredObjects } from '../support/storage.ts';
import { BenchSystem } from '../support/system.ts';
import {
  checkCompleted,
  generatedItems,
  lastCompletion,
  submitUploads,
  waitForFinal,
} from '../support/uploads.ts';

/** Objects of each run read back from S3 to check their bytes; every row's SHA-256 is checked. */
const READ_BACK_SAMPLE = 20;

/** One run over many files: files completed per second from the first request to the last completion. */
export interface FilesRun {
  files: number;
  seconds: number;
  filesPerSecond: number;
  /** Cores each process used during the run. */
  cpu: CoresUsed;
}

/** A run of the pipeline, with the uploads each consumer instance completed. */
export interface PipelineRun extends FilesRun {
  /** Time from the first request to the last 202 response. */
  acceptSeconds: number;
  /** Per consumer instance: uploads completed and the partitions they came from. */
  instances: Array<{ instance: string; completed: number; partitions: number[] }>;
}

/** Output of the plain copy script. */
export interface PlainCopyOutput {
  files: number;
  bytes: number;
  seconds: number;
  cpu: CoresUsed;
  peakRssBytes: number;
  sha256: Record<string, string>;
}

/** A batch of generated files to copy. */
export interface Batch {
  bucket: string;
  prefix: string;
  count: number;
  size: number;
}

/** Returns the processes a run meters: the system's and the file server. */
function metered(system: BenchSystem, fileServer: ScriptServer): MeteredProcesses {
  return system.processes({ 'file server': { pid: fileServer.pid } });
}

/**
 * Submits a batch of generated files at once, waits for all to complete and checks their
 * bytes. `onPoll` runs after each poll of the files table.
 */
export async function runPipeline(
  system: BenchSystem,
  fileServer: ScriptServer,
  batch: Batch & { timeoutMs: number },
  onPoll?: () => Promise<void>,
): Promise<PipelineRun> {
  const { bucket, prefix, count, size, timeoutMs } = batch;
  const items = generatedItems(fileServer.url, bucket, prefix, count, size);
  const pollMs = size > 1024 * 1024 ? 100 : 200;
  const [{ ids, startedAt, acceptedAt, uploads }, cpu] = await measureCpu(metered(system, fileServer), async () => {
    const submitted = await submitUploads(system.apiUrl, system.apiKey, items);
    return { ...submitted, uploads: await waitForFinal(system.pool, submitted.ids, timeoutMs, onPoll, pollMs) };
  });
  const seconds = (lastCompletion(uploads) - startedAt) / 1_000;
  system.assertRunning();

  const expected = (key: string) => generatedSha256(key, size);
  checkCompleted(uploads, expected);
  const keys = items.map((item) => item.key);
  await checkStoredObjects(system.stack, bucket, keys, expected, READ_BACK_SAMPLE);
  const instances = system.consumers.map((consumer) => {
    const partitions = ids.filter((id) => consumer.completed.has(id)).map((id) => consumer.completed.get(id)!);
    const distinct = [...new Set(partitions)].sort((a, b) => a - b);
    return { instance: consumer.instance, completed: partitions.length, partitions: distinct };
  });
  const acceptSeconds = (acceptedAt - startedAt) / 1_000;
  return { files: count, seconds, filesPerSecond: count / seconds, acceptSeconds, cpu, instances };
}

/** Runs the plain copy script on a batch of generated files; raises when a hash differs. */
export async function runPlainCopy(
  system: BenchSystem,
  fileServer: ScriptServer,
  batch: Batch & { concurrency: number; warmupCount: number },
): Promise<PlainCopyOutput> {
  const { bucket, prefix, count, size, concurrency, warmupCount } = batch;
  const args = [fileServer.url, bucket, prefix, count, size, concurrency, warmupCount, APP_DEFAULTS.partSizeBytes];
  const env = { [METERED_ENV]: JSON.stringify(metered(system, fileServer)) };
  const output = await runScript<PlainCopyOutput>('plain-copy.ts', args.map(String), env);
  const wrong = Object.entries(output.sha256).filter(([key, hash]) => hash !== generatedSha256(key, size));
  if (wrong.length > 0 || Object.keys(output.sha256).length !== count) {
    throw new Error(`the plain copy script downloaded ${wrong.length} files with the wrong bytes`);
  }
  return output;
}

/**
 * Copies warm-up files through the pipeline, after which the consumers have joined their
 * group, compiled their hot code and created the bucket.
 */
export async function warmUp(system: BenchSystem, fileServer: ScriptServer, bucket: string, count: number): Promise<void> {
  const batch = { bucket, prefix: 'warmup', count, size: 64 * 1024, timeoutMs: 120_000 };
  await runPipeline(system, fileServer, batch);
}

/** Runs of scenario 2. */
export interface SmallFilesResult {
  pipeline: PipelineRun[];
  plain: FilesRun[];
  partitions: number;
  /** Downloads in flight at once in the consumer and in the plain script. */
  concurrency: number;
}

const SMALL_BUCKET = 'bench-small';

/** Starts the system for scenario 2, with CPU profiles of the API and consumer when `profileDir` is set, and warms it up. */
async function startSmallFiles(stack: StackEnv, config: BenchConfig, fileServer: ScriptServer, profileDir?: string) {
  const partitions = APP_DEFAULTS.partitions;
  const profile = { apps: ['api', 'consumer'] as AppName[], dir: profileDir ?? '' };
  const options = profileDir
    ? { name: 'bench_small_profile', consumers: 1, partitions, profile }
    : { name: 'bench_small', consumers: 1, partitions };
  const system = await BenchSystem.start(stack, options);
  try {
    await warmUp(system, fileServer, SMALL_BUCKET, config.small.warmupCount);
  } catch (error) {
    await system.stop();
    throw error;
  }
  return system;
}

/**
 * Runs scenario 2: many small files through the whole pipeline with one consumer, each run followed
 * by the plain copy script on as many files at the consumer's concurrency.
 */
export async function runSmallFiles(stack: StackEnv, config: BenchConfig, fileServer: ScriptServer): Promise<SmallFilesResult> {
  const { count, size, warmupCount } = config.small;
  const partitions = APP_DEFAULTS.partitions;
  const concurrency = consumerConcurrency(partitions);
  const system = await startSmallFiles(stack, config, fileServer);
  const result: SmallFilesResult = { pipeline: [], plain: [], partitions, concurrency };
  try {
    for (let run = 1; run <= config.runs; run += 1) {
      const batch = { bucket: SMALL_BUCKET, count, size };
      const timeoutMs = config.finishTimeoutMs;
      result.pipeline.push(await runPipeline(system, fileServer, { ...batch, prefix: `pipeline-${run}`, timeoutMs }));
      const plain = await runPlainCopy(system, fileServer, { ...batch, prefix: `plain-${run}`, concurrency, warmupCount });
      result.plain.push({ files: count, seconds: plain.seconds, filesPerSecond: count / plain.seconds, cpu: plain.cpu });
    }
  } finally {
    await system.stop();
  }
  return result;
}

/**
 * Runs scenario 2 once with the API and the consumer writing CPU profiles into `dir`, and
 * returns the span of the run on the profiles' clock.
 */
export async function profileSmallFiles(
  stack: StackEnv,
  config: BenchConfig,
  fileServer: ScriptServer,
  dir: string,
): Promise<ClockWindow> {
  const { count, size } = config.small;
  const system = await startSmallFiles(stack, config, fileServer, dir);
  try {
    const fromUs = monotonicUs();
    const batch = { bucket: SMALL_BUCKET, prefix: 'profiled', count, size, timeoutMs: config.finishTimeoutMs };
    await runPipeline(system, fileServer, batch);
    return { fromUs, toUs: monotonicUs() };
  } finally {
    await system.stop();
  }
}
