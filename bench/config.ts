import { commonEnv, storageEnv, workerEnv } from '@fileflow/adapters';

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;

/** Sizes and durations of one benchmark run. */
export interface BenchConfig {
  name: 'full' | 'smoke';
  /** Measured runs of each scenario; reports give the median. */
  runs: number;
  accept: {
    connections: number;
    seconds: number;
    /** Load before the measured runs of each server, and inside each database script run. */
    warmupSeconds: number;
  };
  small: { count: number; size: number; warmupCount: number };
  large: { size: number };
  scaleOut: { count: number; partitions: number };
  /** Maximum wait for one run's uploads to finish, in ms. */
  finishTimeoutMs: number;
}

/** The benchmarks that `npm run bench` runs and docs/benchmarks.md reports. */
export const FULL: BenchConfig = {
  name: 'full',
  runs: 3,
  accept: { connections: 64, seconds: 20, warmupSeconds: 3 },
  // A longer warm-up lets the JIT compile both sides' hot paths; after 50 files, each run was
  // faster than the one before.
  small: { count: 2_000, size: 64 * KIB, warmupCount: 400 },
  large: { size: 1 * GIB },
  // Four partitions split evenly between two consumer instances.
  scaleOut: { count: 2_000, partitions: 4 },
  finishTimeoutMs: 600_000,
};

/** A short run of every scenario that checks the harness, for CI. */
export const SMOKE: BenchConfig = {
  name: 'smoke',
  runs: 1,
  accept: { connections: 64, seconds: 2, warmupSeconds: 1 },
  small: { count: 50, size: 64 * KIB, warmupCount: 10 },
  large: { size: 32 * MIB },
  scaleOut: { count: 50, partitions: 4 },
  finishTimeoutMs: 120_000,
};

/** The apps' defaults, read from their settings schemas, which the ceilings copy. */
export const APP_DEFAULTS = {
  partitions: commonEnv.FILEFLOW_TOPIC_PARTITIONS.parse(undefined),
  concurrencyPerPartition: workerEnv.FILEFLOW_CONCURRENCY.parse(undefined),
  partitionsConcurrently: workerEnv.FILEFLOW_PARTITIONS_CONCURRENTLY.parse(undefined),
  partSizeBytes: storageEnv.FILEFLOW_PART_SIZE_BYTES.parse(undefined),
};

/** Messages one consumer processes at once on a topic of `partitions` partitions. */
export function consumerConcurrency(partitions: number): number {
  const { partitionsConcurrently, concurrencyPerPartition } = APP_DEFAULTS;
  return Math.min(partitions, partitionsConcurrently) * concurrencyPerPartition;
}

/** Targets that the report checks each figure against. */
export const TARGETS = {
  acceptP99Ms: 25,
  acceptShareOfDatabase: 0.5,
  smallShareOfPlain: 0.6,
  largeShareOfPlain: 0.8,
  largePeakRssBytes: 256 * MIB,
};
