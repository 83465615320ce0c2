import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { UploadDispatch, UploadQueue } from '@fileflow/domain';
import { pino } from 'pino';
import pg from 'pg';
import { freshDatabase } from '../testing/int-support.ts';
import { toStoredDispatch } from './file-row-mapper.ts';
import { OutboxRelay } from './outbox-relay.ts';

/** Queue that records what it was given, optionally failing the first calls. */
class RecordingQueue implements UploadQueue {
  readonly published: UploadDispatch[] = [];
  failures = 0;

  async publish(dispatches: UploadDispatch[]): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('broker unavailable');
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
    this.published.push(...dispatches);
  }
}

async function insertRows(pool: pg.Pool, count: number): Promise<void> {
  const rows = Array.from({ length: count }, () => {
    const id = randomUUID();
    const dispatch: UploadDispatch = {
      queue: 'main',
      upload: { id, fileUrl: 'https://example.com/a', bucketName: 'b', objectName: id },
      attempt: 1,
    };
    return [id, JSON.stringify(toStoredDispatch(dispatch))];
  });
  for (const [id, payload] of rows) {
    await pool.query('insert into outbox (upload_id, queue, payload) values ($1, $2, $3)', [id, 'main', payload]);
  }
}

describe('OutboxRelay', () => {
  let pool: pg.Pool;
  const logger = pino({ level: 'silent' });

  before(async () => {
    pool = new pg.Pool({ connectionString: await freshDatabase(), max: 6 });
  });
  after(() => pool.end());

  it('publishes each row once with two relays at work', async () => {
    await insertRows(pool, 300);
    const queue = new RecordingQueue();
    const settings = { batchSize: 25, pollIntervalMs: 20, maxBackoffMs: 100 };
    const relays = [1, 2].map(() => new OutboxRelay(pool, queue, settings, logger));
    relays.forEach((relay) => relay.start());
    for (let i = 0; i < 200 && queue.published.length < 300; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await Promise.all(relays.map((relay) => relay.stop()));
    const ids = queue.published.map((d) => d.upload.id);
    assert.equal(ids.length, 300);
    assert.equal(new Set(ids).size, 300);
    const unsent = await pool.query('select count(*)::int as n from outbox where sent_at is null');
    assert.equal(unsent.rows[0].n, 0);
  });

  it('keeps rows after a failed publish and sends them later', async () => {
    await insertRows(pool, 10);
    const queue = new RecordingQueue();
    queue.failures = 2;
    const relay = new OutboxRelay(pool, queue, { batchSize: 50, pollIntervalMs: 20, maxBackoffMs: 100 }, logger);
    relay.start();
    for (let i = 0; i < 100 && queue.published.length < 10; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await relay.stop();
    assert.equal(queue.published.length, 10);
  });
});
