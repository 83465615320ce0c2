import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { OPENAPI_PATH } from './app.ts';
import { buildTestApp } from './testing/test-app.ts';

interface OpenApiDocument {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      { parameters?: Array<{ name: string; in: string }>; responses: Record<string, unknown> }
    >
  >;
  components: {
    schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }>;
  };
}

async function fetchDocument(): Promise<OpenApiDocument> {
  const { app } = buildTestApp();
  const response = await app.request(OPENAPI_PATH);
  assert.equal(response.status, 200);
  return (await response.json()) as OpenApiDocument;
}

describe('OpenAPI document', () => {
  it('validates against the OpenAPI 3.1 schema', async () => {
    const document = await fetchDocument();
    assert.equal(document.openapi, '3.1.0');
    const result = await new Validator().validate(document as unknown as Record<string, unknown>);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
  });

  it('describes every API route', async () => {
    const { paths } = await fetchDocument();
    assert.deepEqual(Object.keys(paths).sort(), [
      '/api/v1/files',
      '/api/v1/files/{id}',
      '/api/v1/files/{id}/retry',
      '/api/v1/stats',
      '/api/v1/upload',
    ]);
  });

  it('declares the bearer scheme for every route', async () => {
    const document = (await fetchDocument()) as unknown as {
      security?: unknown;
      components?: { securitySchemes?: Record<string, { type: string; scheme: string }> };
    };
    assert.deepEqual(document.security, [{ bearerAuth: [] }]);
    assert.equal(document.components?.securitySchemes?.bearerAuth?.scheme, 'bearer');
  });

  it('documents the Idempotency-Key header and its 422', async () => {
    const { paths } = await fetchDocument();
    const upload = paths['/api/v1/upload']!.post!;
    assert.ok(upload.parameters?.some((p) => p.name === 'Idempotency-Key' && p.in === 'header'));
    assert.deepEqual(Object.keys(upload.responses).sort(), [
      '202',
      '400',
      '401',
      '403',
      '413',
      '415',
      '422',
      '429',
      '500',
      '503',
    ]);
  });

  it('uses the request schema the route validates with', async () => {
    const { components } = await fetchDocument();
    const request = components.schemas.UploadRequest!;
    assert.deepEqual(Object.keys(request.properties ?? {}).sort(), [
      'bucket_name',
      'file_url',
      'object_name',
    ]);
    assert.deepEqual([...(request.required ?? [])].sort(), [
      'bucket_name',
      'file_url',
      'object_name',
    ]);
    assert.ok(components.schemas.Error);
  });
});
