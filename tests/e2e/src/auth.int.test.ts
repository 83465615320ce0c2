import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DrizzleApiKeyStore, createDatabase, hashToken } from '@fileflow/adapters';
import pg from 'pg';
import { waitForFinal } from './support/api-client.ts';
import { ScriptedFileServer } from './support/file-server.ts';
import { storageClient } from './support/storage.ts';
import { TestSystem } from './support/system.ts';

const RATE_LIMIT = 20;

describe('API keys', () => {
  const system = new TestSystem({
    api: { FILEFLOW_RATE_LIMIT_REQUESTS: String(RATE_LIMIT), FILEFLOW_RATE_LIMIT_WINDOW_SECONDS: '3' },
  });
  const files = new ScriptedFileServer();
  const db = new pg.Pool({ connectionString: system.databaseUrl, max: 2 });
  const store = new DrizzleApiKeyStore(createDatabase(db));
  const tokens: string[] = [];

  async function newKey(name: string, buckets: string[]): Promise<string> {
    const { token } = await store.create(`${name}-${system.topic}`, buckets);
    tokens.push(token);
    return token;
  }

  function call(path: string, token: string | null, init: RequestInit = {}, raw?: string) {
    const authorization = raw ?? (token ? `Bearer ${token}` : undefined);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (authorization !== undefined) headers.authorization = authorization;
    return fetch(`${system.apiUrl}${path}`, { ...init, headers });
  }

  function upload(token: string, bucket: string, name: string, url: string) {
    const body = JSON.stringify({ file_url: url, bucket_name: bucket, object_name: name });
    return call('/api/v1/upload', token, { method: 'POST', body });
  }

  before(async () => {
    await files.start();
    await system.start(['api', 'consumer']);
  });

  after(async () => {
    await system.stop();
    await files.stop();
    await db.end();
  });

  it('answers the same 401 to a missing, malformed, unknown and revoked key', async () => {
    const revoked = await newKey('revoked', ['*']);
    await store.revoke(`revoked-${system.topic}`);
    const unknown = `ffk_${'A'.repeat(12)}_${'B'.repeat(43)}`;
    const cases: Array<[string, string | undefined]> = [
      ['missing', undefined],
      ['malformed', 'Basic dXNlcjpwYXNz'],
      ['unknown', `Bearer ${unknown}`],
      ['revoked', `Bearer ${revoked}`],
    ];
    const bodies: string[] = [];
    for (const [reason, header] of cases) {
      const response = await call('/api/v1/files', null, {}, header);
      assert.equal(response.status, 401, reason);
      assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="fileflow"');
      bodies.push(await response.text());
      await system.waitForLine('api', 'request not authenticated', 5_000, (l) => l.authFailure === reason);
    }
    assert.equal(new Set(bodies).size, 1);
    assert.equal(JSON.parse(bodies[0]!).error.code, 'UNAUTHORIZED');
  });

  it('answers 403 for a bucket outside the scope and creates nothing', async () => {
    const token = await newKey('media', ['media-*', 'reports']);
    const url = files.route('/scoped.txt', { status: 200, body: 'scoped' });
    const before = await db.query('select (select count(*) from files)::int as f, (select count(*) from outbox)::int as o');
    const response = await upload(token, 'private', 'a.txt', url);
    assert.equal(response.status, 403);
    const body = (await response.json()) as { error: { code: string; message: string; field: string } };
    assert.equal(body.error.code, 'BUCKET_NOT_ALLOWED');
    assert.match(body.error.message, /"private"/);
    assert.equal(body.error.field, 'bucket_name');
    const afterCounts = await db.query('select (select count(*) from files)::int as f, (select count(*) from outbox)::int as o');
    assert.deepEqual(afterCounts.rows[0], before.rows[0]);
    assert.equal(await storageClient().bucketExists('private'), false);
    assert.equal(files.hits.get('/scoped.txt'), undefined);

    assert.equal((await upload(token, 'media-photos', 'a.txt', url)).status, 202);
    assert.equal((await upload(token, 'reports', 'a.txt', url)).status, 202);
  });

  it('hides another key\'s upload on every route', async () => {
    const owner = await newKey('owner', ['*']);
    const stranger = await newKey('stranger', ['*']);
    const url = files.route('/owned.txt', { status: 404 });
    const accepted = (await (await upload(owner, 'owned', 'a.txt', url)).json()) as { id: string };
    await waitForFinal(system.apiUrl, accepted.id).catch(() => undefined);
    for (const [method, path] of [
      ['GET', `/api/v1/files/${accepted.id}`],
      ['POST', `/api/v1/files/${accepted.id}/retry`],
    ] as const) {
      const response = await call(path, stranger, { method });
      assert.equal(response.status, 404, `${method} ${path}`);
    }
    const list = (await (await call('/api/v1/files?limit=100', stranger)).json()) as { items: Array<{ id: string }> };
    assert.equal(list.items.some((item) => item.id === accepted.id), false);
    assert.equal((await call(`/api/v1/files/${accepted.id}`, owner)).status, 200);
    const row = await db.query('select owner_id from files where id = $1', [accepted.id]);
    const key = await store.findByName(`owner-${system.topic}`);
    assert.equal(row.rows[0].owner_id, key?.id);
  });

  it('refuses a key on the request after its revocation', async () => {
    const token = await newKey('soon-revoked', ['*']);
    assert.equal((await call('/api/v1/files', token)).status, 200);
    await store.revoke(`soon-revoked-${system.topic}`);
    assert.equal((await call('/api/v1/files', token)).status, 401);
  });

  it('answers 429 after the burst and accepts again after Retry-After', async () => {
    const token = await newKey('busy', ['*']);
    const statuses: number[] = [];
    let retryAfter = '';
    for (let i = 0; i < RATE_LIMIT + 5; i += 1) {
      const response = await call('/api/v1/files?limit=1', token);
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after') ?? '';
      await response.body?.cancel();
    }
    assert.equal(statuses.filter((s) => s === 200).length, RATE_LIMIT);
    assert.equal(statuses.filter((s) => s === 429).length, 5);
    assert.ok(Number(retryAfter) >= 1, `Retry-After was "${retryAfter}"`);
    await new Promise((resolve) => setTimeout(resolve, Number(retryAfter) * 1_000));
    assert.equal((await call('/api/v1/files?limit=1', token)).status, 200);
  });

  it('keeps keys and their hashes out of every log line', async () => {
    tokens.push(await system.apiKey());
    const text = system.logs.map((line) => line.raw).join('\n');
    for (const token of tokens) {
      assert.equal(text.includes(token), false, 'a key appears in the logs');
      assert.equal(text.includes(hashToken(token)), false, 'a key hash appears in the logs');
      assert.equal(text.includes(token.slice('ffk_'.length + 13)), false, 'a key secret appears in the logs');
    }
  });
});
