import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { submit, waitForFinal } from './support/api-client.ts';
import { ScriptedFileServer } from './support/file-server.ts';
import { readObject, sha256 } from './support/storage.ts';
import { TestSystem } from './support/system.ts';

const photo = await readFile(new URL('../fixtures/landscape.jpg', import.meta.url));

describe('upload pipeline', () => {
  const system = new TestSystem();
  const files = new ScriptedFileServer();
  const db = new pg.Pool({ connectionString: system.databaseUrl, max: 2 });

  before(async () => {
    await files.start();
    await system.start();
  });

  after(async () => {
    await system.stop();
    await files.stop();
    await db.end();
  });

  it('stores a real photo end to end', async () => {
    const url = files.route('/photo.jpg', { status: 200, body: photo, headers: { 'content-type': 'image/jpeg' } });
    const accepted = await submit(system.apiUrl, { file_url: url, bucket_name: 'photos', object_name: 'landscape.jpg' });
    assert.equal(accepted.status, 202);
    assert.equal(accepted.json.message, 'file upload initiated successfully');
    assert.equal(accepted.headers.get('location'), `/api/v1/files/${accepted.json.id}`);

    const upload = await waitForFinal(system.apiUrl, String(accepted.json.id));
    assert.equal(upload.status, 'completed');
    assert.equal(upload.size, photo.length);
    assert.equal(upload.content_type, 'image/jpeg');
    assert.equal(upload.sha256, sha256(photo));
    assert.match(upload.etag ?? '', /^[0-9a-f-]+$/);
    assert.deepEqual(await readObject('photos', 'landscape.jpg'), photo);

    const presigned = await fetch(upload.download_url!);
    assert.equal(presigned.status, 200);
    assert.deepEqual(Buffer.from(await presigned.arrayBuffer()), photo);

    const row = await db.query('select status, etag, size, content_type from files where id = $1', [upload.id]);
    assert.equal(row.rows[0].status, 'completed');
    assert.equal(Number(row.rows[0].size), photo.length);
  });

  it('streams a 50 MiB file', async () => {
    const big = randomBytes(50 * 1024 * 1024);
    const url = files.route('/big.bin', { status: 200, body: big, headers: { 'content-type': 'application/octet-stream' } });
    const accepted = await submit(system.apiUrl, { file_url: url, bucket_name: 'big-files', object_name: 'big.bin' });
    const upload = await waitForFinal(system.apiUrl, String(accepted.json.id), 120_000);
    assert.equal(upload.status, 'completed');
    assert.equal(upload.size, big.length);
    assert.equal(upload.sha256, sha256(big));
    assert.equal(sha256(await readObject('big-files', 'big.bin')), sha256(big));
  });

  it('completes through the retry topic after a 500', async () => {
    const url = files.route('/flaky.txt', { status: 500 }, { status: 200, body: 'second time lucky' });
    const accepted = await submit(system.apiUrl, { file_url: url, bucket_name: 'flaky', object_name: 'flaky.txt' });
    const upload = await waitForFinal(system.apiUrl, String(accepted.json.id));
    assert.equal(upload.status, 'completed');
    assert.equal(upload.retry_count, 1);
    assert.equal(files.hits.get('/flaky.txt'), 2);
    await system.waitForLine('retry-consumer', 'upload completed', 5_000, (l) => l.uploadId === upload.id);
  });

  describe('invalid bodies', () => {
    const cases: Array<[string, string, string | null]> = [
      ['not JSON', '{"file_url": ', null],
      ['missing file_url', JSON.stringify({ bucket_name: 'photos', object_name: 'a' }), 'file_url'],
      ['missing bucket_name', JSON.stringify({ file_url: 'https://example.com/a', object_name: 'a' }), 'bucket_name'],
      ['ftp file_url', JSON.stringify({ file_url: 'ftp://example.com/a', bucket_name: 'photos', object_name: 'a' }), 'file_url'],
    ];
    for (const [name, body, field] of cases) {
      it(`rejects ${name} with 400`, async () => {
        const before = await db.query('select count(*)::int as n from files');
        const outboxBefore = await db.query('select count(*)::int as n from outbox');
        const response = await submit(system.apiUrl, body);
        assert.equal(response.status, 400);
        const error = response.json.error as { field?: string; message: string };
        if (field) assert.equal(error.field, field);
        if (field) assert.match(error.message, new RegExp(field));
        const afterRows = await db.query('select count(*)::int as n from files');
        const outboxAfter = await db.query('select count(*)::int as n from outbox');
        assert.equal(afterRows.rows[0].n, before.rows[0].n);
        assert.equal(outboxAfter.rows[0].n, outboxBefore.rows[0].n);
      });
    }
  });
});
