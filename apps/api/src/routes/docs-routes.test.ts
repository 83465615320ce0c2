import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertError } from '../testing/assertions.ts';
import { buildTestApp } from '../testing/test-app.ts';

const PAGE_URL = 'http://localhost/api/v1/docs';

/** Returns every URL the page loads: src and href attributes. */
function referencedUrls(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/gi)].map((match) => match[1]!);
}

describe('GET /api/v1/docs', () => {
  it('serves an HTML page that loads only same-origin assets', async () => {
    const { app } = buildTestApp();
    const response = await app.request('/api/v1/docs');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    const html = await response.text();
    const urls = referencedUrls(html).filter((url) => !url.startsWith('data:'));
    assert.ok(urls.length >= 3, `too few assets: ${urls}`);
    for (const url of urls) {
      assert.equal(new URL(url, PAGE_URL).origin, new URL(PAGE_URL).origin, url);
    }
    assert.doesNotMatch(html, /https?:\/\//);
  });

  it('forbids other origins with a content security policy', async () => {
    const { app } = buildTestApp();
    const policy = (await app.request('/api/v1/docs')).headers.get('content-security-policy') ?? '';
    assert.match(policy, /default-src 'none'/);
    assert.match(policy, /script-src 'self'(;|$)/);
    assert.match(policy, /connect-src 'self'(;|$)/);
  });

  it('serves every asset the page names', async () => {
    const { app } = buildTestApp();
    const html = await (await app.request('/api/v1/docs')).text();
    for (const url of referencedUrls(html).filter((u) => !u.startsWith('data:'))) {
      const asset = await app.request(new URL(url, PAGE_URL).pathname);
      assert.equal(asset.status, 200, url);
      const type = url.endsWith('.css') ? /^text\/css/ : /^text\/javascript/;
      assert.match(asset.headers.get('content-type') ?? '', type, url);
      assert.ok((await asset.arrayBuffer()).byteLength > 0, url);
    }
  });

  it('points Swagger UI at the OpenAPI document without the online validator', async () => {
    const { app } = buildTestApp();
    const script = await (await app.request('/api/v1/docs/assets/docs-init.js')).text();
    assert.match(script, /url: '\/api\/v1\/openapi\.json'/);
    assert.match(script, /validatorUrl: null/);
  });

  for (const name of [
    'index.html',
    'package.json',
    '..%2Fpackage.json',
    '..%2F..%2Fsrc%2Fapp.ts',
  ]) {
    it(`returns 404 for the asset ${name}`, async () => {
      const { app } = buildTestApp();
      await assertError(await app.request(`/api/v1/docs/assets/${name}`), 404, 'NOT_FOUND');
    });
  }
});
