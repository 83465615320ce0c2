import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ListUploads, UPLOAD_STATUSES, type UploadStatus } from '@fileflow/domain';
import { Hono } from 'hono';
import type { AppEnv } from '../http/app-env.ts';
import { handleError } from '../http/errors.ts';
import { assertError } from '../testing/assertions.ts';
import { RecordingFileRepository, buildTestApp } from '../testing/test-app.ts';
import { statsRoutes } from './stats-routes.ts';

/** Repository whose counts are fixed and that records the owner of each count. */
class CountingRepository extends RecordingFileRepository {
  readonly owners: Array<string | undefined> = [];

  override async countByStatus(ownerId?: string): Promise<Record<UploadStatus, number>> {
    this.owners.push(ownerId);
    return { pending: 1, processing: 2, completed: 3, failed: 4 };
  }
}

/** Mounts the stats route as app.ts does, with `ownerId` set the way the API key check sets it. */
function statsApp(ownerId: string | null) {
  const files = new CountingRepository();
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set('ownerId', ownerId);
    await next();
  });
  app.route('/api/v1', statsRoutes({ listUploads: new ListUploads(files) }));
  app.onError(handleError);
  return { app, files };
}

describe('GET /api/v1/stats', () => {
  it('returns a count for every status', async () => {
    const { app } = buildTestApp();
    const response = await app.request('/api/v1/stats');
    assert.equal(response.status, 200);
    const body = (await response.json()) as { counts: Record<string, number> };
    assert.deepEqual(Object.keys(body.counts).sort(), [...UPLOAD_STATUSES].sort());
    assert.equal(response.headers.get('cache-control'), 'no-store');
  });

  it('counts only the uploads of the owner', async () => {
    const { app, files } = statsApp('key-1');
    const body = await (await app.request('/api/v1/stats')).json();
    assert.deepEqual(body, { counts: { pending: 1, processing: 2, completed: 3, failed: 4 } });
    assert.deepEqual(files.owners, ['key-1']);
  });

  it('counts every upload for a request without an owner', async () => {
    const { app, files } = statsApp(null);
    assert.equal((await app.request('/api/v1/stats')).status, 200);
    assert.deepEqual(files.owners, [undefined]);
  });

  it('rejects a query parameter with 400', async () => {
    const { app, files } = statsApp(null);
    await assertError(
      await app.request('/api/v1/stats?status=failed'),
      400,
      'UNKNOWN_FIELD',
      'status',
    );
    assert.deepEqual(files.owners, []);
  });
});
