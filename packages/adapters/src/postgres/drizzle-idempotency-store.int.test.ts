import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { FileUpload, type UploadDispatch } from '@fileflow/domain';
import pg from 'pg';
import { createDatabase } from '../runtime/clients.ts';
import { freshDatabase } from '../testing/int-support.ts';
import {
  DrizzleIdempotencyStore,
  type IdempotentResponseEntry,
} from './drizzle-idempotency-store.ts';

function newUpload(objectName = 'a.txt'): FileUpload {
  return FileUpload.request(
    { id: randomUUID(), fileUrl: 'https://example.com/a', bucketName: 'docs', objectName },
    new Date('2026-03-01T00:00:00Z'),
  );
}

function mainDispatch(upload: FileUpload): UploadDispatch[] {
  const { id, fileUrl, bucketName, objectName } = upload.snapshot();
  return [{ queue: 'main', upload: { id, fileUrl, bucketName, objectName }, attempt: 1 }];
}

function entryFor(upload: FileUpload, key: string, ownerId = ''): IdempotentResponseEntry {
  return { ownerId, key, requestHash: 'hash-1', status: 202, body: { id: upload.id } };
}

describe('DrizzleIdempotencyStore', () => {
  let pool: pg.Pool;
  let store: DrizzleIdempotencyStore;
  let kicks = 0;

  before(async () => {
    pool = new pg.Pool({ connectionString: await freshDatabase(), max: 20 });
    store = new DrizzleIdempotencyStore(createDatabase(pool), () => (kicks += 1));
  });

  after(() => pool.end());

  async function count(table: string, uploadId: string): Promise<number> {
    const column = table === 'files' ? 'id' : 'upload_id';
    const result = await pool.query(
      `select count(*)::int as n from ${table} where ${column} = $1`,
      [uploadId],
    );
    return result.rows[0].n;
  }

  it('stores upload, outbox row and key together', async () => {
    const upload = newUpload();
    const result = await store.addUpload(upload, mainDispatch(upload), entryFor(upload, 'k-1'));
    assert.deepEqual(result, { outcome: 'stored' });
    assert.equal(await count('files', upload.id), 1);
    assert.equal(await count('outbox', upload.id), 1);
    assert.equal(await count('idempotency_keys', upload.id), 1);
    assert.equal(kicks, 1);
  });

  it('finds the stored response of a key', async () => {
    const upload = newUpload();
    await store.addUpload(upload, [], entryFor(upload, 'k-find'));
    const found = await store.find('', 'k-find');
    assert.deepEqual(found, {
      requestHash: 'hash-1',
      uploadId: upload.id,
      status: 202,
      body: { id: upload.id },
    });
  });

  it('returns null for an unused key', async () => {
    assert.equal(await store.find('', 'never-used'), null);
  });

  it('writes nothing for a taken key', async () => {
    const first = newUpload();
    await store.addUpload(first, mainDispatch(first), entryFor(first, 'k-taken'));
    const second = newUpload();
    const result = await store.addUpload(second, mainDispatch(second), entryFor(second, 'k-taken'));
    assert.equal(result.outcome, 'key-taken');
    assert.equal(result.outcome === 'key-taken' && result.existing.uploadId, first.id);
    assert.equal(await count('files', second.id), 0);
    assert.equal(await count('outbox', second.id), 0);
  });

  it('keeps keys apart per owner', async () => {
    const forAlice = newUpload();
    const forBob = newUpload();
    const alice = await store.addUpload(forAlice, [], entryFor(forAlice, 'k-shared', 'alice'));
    const bob = await store.addUpload(forBob, [], entryFor(forBob, 'k-shared', 'bob'));
    assert.equal(alice.outcome, 'stored');
    assert.equal(bob.outcome, 'stored');
  });

  it('stores one upload for 10 racing adds', async () => {
    const uploads = Array.from({ length: 10 }, () => newUpload('race.txt'));
    const results = await Promise.all(
      uploads.map((upload) =>
        store.addUpload(upload, mainDispatch(upload), entryFor(upload, 'k-race')),
      ),
    );
    const stored = results.filter((r) => r.outcome === 'stored');
    assert.equal(stored.length, 1);
    const winner = uploads[results.findIndex((r) => r.outcome === 'stored')]!;
    for (const result of results) {
      if (result.outcome === 'key-taken') assert.equal(result.existing.uploadId, winner.id);
    }
    const rows = await pool.query(
      "select count(*)::int as n from files where object_name = 'race.txt'",
    );
    assert.equal(rows.rows[0].n, 1);
  });

  it('rolls the key back when the upload insert fails', async () => {
    const upload = newUpload();
    await store.addUpload(upload, [], entryFor(upload, 'k-original'));
    // The same upload id again violates the primary key of `files` after the key was inserted.
    await assert.rejects(store.addUpload(upload, [], entryFor(upload, 'k-rolled-back')));
    assert.equal(await store.find('', 'k-rolled-back'), null);
  });
});
