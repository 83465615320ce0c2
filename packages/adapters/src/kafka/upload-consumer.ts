import { setMaxListeners } from 'node:events';
import type { DeliveryOrigin, UploadJob } from '@fileflow/domain';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { parseUploadMessage } from './message-format.ts';
import { OffsetTracker } from './offset-tracker.ts';

/** What a handler did with a message. `retry-later` leaves it uncommitted for redelivery. */
export type HandlerResult = 'done' | 'retry-later';

/** Processes one parsed job; a throw means the infrastructure failed and the job is retried. */
export type JobHandler = (job: UploadJob, origin: DeliveryOrigin, signal: AbortSignal) => Promise<HandlerResult>;

/** Handles a message that cannot be parsed, such as by dead-lettering it. */
export type InvalidMessageHandler = (
  message: KafkaMessage,
  origin: DeliveryOrigin,
  reason: string,
) => Promise<void>;

/** Settings of an upload consumer. */
export interface UploadConsumerSettings {
  groupId: string;
  topic: string;
  /** Messages of one partition processed at once. */
  concurrency: number;
  /** Partitions processed at once. */
  partitionsConsumedConcurrently: number;
  /** When true, a message is held until the time in its due header by pausing its partition. */
  waitUntilDue: boolean;
  /** Time without a heartbeat after which the broker evicts the consumer from its group. */
  sessionTimeoutMs: number;
  /** Heartbeats are sent this often, also while a slow download is in flight. */
  heartbeatIntervalMs: number;
  /** Maximum time the broker keeps a fetch open when no message is waiting. */
  maxWaitTimeMs: number;
  /** Backoff after an infrastructure failure, in milliseconds. */
  failureBackoff: { initialMs: number; maxMs: number };
}

/**
 * Owns one kafkajs consumer: connects, subscribes, runs batches with bounded concurrency and
 * commits an offset only once every message up to it is done, then disconnects on stop.
 */
export class UploadConsumer {
  private readonly consumer: Consumer;
  private readonly abort = new AbortController();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopping = false;
  /** Batches in a row that failed on the infrastructure, per partition. */
  private readonly failedBatches = new Map<number, number>();
  private lastBatchAt = Date.now();

  constructor(
    kafka: Kafka,
    private readonly settings: UploadConsumerSettings,
    private readonly handlers: { job: JobHandler; invalid: InvalidMessageHandler },
    private readonly logger: Logger,
  ) {
    // Every attempt in flight listens on the shutdown signal.
    setMaxListeners(settings.concurrency * settings.partitionsConsumedConcurrently + 10, this.abort.signal);
    this.consumer = kafka.consumer({
      groupId: settings.groupId,
      sessionTimeout: settings.sessionTimeoutMs,
      maxWaitTimeInMs: settings.maxWaitTimeMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
  }

  /** True while no partition is backing off from an infrastructure failure. */
  get healthy(): boolean {
    return this.failedBatches.size === 0;
  }

  async start(): Promise<void> {
    const { topic, groupId, partitionsConsumedConcurrently } = this.settings;
    await this.consumer.connect();
    await this.consumer.subscribe({ topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.logger.info({ topic, groupId }, 'consumer started');
  }

  /**
   * Stops taking messages, waits up to `deadlineMs` for those in flight, then aborts the rest
   * so they are redelivered, commits what finished and disconnects.
   */
  async stop(deadlineMs: number): Promise<void> {
    this.stopping = true;
    const deadline = setTimeout(() => this.abort.abort(new Error('shutdown deadline passed')), deadlineMs);
    try {
      await this.consumer.disconnect();
    } finally {
      clearTimeout(deadline);
      for (const timer of this.timers) clearTimeout(timer);
    }
    this.logger.info({ topic: this.settings.topic }, 'consumer stopped');
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    this.lastBatchAt = Date.now();
    const tracker = new OffsetTracker(batch.messages.map((m) => m.offset));
    const state: { halt: { resumeAt: number } | null; failed: boolean } = {
      halt: null,
      failed: false,
    };
    const keepAlive = setInterval(() => void heartbeat().catch(() => {}), this.settings.heartbeatIntervalMs);

    const next = this.queue(batch.messages);
    const worker = async () => {
      for (let message = next(); message; message = next()) {
        if (state.halt || this.stopping || !isRunning() || isStale()) return;
        const origin = { topic, partition, offset: message.offset };
        const outcome = await this.handleMessage(message, origin);
        if (outcome === 'done') tracker.markDone(message.offset);
        else if (outcome === 'failed') state.failed = true;
        const resumeAt = outcome === 'failed' ? this.backoffUntil(partition) : outcome;
        if (outcome !== 'done') state.halt ??= { resumeAt: resumeAt as number };
      }
    };
    try {
      await Promise.all(Array.from({ length: this.settings.concurrency }, worker));
    } finally {
      clearInterval(keepAlive);
    }

    await this.commit(payload, tracker.committable());
    if (state.failed) this.failedBatches.set(partition, (this.failedBatches.get(partition) ?? 0) + 1);
    else if (tracker.committable() !== null) this.failedBatches.delete(partition);
    const unfinished = tracker.firstUnfinished();
    // Messages after the first unfinished one are read again; the use case skips finished ones.
    if (state.halt && unfinished !== null) this.pauseUntil(payload, unfinished, state.halt.resumeAt);
  }

  private queue(messages: KafkaMessage[]): () => KafkaMessage | undefined {
    let index = 0;
    return () => messages[index++];
  }

  private async handleMessage(
    message: KafkaMessage,
    origin: DeliveryOrigin,
  ): Promise<'done' | 'failed' | number> {
    const parsed = parseUploadMessage(message.value, message.headers);
    if (!parsed.ok) {
      await this.handlers.invalid(message, origin, parsed.reason);
      return 'done';
    }
    if (this.settings.waitUntilDue && parsed.dueAt && parsed.dueAt.getTime() > Date.now()) {
      return parsed.dueAt.getTime();
    }
    try {
      const result = await this.handlers.job(parsed.job, origin, this.abort.signal);
      return result === 'done' ? 'done' : Date.now();
    } catch (error) {
      this.logger.error(
        { err: error, uploadId: parsed.job.uploadId, ...origin, attempt: parsed.job.attempt },
        'message processing failed; it will be redelivered',
      );
      return 'failed';
    }
  }

  /** End of the backoff of a partition whose batch failed, growing with each failed batch. */
  private backoffUntil(partition: number): number {
    const { initialMs, maxMs } = this.settings.failureBackoff;
    const failures = this.failedBatches.get(partition) ?? 0;
    return Date.now() + Math.min(maxMs, initialMs * 2 ** failures);
  }

  private async commit(payload: EachBatchPayload, offset: string | null): Promise<void> {
    if (offset === null) return;
    const { topic, partition } = payload.batch;
    payload.resolveOffset(offset);
    const next = (BigInt(offset) + 1n).toString();
    await this.consumer.commitOffsets([{ topic, partition, offset: next }]);
  }

  /** Holds a partition until `resumeAt`, then reads it again from `offset`. */
  private pauseUntil(payload: EachBatchPayload, offset: string, resumeAt: number): void {
    const { topic, partition } = payload.batch;
    payload.pause();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.stopping) return;
      this.consumer.seek({ topic, partition, offset });
      this.consumer.resume([{ topic, partitions: [partition] }]);
    }, Math.max(0, resumeAt - Date.now()));
    this.timers.add(timer);
  }
}
