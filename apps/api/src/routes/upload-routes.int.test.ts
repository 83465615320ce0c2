import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { assertError } from '../testing/assertions.ts';
import { buildDatabaseApp } from '../testing/database-app.ts';
import { postUpload, validBody } from '../testing/test-app.ts';

type App = Awaited<ReturnType<typeof buildDatabaseApp>>['app'];

describe('upload routes on PostgreSQL', () => {
  let app: App;
  let pool: pg.Pool;

  before(async () => {
    ({ app, pool } = await buildDatabaseApp());
  });

  after(() => pool.end());

  async function rowCount(table: string, where = 'true', values: unknown[] = []): Promise<number> {
    const result = await pool.query(
      `select count(*)::int as n from ${table} where ${where}`,
      values,
    );
    return result.rows[0].n;
  }

  describe('Idempotency-Key', () => {
    it('returns the first upload for a repeat', async () => {
      const headers = { 'idempotency-key': 'repeat-1' };
      const body = { ...validBody, object_name: 'repeat-1.jpg' };
      const first = await postUpload(app, body, headers);
      const second = await postUpload(app, body, headers);
      assert.equal(first.status, 202);
      assert.equal(second.status, 202);
      const firstBody = (await first.json()) as { id: string };
      assert.deepEqual(await second.json(), firstBody);
      assert.equal(second.headers.get('location'), first.headers.get('location'));
      assert.equal(await rowCount('files', 'object_name = $1', ['repeat-1.jpg']), 1);
      assert.equal(await rowCount('outbox', 'upload_id = $1', [firstBody.id]), 1);
    });

    it('rejects the key with another body with 422', async () => {
      const headers = { 'idempotency-key': 'changed-body' };
      const first = await postUpload(app, { ...validBody, object_name: 'changed-1.jpg' }, headers);
      assert.equal(first.status, 202);
      const second = await postUpload(app, { ...validBody, object_name: 'changed-2.jpg' }, headers);
      await assertError(second, 422, 'IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key');
      assert.equal(await rowCount('files', 'object_name = $1', ['changed-2.jpg']), 0);
    });

    it('makes one upload of 20 concurrent requests', async () => {
      const headers = { 'idempotency-key': 'race-20' };
      const body = { ...validBody, object_name: 'race-20.jpg' };
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => postUpload(app, body, headers)),
      );
      const bodies = (await Promise.all(responses.map((r) => r.json()))) as Array<{ id: string }>;
      assert.deepEqual(
        responses.map((r) => r.status),
        Array(20).fill(202),
      );
      assert.equal(new Set(bodies.map((b) => b.id)).size, 1);
      assert.equal(await rowCount('files', 'object_name = $1', ['race-20.jpg']), 1);
      assert.equal(await rowCount('outbox', 'upload_id = $1', [bodies[0]!.id]), 1);
      const replayed = responses.filter((r) => r.headers.get('idempotent-replayed') === 'true');
      assert.equal(replayed.length, 19);
    });

    it('lets one of 10 concurrent different bodies win', async () => {
      const headers = { 'idempotency-key': 'race-bodies' };
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          postUpload(app, { ...validBody, object_name: `race-${i}.jpg` }, headers),
        ),
      );
      const statuses = responses.map((r) => r.status).sort();
      assert.deepEqual(statuses, [202, ...Array(9).fill(422)]);
      assert.equal(await rowCount('files', "object_name like 'race-_.jpg'"), 1);
    });

    it('stores the key with its upload', async () => {
      const headers = { 'idempotency-key': 'stored-row' };
      const response = await postUpload(app, { ...validBody, object_name: 'stored.jpg' }, headers);
      const { id } = (await response.json()) as { id: string };
      const row = await pool.query(
        `select owner_id, upload_id, response_status, response_body
         from idempotency_keys where key = $1`,
        ['stored-row'],
      );
      assert.deepEqual(row.rows, [
        {
          owner_id: '',
          upload_id: id,
          response_status: 202,
          response_body: {
            id,
            message: 'file upload initiated successfully',
            status_url: `/api/v1/files/${id}`,
          },
        },
      ]);
    });
  });

  describe('GET /api/v1/files', () => {
    it('pages newest first by bucket and status', async () => {
      const bucket = 'paging-bucket';
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const response = await postUpload(app, {
          ...validBody,
          bucket_name: bucket,
          object_name: `p-${i}`,
        });
        ids.push(((await response.json()) as { id: string }).id);
        // created_at has millisecond precision; uploads created in the same millisecond are
        // ordered by id, not by the order of these requests.
        await sleep(2);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 5; page += 1) {
        const after = cursor ? `&cursor=${cursor}` : '';
        const query = `bucket=${bucket}&status=pending&limit=2${after}`;
        const response = await app.request(`/api/v1/files?${query}`);
        assert.equal(response.status, 200);
        const body = (await response.json()) as {
          items: Array<{ id: string }>;
          next_cursor: string | null;
        };
        seen.push(...body.items.map((item) => item.id));
        cursor = body.next_cursor;
        if (!cursor) break;
      }
      assert.deepEqual(seen, ids.reverse());
    });

    const cursorOf = (text: string) => Buffer.from(text).toString('base64url');
    const forgedCursors: Array<[string, string]> = [
      ['text that is not base64url', 'not a cursor!'],
      ['base64url of garbage', cursorOf('garbage')],
      ['an id that is not a UUID', cursorOf(`2026-03-01T10:00:00.000Z|${'-'.repeat(36)}`)],
      ['a date outside PostgreSQL range', cursorOf(`-271821-04-20T00:00:00.000Z|${randomUUID()}`)],
      ['a date that does not exist', cursorOf(`2026-02-30T00:00:00.000Z|${randomUUID()}`)],
      ['extra text after the id', cursorOf(`2026-03-01T10:00:00.000Z|${randomUUID()}|x`)],
    ];
    for (const [name, cursor] of forgedCursors) {
      it(`rejects a cursor with ${name}`, async () => {
        const response = await app.request(`/api/v1/files?cursor=${encodeURIComponent(cursor)}`);
        await assertError(response, 400, 'INVALID_CURSOR', 'cursor');
      });
    }
  });

  describe('GET /api/v1/files/:id', () => {
    it('returns the stored upload', async () => {
      const response = await postUpload(app, { ...validBody, object_name: '報告 (1).pdf' });
      const { id } = (await response.json()) as { id: string };
      const upload = (await (await app.request(`/api/v1/files/${id}`)).json()) as Record<
        string,
        unknown
      >;
      assert.equal(upload.id, id);
      assert.equal(upload.object_name, '報告 (1).pdf');
      assert.equal(upload.status, 'pending');
      assert.equal(upload.download_url, null);
    });
  });
});
