import type { BrowserContext, Locator, Page } from 'playwright-core';

/** API key named by FILEFLOW_TEST_API_KEY, for a run against keys made outside the test. */
export function apiKeyFromEnv(): string | undefined {
  return process.env.FILEFLOW_TEST_API_KEY || undefined;
}

/** A dashboard tab and what it did since it opened. */
export interface DashboardTab {
  page: Page;
  /** URLs of every request the tab sent, downloads opened in new tabs excluded. */
  requests: string[];
  /** Navigations of the main frame. 1 means the page never reloaded. */
  navigations: () => number;
  /** Content security policy violations the page reported. */
  cspViolations: () => Promise<string[]>;
  /** Uncaught errors of the page's scripts. */
  pageErrors: Error[];
}

/** Opens the dashboard in a new tab and, when `apiKey` is given, enters it in the key form. */
export async function openDashboard(
  context: BrowserContext,
  apiUrl: string,
  options: { apiKey?: string } = {},
): Promise<DashboardTab> {
  const page = await context.newPage();
  const requests: string[] = [];
  const pageErrors: Error[] = [];
  let navigations = 0;
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => pageErrors.push(error));
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations += 1;
  });
  await page.addInitScript(() => {
    const violations: string[] = [];
    Object.assign(window, { cspViolations: violations });
    document.addEventListener('securitypolicyviolation', (event) => {
      violations.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });

  // The key is stored before the page loads, so its first poll already sends it; a key typed
  // after the load raced that poll's 401, which pauses polling.
  if (options.apiKey !== undefined) {
    await page.addInitScript((key) => sessionStorage.setItem('fileflow.apiKey', key), options.apiKey);
  }
  const response = await page.goto(`${apiUrl}/`);
  if (response?.status() !== 200) throw new Error(`GET / returned ${response?.status()}`);
  const state = page.locator('#refresh-state', { hasText: /^(Updated at|Paused)/ });
  await state.waitFor({ timeout: 15_000 });
  if ((await state.innerText()).startsWith('Paused')) {
    throw new Error('the API returned 401 to the dashboard: set FILEFLOW_TEST_API_KEY to a valid key');
  }

  return {
    page,
    requests,
    pageErrors,
    navigations: () => navigations,
    cspViolations: () =>
      page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations),
  };
}

/** Types `apiKey` into the key form and submits it. */
export async function enterApiKey(page: Page, apiKey: string): Promise<void> {
  await page.locator('#api-key').fill(apiKey);
  await page.getByRole('button', { name: 'Use key' }).click();
  await page.locator('#key-state', { hasText: 'An API key is set' }).waitFor();
}

/** Fills the upload form, submits it with the Upload button and returns the new upload's id. */
export async function submitUpload(
  page: Page,
  request: { file_url: string; bucket_name: string; object_name: string },
): Promise<string> {
  await page.locator('#file_url').fill(request.file_url);
  await page.locator('#bucket_name').fill(request.bucket_name);
  await page.locator('#object_name').fill(request.object_name);
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  const result = page.locator('#upload-result', { hasText: request.object_name });
  await result.waitFor({ timeout: 15_000 });
  const id = await result.getAttribute('data-upload-id');
  if (!id) throw new Error(`no upload id in the result of ${request.object_name}`);
  return id;
}

/** Row of an upload in the table. */
export function rowOf(page: Page, id: string): Locator {
  return page.locator(`#upload-rows tr[data-id="${id}"]`);
}

/** Text of one cell of an upload's row. */
export async function cellText(page: Page, id: string, cell: string): Promise<string> {
  return (await rowOf(page, id).locator(`[data-cell="${cell}"]`).innerText()).trim();
}

/** Waits until the table shows `status` for the upload, without reloading the page. */
export async function waitForStatus(
  page: Page,
  id: string,
  status: string,
  timeoutMs = 60_000,
): Promise<void> {
  const cell = rowOf(page, id).locator('[data-cell="status"]');
  await cell.filter({ hasText: new RegExp(`^${status}$`) }).waitFor({ timeout: timeoutMs });
}

/** Sends a request to the API with `apiKey` as a Bearer token and returns the parsed body. */
export async function apiJson(
  apiUrl: string,
  path: string,
  apiKey: string | undefined,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
  const response = await fetch(`${apiUrl}${path}`, { headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * Returns every visible text whose colour has less contrast to its background than WCAG 2.1
 * AA allows: 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold). The background is that of
 * the nearest element with a non-transparent one, treated as opaque.
 */
export function contrastFailures(page: Page): Promise<string[]> {
  // tsx compiles with esbuild's keepNames, which wraps named functions in a __name() call that
  // does not exist in the page. So the code below passes only anonymous callbacks.
  return page.evaluate(() => {
    const failures: string[] = [];
    for (const element of document.body.querySelectorAll('*')) {
      const ownText = [...element.childNodes]
        .filter((node) => node.nodeType === Node.TEXT_NODE)
        .map((node) => node.textContent ?? '')
        .join('')
        .trim();
      const box = element.getBoundingClientRect();
      if (!ownText || box.width <= 1 || box.height <= 1 || !element.checkVisibility()) continue;

      const style = getComputedStyle(element);
      let background = 'rgb(255, 255, 255)';
      for (let e: Element | null = element; e; e = e.parentElement) {
        const color = getComputedStyle(e).backgroundColor;
        const alpha = /rgba\([^)]*[,/]\s*([\d.]+)\)/.exec(color)?.[1];
        if (alpha === undefined || Number(alpha) > 0) {
          background = color;
          break;
        }
      }
      const [text, back] = [style.color, background].map((color) => {
        const channels = (/rgba?\(([^)]+)\)/.exec(color)?.[1] ?? '0 0 0')
          .split(/[\s,/]+/)
          .filter(Boolean)
          .slice(0, 3)
          .map((value) => Number(value) / 255)
          .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
        return 0.2126 * channels[0]! + 0.7152 * channels[1]! + 0.0722 * channels[2]!;
      });
      const ratio = (Math.max(text!, back!) + 0.05) / (Math.min(text!, back!) + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) {
        failures.push(`"${ownText.slice(0, 40)}" ${style.color} on ${background}: ${ratio.toFixed(2)}`);
      }
    }
    return failures;
  });
}
