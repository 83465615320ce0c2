import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MiddlewareHandler } from 'hono';
import { OPENAPI_PATH } from '../app.ts';
import type { AppEnv } from '../http/app-env.ts';
import { buildTestApp, validBody } from '../testing/test-app.ts';

/** Authentication that rejects every request, as requireApiKey does without a key. */
const rejectAll: MiddlewareHandler<AppEnv> = async (c) => c.json({ error: { code: 'UNAUTHORIZED' } }, 401);

function post(app: ReturnType<typeof buildTestApp>['app'], path: string, body: unknown, headers = {}) {
  return app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('benchmark route', () => {
  it('accepts without key or storage', async () => {
    const { app, files } = buildTestApp({ bench: true, auth: rejectAll });
    const response = await post(app, '/api/v1/bench/upload', validBody);
    const body = (await response.json()) as { id: string; message: string };

    assert.equal(response.status, 202);
    assert.match(body.id, /^[0-9a-f-]{36}$/);
    assert.equal(body.message, 'file upload initiated successfully');
    assert.deepEqual(files.calls, []);
  });

  it('keeps the key check elsewhere', async () => {
    const { app } = buildTestApp({ bench: true, auth: rejectAll });
    const response = await post(app, '/api/v1/upload', validBody);
    assert.equal(response.status, 401);
  });

  it('validates the body like the upload route', async () => {
    const { app } = buildTestApp({ bench: true });
    const response = await post(app, '/api/v1/bench/upload', { ...validBody, file_url: 'ftp://example.com/a' });
    const body = (await response.json()) as { error: { code: string; field: string } };

    assert.equal(response.status, 400);
    assert.equal(body.error.field, 'file_url');
  });

  it('rejects an Idempotency-Key', async () => {
    const { app } = buildTestApp({ bench: true });
    const response = await post(app, '/api/v1/bench/upload', validBody, { 'Idempotency-Key': 'k-1' });
    const body = (await response.json()) as { error: { code: string; message: string } };

    assert.equal(response.status, 400);
    assert.equal(body.error.code, 'IDEMPOTENCY_NOT_SUPPORTED');
    assert.match(body.error.message, /remove the header/);
  });

  it('is absent unless enabled', async () => {
    const { app } = buildTestApp();
    const response = await post(app, '/api/v1/bench/upload', validBody);
    assert.equal(response.status, 404);
  });

  it('stays out of the OpenAPI document', async () => {
    const { app } = buildTestApp({ bench: true });
    const document = (await (await app.request(OPENAPI_PATH)).json()) as { paths: Record<string, unknown> };
    assert.deepEqual(
      Object.keys(document.paths).filter((path) => path.includes('bench')),
      [],
    );
  });
});
