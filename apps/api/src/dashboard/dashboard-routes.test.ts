import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { assertError } from '../testing/assertions.ts';
import { buildTestApp } from '../testing/test-app.ts';
import { DASHBOARD_ASSETS } from './assets/index.ts';

const PAGE_URL = 'http://localhost/';

async function fetchPage(): Promise<{ response: Response; html: string }> {
  const { app } = buildTestApp();
  const response = await app.request('/');
  return { response, html: await response.text() };
}

/** Returns every URL the page loads: src and href attributes. */
function referencedUrls(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/gi)].map((match) => match[1]!);
}

/** Returns the opening tags of every input and select element. */
function controls(html: string): string[] {
  return [...html.matchAll(/<(?:input|select)\b[^>]*>/gi)].map((match) => match[0]);
}

function attribute(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
}

describe('GET /', () => {
  it('serves the dashboard as HTML', async () => {
    const { response, html } = await fetchPage();
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /<html lang="en">/);
  });

  it('allows only its own origin', async () => {
    const { response } = await fetchPage();
    const policy = response.headers.get('content-security-policy') ?? '';
    assert.match(policy, /default-src 'self'/);
    assert.match(policy, /script-src 'self'(;|$)/);
    assert.match(policy, /style-src 'self'(;|$)/);
    assert.match(policy, /connect-src 'self'(;|$)/);
    assert.match(policy, /frame-ancestors 'none'/);
    assert.doesNotMatch(policy, /unsafe|https?:|data:|\*/);
  });

  it('keeps the secure headers of the API', async () => {
    const { response } = await fetchPage();
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('x-frame-options'), 'SAMEORIGIN');
  });

  it('loads only same-origin assets', async () => {
    const { html } = await fetchPage();
    const urls = referencedUrls(html);
    assert.ok(urls.length >= 3, `too few assets: ${urls}`);
    for (const url of urls) {
      assert.equal(new URL(url, PAGE_URL).origin, new URL(PAGE_URL).origin, url);
    }
    assert.doesNotMatch(html, /https?:\/\//);
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'inline script');
    assert.doesNotMatch(html, /\sstyle="/, 'inline style');
  });

  it('labels every input and select', async () => {
    const { html } = await fetchPage();
    const tags = controls(html);
    assert.ok(tags.length >= 5, `too few controls: ${tags.length}`);
    for (const tag of tags) {
      const id = attribute(tag, 'id');
      assert.ok(id, `control without id: ${tag}`);
      assert.match(html, new RegExp(`<label for="${id}">`), `no label for ${id}`);
    }
  });

  it('asks for the key in a password field', async () => {
    const { html } = await fetchPage();
    const key = controls(html).find((tag) => attribute(tag, 'id') === 'api-key')!;
    assert.equal(attribute(key, 'type'), 'password');
    assert.equal(attribute(key, 'autocomplete'), 'off');
    assert.equal(attribute(key, 'name'), undefined);
  });

  it('points each upload field at its error slot', async () => {
    const { html } = await fetchPage();
    for (const field of ['file_url', 'bucket_name', 'object_name']) {
      const tag = controls(html).find((t) => attribute(t, 'id') === field)!;
      assert.match(attribute(tag, 'aria-describedby') ?? '', new RegExp(`\\b${field}-error\\b`));
      assert.match(html, new RegExp(`id="${field}-error"[^>]*aria-live="polite"`));
    }
  });

  it('has a counter for each status', async () => {
    const { html } = await fetchPage();
    for (const status of ['pending', 'processing', 'completed', 'failed']) {
      assert.match(html, new RegExp(`id="count-${status}"`));
    }
  });
});

describe('GET /dashboard/assets/:name', () => {
  it('serves every asset the page names', async () => {
    const { app } = buildTestApp();
    const { html } = await fetchPage();
    for (const url of referencedUrls(html)) {
      const asset = await app.request(new URL(url, PAGE_URL).pathname);
      assert.equal(asset.status, 200, url);
      assert.ok((await asset.text()).length > 0, url);
    }
  });

  it('serves every module that a script imports', async () => {
    const { app } = buildTestApp();
    for (const [name, asset] of DASHBOARD_ASSETS) {
      for (const match of asset.body.matchAll(/\bfrom '(\.[^']+)'/g)) {
        const path = new URL(match[1]!, `${PAGE_URL}dashboard/assets/${name}`).pathname;
        const response = await app.request(path);
        assert.equal(response.status, 200, `${name} imports ${path}`);
        assert.match(response.headers.get('content-type') ?? '', /^text\/javascript/, path);
      }
    }
  });

  it('sends each asset with its media type', async () => {
    const { app } = buildTestApp();
    const expected: Array<[string, RegExp]> = [
      ['main.js', /^text\/javascript; charset=utf-8$/],
      ['dashboard.css', /^text\/css; charset=utf-8$/],
      ['favicon.svg', /^image\/svg\+xml$/],
    ];
    for (const [name, type] of expected) {
      const response = await app.request(`/dashboard/assets/${name}`);
      assert.match(response.headers.get('content-type') ?? '', type, name);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', name);
    }
  });

  it('returns 304 for a copy with a current ETag', async () => {
    const { app } = buildTestApp();
    const first = await app.request('/dashboard/assets/main.js');
    const tag = first.headers.get('etag');
    assert.ok(tag);
    const second = await app.request('/dashboard/assets/main.js', {
      headers: { 'if-none-match': tag },
    });
    assert.equal(second.status, 304);
  });

  for (const name of ['index.html', 'constructor', '__proto__', '..%2Fdashboard-routes.ts']) {
    it(`returns 404 for the asset ${name}`, async () => {
      const { app } = buildTestApp();
      await assertError(await app.request(`/dashboard/assets/${name}`), 404, 'NOT_FOUND');
    });
  }
});

describe('dashboard scripts', () => {
  it('parse as ES modules', () => {
    const folder = mkdtempSync(join(tmpdir(), 'dashboard-scripts-'));
    try {
      for (const [name, asset] of DASHBOARD_ASSETS) {
        if (!name.endsWith('.js')) continue;
        const file = join(folder, name.replace(/\.js$/, '.mjs'));
        writeFileSync(file, asset.body);
        const check = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
        assert.equal(check.status, 0, `${name}: ${check.stderr}`);
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('never write the API key into localStorage', () => {
    for (const [name, asset] of DASHBOARD_ASSETS) {
      assert.doesNotMatch(asset.body, /localStorage/, name);
    }
  });
});
