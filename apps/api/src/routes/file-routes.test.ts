import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { FileUpload } from '@fileflow/domain';
import { assertError } from '../testing/assertions.ts';
import { buildTestApp } from '../testing/test-app.ts';

const created = new Date('2026-03-01T10:00:00.000Z');

function completedUpload(objectName = 'reports/報告 (1).pdf'): FileUpload {
  const upload = FileUpload.request(
    { id: randomUUID(), fileUrl: 'https://example.com/r.pdf', bucketName: 'reports', objectName },
    created,
  );
  upload.startAttempt(new Date(created.getTime() + 1_000), 60_000);
  const stored = {
    etag: 'etag-1',
    size: 2048,
    sha256: 'ab'.repeat(32),
    contentType: 'application/pdf',
  };
  upload.complete(stored, new Date(created.getTime() + 2_000));
  return upload;
}

function cursorOf(text: string): string {
  return Buffer.from(text).toString('base64url');
}

describe('GET /api/v1/files/:id', () => {
  it('returns every field and a presigned URL when completed', async () => {
    const { app, files } = buildTestApp();
    const upload = completedUpload();
    files.store(upload, []);
    const response = await app.request(`/api/v1/files/${upload.id}`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), [
      'bucket_name',
      'completed_at',
      'content_type',
      'created_at',
      'download_url',
      'etag',
      'file_url',
      'id',
      'last_error',
      'next_attempt_at',
      'object_name',
      'retry_count',
      'sha256',
      'size',
      'status',
      'updated_at',
    ]);
    assert.equal(body.status, 'completed');
    assert.equal(body.object_name, 'reports/報告 (1).pdf');
    assert.equal(body.size, 2048);
    assert.equal(body.created_at, created.toISOString());
    assert.equal(
      body.download_url,
      `https://storage.test/reports/${encodeURIComponent(body.object_name as string)}` +
        '?X-Amz-Signature=x',
    );
  });

  it('returns no download URL while pending', async () => {
    const { app, files } = buildTestApp();
    const upload = FileUpload.request(
      { id: randomUUID(), fileUrl: 'https://example.com/a', bucketName: 'docs', objectName: 'a' },
      created,
    );
    files.store(upload, []);
    const body = (await (await app.request(`/api/v1/files/${upload.id}`)).json()) as Record<
      string,
      unknown
    >;
    assert.equal(body.status, 'pending');
    assert.equal(body.download_url, null);
  });

  it('returns 404 for an unknown id', async () => {
    const { app } = buildTestApp();
    await assertError(await app.request(`/api/v1/files/${randomUUID()}`), 404, 'UPLOAD_NOT_FOUND');
  });

  for (const id of ['abc', '123', `${randomUUID()}x`, '%ff', "1'or'1'='1", 'a'.repeat(5000)]) {
    it(`rejects the id ${id.slice(0, 12)} with 400`, async () => {
      const { app, files } = buildTestApp();
      await assertError(await app.request(`/api/v1/files/${id}`), 400, 'VALIDATION_FAILED', 'id');
      assert.deepEqual(files.calls, []);
    });
  }
});

describe('GET /api/v1/files', () => {
  it('passes filters, cursor and page size to the repository', async () => {
    const { app, files } = buildTestApp();
    const cursor = cursorOf(`2026-03-01T10:00:00.000Z|${randomUUID()}`);
    const response = await app.request(
      `/api/v1/files?status=failed&bucket=photos&limit=100&cursor=${cursor}`,
    );
    assert.equal(response.status, 200);
    assert.deepEqual(files.queries, [
      { status: 'failed', bucketName: 'photos', cursor, limit: 100 },
    ]);
  });

  it('defaults to 20 items a page', async () => {
    const { app, files } = buildTestApp();
    const body = await (await app.request('/api/v1/files')).json();
    assert.deepEqual(body, { items: [], next_cursor: null });
    assert.equal(files.queries[0]?.limit, 20);
  });

  it('lists uploads with every field', async () => {
    const { app, files } = buildTestApp();
    files.store(completedUpload(), []);
    const body = (await (await app.request('/api/v1/files?status=completed')).json()) as {
      items: Array<Record<string, unknown>>;
    };
    assert.equal(body.items.length, 1);
    assert.equal(body.items[0]?.download_url, null);
    assert.equal(body.items[0]?.object_name, 'reports/報告 (1).pdf');
  });

  it('treats an empty cursor as the first page', async () => {
    const { app } = buildTestApp();
    assert.equal((await app.request('/api/v1/files?cursor=')).status, 200);
  });

  const invalidQueries: Array<[string, string, string]> = [
    ['an unknown status', 'status=done', 'status'],
    ['a repeated status', 'status=failed&status=pending', 'status'],
    ['an invalid bucket', 'bucket=Not_A_Bucket', 'bucket'],
    ['a page size of 0', 'limit=0', 'limit'],
    ['a page size of 101', 'limit=101', 'limit'],
    ['a fractional page size', 'limit=1.5', 'limit'],
    ['a page size that is text', 'limit=ten', 'limit'],
    ['a cursor over 200 characters', `cursor=${'a'.repeat(201)}`, 'cursor'],
  ];
  for (const [name, query, field] of invalidQueries) {
    it(`rejects ${name} with 400`, async () => {
      const { app, files } = buildTestApp();
      const body = await assertError(
        await app.request(`/api/v1/files?${query}`),
        400,
        'VALIDATION_FAILED',
        field,
      );
      assert.ok(body.error.message.startsWith(`${field} `), body.error.message);
      assert.deepEqual(files.calls, []);
    });
  }

  it('rejects an unknown parameter with 400', async () => {
    const { app, files } = buildTestApp();
    await assertError(await app.request('/api/v1/files?owner=me'), 400, 'UNKNOWN_FIELD', 'owner');
    assert.deepEqual(files.calls, []);
  });
});

describe('POST /api/v1/files/:id/retry', () => {
  it('returns 409 for an upload that is not failed', async () => {
    const { app, files } = buildTestApp();
    const upload = completedUpload();
    files.store(upload, []);
    const response = await app.request(`/api/v1/files/${upload.id}/retry`, { method: 'POST' });
    await assertError(response, 409, 'NOT_REPLAYABLE');
  });

  it('rejects an invalid id with 400', async () => {
    const { app } = buildTestApp();
    const response = await app.request('/api/v1/files/nope/retry', { method: 'POST' });
    await assertError(response, 400, 'VALIDATION_FAILED', 'id');
  });
});
