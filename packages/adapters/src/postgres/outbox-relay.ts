import type { UploadQueue } from '@fileflow/domain';
import type pg from 'pg';
import type { Logger } from 'pino';
import { fromStoredDispatch, type StoredDispatch } from './file-row-mapper.ts';

/** Settings of the outbox relay. */
export interface OutboxRelaySettings {
  batchSize: number;
  /** Polling interval when no write woke the relay, in milliseconds. */
  pollIntervalMs: number;
  /** Maximum wait after a failed publish, in milliseconds. */
  maxBackoffMs: number;
}

const CLAIM_BATCH = `
  select id, payload from outbox
  where sent_at is null
  order by id
  limit $1
  for update skip locked`;

/**
 * Publishes outbox rows to the queue in batches and marks them sent. Rows are claimed with
 * FOR UPDATE SKIP LOCKED, so relays in several processes share the work without publishing a
 * row twice. A crash between the publish and the commit publishes the batch again, so
 * delivery is at least once, and consumers skip repeated messages.
 */
export class OutboxRelay {
  private running = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private failures = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly queue: UploadQueue,
    private readonly settings: OutboxRelaySettings,
    private readonly logger: Logger,
  ) {}

  /** Counts the rows not yet published. */
  async countUnsent(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      'select count(*)::int as n from outbox where sent_at is null',
    );
    return rows[0]?.n ?? 0;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
    this.logger.info({ batchSize: this.settings.batchSize }, 'outbox relay started');
  }

  /** Wakes the relay at once, such as right after a transaction wrote outbox rows. */
  kick(): void {
    // While publishing fails the relay keeps its backoff instead of retrying on every write.
    if (this.failures === 0) this.wake?.();
  }

  /** Stops after the batch in flight; rows not yet published stay for the next relay. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.logger.info('outbox relay stopped');
  }

  /** Publishes one batch; returns the number of rows published. */
  async publishBatch(): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const { rows } = await client.query<{ id: string; payload: StoredDispatch }>(CLAIM_BATCH, [
        this.settings.batchSize,
      ]);
      if (rows.length > 0) {
        await this.queue.publish(rows.map((row) => fromStoredDispatch(row.payload)));
        await client.query('update outbox set sent_at = now() where id = any($1::bigint[])', [
          rows.map((row) => row.id),
        ]);
      }
      await client.query('commit');
      return rows.length;
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let published = 0;
      try {
        published = await this.publishBatch();
        this.failures = 0;
      } catch (error) {
        this.failures += 1;
        this.logger.error({ err: error, failures: this.failures }, 'outbox relay failed to publish');
      }
      if (published < this.settings.batchSize && this.running) await this.sleep(this.delay());
    }
  }

  private delay(): number {
    if (this.failures === 0) return this.settings.pollIntervalMs;
    const backoff = this.settings.pollIntervalMs * 2 ** this.failures;
    return Math.min(this.settings.maxBackoffMs, backoff);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
