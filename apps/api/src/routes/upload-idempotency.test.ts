import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertError } from '../testing/assertions.ts';
import { buildTestApp, postUpload, validBody } from '../testing/test-app.ts';

describe('POST /api/v1/upload with Idempotency-Key', () => {
  it('returns the first response for a repeat', async () => {
    const { app, files } = buildTestApp();
    const headers = { 'idempotency-key': 'order-17' };
    const first = await postUpload(app, validBody, headers);
    const second = await postUpload(app, validBody, headers);
    assert.equal(first.status, 202);
    assert.equal(second.status, 202);
    assert.deepEqual(await second.json(), await first.json());
    assert.equal(second.headers.get('location'), first.headers.get('location'));
    assert.equal(first.headers.get('idempotent-replayed'), null);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal(files.rows.size, 1);
    assert.equal(files.dispatched.length, 1);
  });

  it('treats equal JSON with other spacing as a repeat', async () => {
    const { app, files } = buildTestApp();
    const headers = { 'idempotency-key': 'spacing' };
    await postUpload(app, validBody, headers);
    const reordered = JSON.stringify(
      {
        object_name: validBody.object_name,
        bucket_name: validBody.bucket_name,
        file_url: validBody.file_url,
      },
      null,
      2,
    );
    assert.equal((await postUpload(app, reordered, headers)).status, 202);
    assert.equal(files.rows.size, 1);
  });

  it('rejects the same key with another body with 422', async () => {
    const { app, files } = buildTestApp();
    const headers = { 'idempotency-key': 'order-18' };
    await postUpload(app, validBody, headers);
    const changed = await postUpload(app, { ...validBody, object_name: 'other.jpg' }, headers);
    const error = await assertError(changed, 422, 'IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key');
    assert.match(error.error.message, /different request body/);
    assert.equal(files.rows.size, 1);
  });

  it('creates separate uploads for separate keys', async () => {
    const { app, files } = buildTestApp();
    await postUpload(app, validBody, { 'idempotency-key': 'a' });
    await postUpload(app, validBody, { 'idempotency-key': 'b' });
    assert.equal(files.rows.size, 2);
  });

  it('stores nothing for a rejected body', async () => {
    const { app, idempotency, files } = buildTestApp();
    const headers = { 'idempotency-key': 'bad-first' };
    await postUpload(app, { ...validBody, bucket_name: 'X' }, headers);
    assert.equal(idempotency.entries.size, 0);
    assert.equal((await postUpload(app, validBody, headers)).status, 202);
    assert.equal(files.rows.size, 1);
  });

  const validKeys: Array<[string, string]> = [
    ['one character', 'k'],
    ['255 characters', 'k'.repeat(255)],
    [
      'every printable ASCII character',
      Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i))
        .join('')
        .trim(),
    ],
    ['a UUID', '3b241101-e2bb-4255-8caf-4136c566a962'],
  ];
  for (const [name, key] of validKeys) {
    it(`accepts a key of ${name}`, async () => {
      const { app, idempotency } = buildTestApp();
      assert.equal((await postUpload(app, validBody, { 'idempotency-key': key })).status, 202);
      assert.ok(await idempotency.find('', key));
    });
  }

  const invalidKeys: Array<[string, string]> = [
    ['an empty key', ''],
    ['only spaces', '   '],
    ['256 characters', 'k'.repeat(256)],
    ['a Latin-1 letter', 'clé'],
    ['a DEL character', 'a\u007fb'],
    ['a tab', 'a\tb'],
  ];
  for (const [name, key] of invalidKeys) {
    it(`rejects ${name} with 400`, async () => {
      const { app, files } = buildTestApp();
      const response = await postUpload(app, validBody, { 'idempotency-key': key });
      const error = await assertError(response, 400, 'VALIDATION_FAILED', 'Idempotency-Key');
      assert.match(error.error.message, /printable ASCII/);
      assert.deepEqual(files.calls, []);
    });
  }
});
