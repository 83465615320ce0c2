import type { BenchConfig } from '../config.ts';
import type { ScriptServer } from '../support/child-script.ts';
import type { StackEnv } from '../support/stack.ts';
import { BenchSystem } from '../support/system.ts';
import { runPipeline, warmUp, type PipelineRun } from './small-files.ts';

/** Runs of scenario 4, by number of consumer instances. */
export interface ScaleOutResult {
  partitions: number;
  oneConsumer: PipelineRun[];
  twoConsumers: PipelineRun[];
}

async function runWith(
  stack: StackEnv,
  config: BenchConfig,
  fileServer: ScriptServer,
  consumers: number,
): Promise<PipelineRun[]> {
  const { count, partitions } = config.scaleOut;
  const bucket = 'bench-scale';
  const system = await BenchSystem.start(stack, { name: `bench_scale_${consumers}`, consumers, partitions });
  const runs: PipelineRun[] = [];
  try {
    await warmUp(system, fileServer, bucket, config.small.warmupCount);
    for (let run = 1; run <= config.runs; run += 1) {
      const batch = { bucket, prefix: `consumers-${consumers}-${run}`, count, size: config.small.size, timeoutMs: config.finishTimeoutMs };
      runs.push(await runPipeline(system, fileServer, batch));
    }
  } finally {
    await system.stop();
  }
  return runs;
}

/**
 * Runs scenario 4: the small-files load with one and then two consumer instances in one consumer
 * group, on a topic whose partitions split evenly between two instances.
 */
export async function runScaleOut(stack: StackEnv, config: BenchConfig, fileServer: ScriptServer): Promise<ScaleOutResult> {
  return {
    partitions: config.scaleOut.partitions,
    oneConsumer: await runWith(stack, config, fileServer, 1),
    twoConsumers: await runWith(stack, config, fileServer, 2),
  };
}
