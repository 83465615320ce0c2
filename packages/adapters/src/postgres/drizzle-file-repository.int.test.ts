import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { MIGRATIONS_FOLDER, runMigrations } from '@fileflow/db';
import { FileUpload } from '@fileflow/domain';
import pg from 'pg';
import { freshDatabase } from '../testing/int-support.ts';
import { createDatabase } from '../runtime/clients.ts';
import { DrizzleFileRepository, InvalidCursorError } from './drizzle-file-repository.ts';

const start = new Date('2026-03-01T00:00:00Z');

function newUpload(minutes: number, bucketName = 'docs'): FileUpload {
  return FileUpload.request(
    { id: randomUUID(), fileUrl: 'https://example.com/a', bucketName, objectName: `a-${minutes}` },
    new Date(start.getTime() + minutes * 60_000),
  );
}

describe('DrizzleFileRepository', () => {
  let pool: pg.Pool;
  let repository: DrizzleFileRepository;
  let kicks = 0;

  before(async () => {
    pool = new pg.Pool({ connectionString: await freshDatabase() });
    repository = new DrizzleFileRepository(createDatabase(pool), () => (kicks += 1));
  });

  after(() => pool.end());

  it('stores an upload with its outbox row', async () => {
    const upload = newUpload(0);
    await repository.add(upload, [{ queue: 'main', upload: { ...upload.snapshot() }, attempt: 1 }]);
    const found = await repository.findById(upload.id);
    assert.deepEqual(found?.snapshot(), upload.snapshot());
    const outbox = await pool.query('select queue from outbox where upload_id = $1', [upload.id]);
    assert.deepEqual(outbox.rows, [{ queue: 'main' }]);
    assert.equal(kicks, 1);
  });

  it('shares one connection with another repository', async () => {
    // Each repository names its prepared statements; on one connection the two must not clash
    // although they build their statements in a different order.
    const single = new pg.Pool({ connectionString: await freshDatabase(), max: 1 });
    try {
      const writer = new DrizzleFileRepository(createDatabase(single));
      const upload = newUpload(30);
      await writer.add(upload, []);
      const other = new DrizzleFileRepository(createDatabase(single));
      const copy = (await other.findById(upload.id))!;
      copy.startAttempt(new Date(), 60_000);

      assert.equal(await other.update(copy), 'stored');
      await other.add(newUpload(31), []);
      assert.equal((await writer.findById(upload.id))?.status, 'processing');
    } finally {
      await single.end();
    }
  });

  it('rejects a write from a stale copy', async () => {
    const upload = newUpload(1);
    await repository.add(upload, []);
    const first = (await repository.findById(upload.id))!;
    const second = (await repository.findById(upload.id))!;
    first.startAttempt(new Date(), 60_000);
    second.startAttempt(new Date(), 60_000);
    assert.equal(await repository.update(first), 'stored');
    assert.equal(await repository.update(second), 'conflict');
    assert.equal((await repository.findById(upload.id))?.status, 'processing');
  });

  it('writes no outbox row when the update conflicts', async () => {
    const upload = newUpload(2);
    await repository.add(upload, []);
    const stale = (await repository.findById(upload.id))!;
    const fresh = (await repository.findById(upload.id))!;
    fresh.startAttempt(new Date(), 60_000);
    await repository.update(fresh);
    stale.startAttempt(new Date(), 60_000);
    const result = await repository.update(stale, [{ queue: 'retry', upload: stale.snapshot(), attempt: 2 }]);
    assert.equal(result, 'conflict');
    const outbox = await pool.query('select count(*)::int as n from outbox where upload_id = $1', [upload.id]);
    assert.equal(outbox.rows[0].n, 0);
  });

  it('pages newest first with a cursor', async () => {
    const bucket = 'paging';
    const uploads = [10, 11, 12, 13, 14].map((m) => newUpload(m, bucket));
    for (const upload of uploads) await repository.add(upload, []);
    const first = await repository.list({ bucketName: bucket, limit: 2 });
    const second = await repository.list({ bucketName: bucket, limit: 2, cursor: first.nextCursor! });
    const third = await repository.list({ bucketName: bucket, limit: 2, cursor: second.nextCursor! });
    const ids = [...first.items, ...second.items, ...third.items].map((u) => u.id);
    assert.deepEqual(ids, uploads.map((u) => u.id).reverse());
    assert.equal(third.nextCursor, null);
  });

  it('rejects a forged cursor', async () => {
    await assert.rejects(repository.list({ limit: 2, cursor: 'bm90LWEtY3Vyc29y' }), InvalidCursorError);
  });

  it('finds uploads whose lease expired', async () => {
    const upload = newUpload(20);
    await repository.add(upload, []);
    upload.startAttempt(new Date(Date.now() - 10_000), 1_000);
    await repository.update(upload);
    const expired = await repository.findExpiredLeases(new Date(), 100);
    assert.ok(expired.some((u) => u.id === upload.id));
  });

  it('counts uploads by status', async () => {
    const counts = await repository.countByStatus();
    assert.ok(counts.pending >= 1);
    assert.equal(typeof counts.failed, 'number');
  });
});

describe('runMigrations', () => {
  it('lets four instances migrate an empty database at once', async () => {
    const url = await freshDatabase(false);
    await Promise.all([1, 2, 3, 4].map(() => runMigrations(url)));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const applied = await client.query('select count(*)::int as n from drizzle.__drizzle_migrations');
    await client.end();
    const journal = JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, 'utf8'));
    assert.equal(applied.rows[0].n, journal.entries.length);
  });
});
