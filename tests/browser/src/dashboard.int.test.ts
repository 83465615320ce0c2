import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Page, Request } from 'playwright-core';
import { ScriptedFileServer } from '../../e2e/src/support/file-server.ts';
import { TestSystem } from '../../e2e/src/support/system.ts';
import { launchChromium, type TestBrowser } from './support/chromium.ts';
import {
  apiJson,
  apiKeyFromEnv,
  cellText,
  contrastFailures,
  enterApiKey,
  openDashboard,
  rowOf,
  submitUpload,
  waitForStatus,
  type DashboardTab,
} from './support/dashboard.ts';

const photo = await readFile(new URL('../../e2e/fixtures/landscape.jpg', import.meta.url));
const SCREENSHOT = new URL('../../../test-artifacts/dashboard.png', import.meta.url);
const BUCKET = 'dashboard-tests';
const STATUSES = ['pending', 'processing', 'completed', 'failed'];

/** The size the table shows for the fixture, in KiB with one decimal. */
const PHOTO_SIZE = `${(photo.length / 1024).toFixed(1)} KiB`;
const JPEG = { 'content-type': 'image/jpeg' };

// The tests of this suite run in order on one dashboard tab, so the table fills up as they go
// and the screenshot at the end shows uploads in several states.
describe('dashboard in Chromium', () => {
  const system = new TestSystem();
  const files = new ScriptedFileServer();
  let apiKey: string;
  const run = randomBytes(4).toString('hex');
  let browser: TestBrowser;
  let tab: DashboardTab;
  let page: Page;

  before(async () => {
    await files.start();
    await system.start();
    // A key from the environment comes first. Without one, the system creates a key for every bucket.
    apiKey = apiKeyFromEnv() ?? (await system.apiKey());
    browser = await launchChromium();
    tab = await openDashboard(browser.context, system.apiUrl, { apiKey });
    page = tab.page;
  });

  after(async () => {
    await browser?.close();
    await system.stop();
    await files.stop();
  });

  it('downloads a completed image', async () => {
    await page.evaluate(() => Object.assign(window, { loadedOnce: true }));
    const path = `/landscape-${run}.jpg`;
    const url = files.route(path, { status: 200, body: photo, headers: JPEG });
    const id = await submitUpload(page, {
      file_url: url,
      bucket_name: BUCKET,
      object_name: `landscape-${run}.jpg`,
    });

    await waitForStatus(page, id, 'completed');
    assert.equal(await cellText(page, id, 'attempts'), '1');
    assert.equal(await cellText(page, id, 'size'), PHOTO_SIZE);
    assert.equal(await cellText(page, id, 'type'), 'image/jpeg');
    assert.equal(tab.navigations(), 1, 'the page navigated again');
    assert.equal(await page.evaluate(() => 'loadedOnce' in window), true, 'the page reloaded');

    const link = rowOf(page, id).getByRole('link', { name: /^Download/ });
    const href = (await link.getAttribute('href', { timeout: 15_000 })) ?? '';
    assert.match(href, /X-Amz-Signature=/);
    const target = new URL(href);
    const downloaded = browser.context.waitForEvent('response', {
      predicate: (response) => {
        const url = new URL(response.url());
        return url.host === target.host && url.pathname === target.pathname;
      },
      timeout: 15_000,
    });
    const opened = browser.context.waitForEvent('page', { timeout: 15_000 });
    await link.click();
    const [response, popup] = await Promise.all([downloaded, opened]);
    assert.equal(response.status(), 200);
    assert.equal(response.headers()['content-type'], 'image/jpeg');
    const bytes = await response.body();
    assert.equal(bytes.length, photo.length);
    assert.ok(bytes.equals(photo), 'downloaded bytes differ from the fixture');
    await popup.close();
  });

  it('shows bucket errors beside the field', async () => {
    await page.locator('#file_url').fill(files.url(`/never-${run}.jpg`));
    await page.locator('#bucket_name').fill('Invalid_Bucket');
    await page.locator('#object_name').fill(`invalid-${run}.jpg`);
    // Enter in a field submits the form, as for a keyboard user.
    await page.locator('#object_name').press('Enter');

    const error = page.locator('#bucket_name-error');
    await error.filter({ hasText: /bucket_name/ }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#bucket_name').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'bucket_name');
    assert.equal(await page.locator('#file_url-error').innerText(), '');
    assert.equal(await page.locator('#object_name-error').innerText(), '');
    const field = page.locator('.field', { has: page.locator('#bucket_name') });
    assert.equal(await field.locator('#bucket_name-error').count(), 1);

    const input = (await page.locator('#bucket_name').boundingBox())!;
    const message = (await error.boundingBox())!;
    const gap = message.y - (input.y + input.height);
    assert.ok(gap >= 0, `error overlaps the field by ${-gap} px`);
    assert.ok(gap < 60, `error is ${gap} px below the field`);
    assert.equal(files.hits.get(`/never-${run}.jpg`), undefined);
  });

  it('replays a failed upload', async () => {
    const path = `/replay-${run}.jpg`;
    const url = files.route(path, { status: 404, body: 'not found' });
    const id = await submitUpload(page, {
      file_url: url,
      bucket_name: BUCKET,
      object_name: `replay-${run}.jpg`,
    });
    await waitForStatus(page, id, 'failed');
    assert.match(await cellText(page, id, 'error'), /404/);

    files.route(path, { status: 200, body: photo, headers: JPEG });
    await rowOf(page, id).getByRole('button', { name: /^Replay/ }).click();
    await waitForStatus(page, id, 'completed');
    assert.equal(await cellText(page, id, 'size'), PHOTO_SIZE);
    assert.equal(files.hits.get(path), 2);

    const upload = await apiJson(system.apiUrl, `/api/v1/files/${id}`, apiKey);
    assert.equal(upload.body.status, 'completed');
    assert.equal(upload.body.size, photo.length);
  });

  it('filters the table by status', async () => {
    const url = files.route(`/missing-${run}.jpg`, { status: 404 });
    const id = await submitUpload(page, {
      file_url: url,
      bucket_name: BUCKET,
      object_name: `missing-${run}.jpg`,
    });
    await waitForStatus(page, id, 'failed');

    const filter = page.getByLabel('Status', { exact: true });
    await filter.selectOption('failed');
    const statusCells = page.locator('#upload-rows [data-cell="status"]');
    await statusCells.filter({ hasNotText: 'failed' }).first().waitFor({ state: 'detached' });
    await rowOf(page, id).waitFor({ timeout: 5_000 });
    const failedOnly = await statusCells.allInnerTexts();
    assert.ok(failedOnly.length >= 1);
    assert.deepEqual(new Set(failedOnly.map((text) => text.trim())), new Set(['failed']));

    await filter.selectOption('completed');
    await rowOf(page, id).waitFor({ state: 'detached', timeout: 5_000 });
    await filter.selectOption('');
    await rowOf(page, id).waitFor({ timeout: 5_000 });
  });

  it('shows the counts of the stats route', async () => {
    // The shared database may hold uploads of other tests whose counts still change, so the
    // page must match the route at some moment within a few polls.
    let expected: Record<string, number> = {};
    let displayed: Record<string, number> = {};
    for (let tries = 0; tries < 10; tries += 1) {
      const stats = await apiJson(system.apiUrl, '/api/v1/stats', apiKey);
      expected = stats.body.counts as Record<string, number>;
      await page.waitForTimeout(1_200);
      const texts = await Promise.all(STATUSES.map((s) => page.locator(`#count-${s}`).innerText()));
      displayed = Object.fromEntries(STATUSES.map((s, i) => [s, Number(texts[i])]));
      if (JSON.stringify(displayed) === JSON.stringify(expected)) break;
    }
    assert.deepEqual(displayed, expected);
    assert.ok(expected.completed! >= 2, JSON.stringify(expected));
    assert.ok(expected.failed! >= 1, JSON.stringify(expected));
  });

  it('loads nothing from other origins', async () => {
    const origin = new URL(system.apiUrl).origin;
    const foreign = tab.requests.filter((url) => new URL(url).origin !== origin);
    assert.deepEqual(foreign, []);
    assert.deepEqual(await tab.cspViolations(), []);
    assert.deepEqual(tab.pageErrors.map(String), []);
  });

  it('meets the WCAG AA contrast ratios', async () => {
    assert.deepEqual(await contrastFailures(page), []);
  });

  it('labels every control', async () => {
    const unlabeled = await page.evaluate(() =>
      [...document.querySelectorAll('input, select')]
        .filter((control) => (control as HTMLInputElement).labels?.length === 0)
        .map((control) => control.id),
    );
    assert.deepEqual(unlabeled, []);
  });

  it('saves a screenshot of the dashboard', async () => {
    await mkdir(new URL('.', SCREENSHOT), { recursive: true });
    // The pointer stays where the last click left it, so it is moved off every button first.
    await page.mouse.move(0, 0);
    const png = await page.screenshot({ fullPage: true });
    await writeFile(SCREENSHOT, png);
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
  });

  it('sends the key but never shows it', async () => {
    const key = apiKey;
    const other = await browser.context.newPage();
    const apiRequests: Request[] = [];
    other.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/v1/')) apiRequests.push(request);
    });
    const filter = other.getByLabel('Status', { exact: true });
    /**
     * Changes the status filter, which makes the page poll at once, and returns the
     * Authorization headers of the API requests sent from then on, once there are 2.
     */
    const authorizationsAfterFilter = async (status: string) => {
      const from = apiRequests.length;
      await filter.selectOption(status);
      for (let tries = 0; apiRequests.length < from + 2 && tries < 50; tries += 1) {
        await other.waitForTimeout(100);
      }
      const sent = apiRequests.slice(from);
      assert.ok(sent.length >= 2, `${sent.length} API requests after choosing "${status}"`);
      return new Set(await Promise.all(sent.map(async (r) => (await r.allHeaders()).authorization)));
    };

    try {
      await other.goto(`${system.apiUrl}/`);
      await enterApiKey(other, key);
      assert.deepEqual(await authorizationsAfterFilter('failed'), new Set([`Bearer ${key}`]));

      assert.equal(await other.locator('#api-key').inputValue(), '');
      assert.equal(await other.locator('#api-key').getAttribute('type'), 'password');
      assert.equal(await other.locator('#api-key').getAttribute('autocomplete'), 'off');
      assert.equal((await other.content()).includes(key), false, 'the key is in the page');
      const storage = await other.evaluate(() => ({
        session: sessionStorage.getItem('fileflow.apiKey'),
        local: JSON.stringify({ ...localStorage }),
      }));
      assert.equal(storage.session, key);
      assert.equal(storage.local.includes(key), false, 'the key is in localStorage');

      await other.reload();
      await other.locator('#key-state', { hasText: 'An API key is set' }).waitFor();
      assert.equal(await other.locator('#api-key').inputValue(), '');
      assert.deepEqual(await authorizationsAfterFilter('completed'), new Set([`Bearer ${key}`]));

      await other.getByRole('button', { name: 'Forget key' }).click();
      await other.locator('#key-state', { hasText: 'No API key is set' }).waitFor();
      assert.deepEqual(await authorizationsAfterFilter(''), new Set([undefined]));
      assert.equal(await other.evaluate(() => sessionStorage.getItem('fileflow.apiKey')), null);
    } finally {
      await other.close();
    }
  });

  it('explains a 401 and pauses', async () => {
    const other = await browser.context.newPage();
    try {
      // The browser fulfills the API requests itself, so no key of the real API is involved.
      await other.route('**/api/v1/**', (route) =>
        route.fulfill({
          status: 401,
          contentType: 'application/json',
          headers: { 'www-authenticate': 'Bearer realm="fileflow"' },
          body: JSON.stringify({
            error: { code: 'UNAUTHORIZED', message: 'a valid API key is required' },
          }),
        }),
      );
      await other.goto(`${system.apiUrl}/`);
      const alert = other.getByRole('alert').filter({ hasText: '401' });
      await alert.filter({ hasText: 'requires an API key' }).waitFor({ timeout: 10_000 });
      await other.locator('#refresh-state', { hasText: /^Paused/ }).waitFor();
      assert.equal(await other.locator('#upload-rows tr').count(), 0);

      const key = `ffk_rejected_${run}`;
      await enterApiKey(other, key);
      await alert.filter({ hasText: 'rejected the API key' }).waitFor({ timeout: 10_000 });
      assert.equal((await alert.innerText()).includes(key), false, 'the alert shows the key');
    } finally {
      await other.close();
    }
  });
});
