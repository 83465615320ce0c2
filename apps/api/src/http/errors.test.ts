import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { UploadFailure } from '@fileflow/domain';
import { assertError } from '../testing/assertions.ts';
import { buildTestApp, postUpload, validBody } from '../testing/test-app.ts';
import { loggable } from './errors.ts';

describe('error responses', () => {
  it('return 404 for an unknown route', async () => {
    const { app } = buildTestApp();
    await assertError(await app.request('/api/v2/upload'), 404, 'NOT_FOUND');
    await assertError(await app.request('/api/v1/files/'), 404, 'NOT_FOUND');
  });

  it('return 405 with Allow for a known path', async () => {
    const { app } = buildTestApp();
    const response = await app.request('/api/v1/upload', { method: 'PUT' });
    assert.equal(response.headers.get('allow'), 'POST');
    await assertError(response, 405, 'METHOD_NOT_ALLOWED');
  });

  it('list GET and HEAD as allowed on a read route', async () => {
    const { app } = buildTestApp();
    const response = await app.request(`/api/v1/files/${randomUUID()}`, { method: 'DELETE' });
    assert.equal(response.headers.get('allow'), 'GET, HEAD');
    await assertError(response, 405, 'METHOD_NOT_ALLOWED');
  });

  it('hide internal error details behind a 500', async () => {
    const { app, files } = buildTestApp();
    files.findById = () =>
      Promise.reject(new Error('connect to 10.0.0.5 failed: password=hunter2'));
    const response = await app.request(`/api/v1/files/${randomUUID()}`);
    const body = await assertError(response, 500, 'INTERNAL_ERROR', null);
    assert.doesNotMatch(JSON.stringify(body), /hunter2|10\.0\.0\.5|at |\.ts/);
  });

  it('hide coded driver errors behind a 500', async () => {
    const { app, files } = buildTestApp();
    const driverError = Object.assign(new Error('invalid input syntax for type uuid: "x"'), {
      code: '22P02',
    });
    files.add = () => Promise.reject(driverError);
    const body = await assertError(await postUpload(app, validBody), 500, 'INTERNAL_ERROR', null);
    assert.doesNotMatch(body.error.message, /uuid/);
  });

  it('return 503 with Retry-After when the database is down', async () => {
    const { app, files } = buildTestApp();
    files.list = () =>
      Promise.reject(
        new UploadFailure('DATABASE_UNAVAILABLE', 'database unavailable (ECONNREFUSED)'),
      );
    const response = await app.request('/api/v1/files');
    assert.equal(response.headers.get('retry-after'), '5');
    const body = await assertError(response, 503, 'SERVICE_UNAVAILABLE', null);
    assert.doesNotMatch(body.error.message, /ECONNREFUSED/);
  });

  it('keep a long path out of the message', async () => {
    const { app } = buildTestApp();
    const body = await assertError(await app.request(`/${'x'.repeat(5000)}`), 404, 'NOT_FOUND');
    assert.ok(body.error.message.length < 200);
  });
});

describe('loggable', () => {
  it('drops query parameters of a query error', () => {
    const error = new Error('Failed query: select 1 where id = $1\nparams: secret-value');
    Object.assign(error, { params: ['secret-value'], cause: { code: '22P02' } });
    const logged = loggable(error) as Record<string, unknown>;
    assert.doesNotMatch(JSON.stringify(logged), /secret-value/);
    assert.equal(logged.sqlState, '22P02');
  });

  it('passes other errors through', () => {
    const error = new Error('boom');
    assert.equal(loggable(error), error);
  });
});
