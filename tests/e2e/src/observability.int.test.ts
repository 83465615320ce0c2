import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { submit, waitForFinal } from './support/api-client.ts';
import { ScriptedFileServer } from './support/file-server.ts';
import { localStack } from './support/local-stack.ts';
import { scrape, total } from './support/metrics.ts';
import { APP_NAMES, TestSystem, type AppName } from './support/system.ts';

describe('observability', () => {
  const system = new TestSystem({ all: { FILEFLOW_RETRY_BASE_DELAY_MS: '200' } });
  const files = new ScriptedFileServer();
  const base = (app: AppName) => (app === 'api' ? system.apiUrl : `http://127.0.0.1:${system.port(app)}`);

  before(async () => {
    await files.start();
    await system.start();
  });

  after(async () => {
    await system.stop();
    await files.stop();
  });

  it('moves the counters by one success and one failure', async () => {
    const apiBefore = await scrape(`${base('api')}/metrics`);
    const consumerBefore = await scrape(`${base('consumer')}/metrics`);
    const body = Buffer.alloc(1234, 7);
    const good = files.route('/metrics-good.bin', { status: 200, body });
    const bad = files.route('/metrics-bad.bin', { status: 404 });
    const first = await submit(system.apiUrl, { file_url: good, bucket_name: 'metrics', object_name: 'good.bin' });
    const second = await submit(system.apiUrl, { file_url: bad, bucket_name: 'metrics', object_name: 'bad.bin' });
    await waitForFinal(system.apiUrl, String(first.json.id));
    await waitForFinal(system.apiUrl, String(second.json.id));

    const apiAfter = await scrape(`${base('api')}/metrics`);
    const consumerAfter = await scrape(`${base('consumer')}/metrics`);
    const delta = (after: Map<string, number>, before: Map<string, number>, name: string, labels = {}) =>
      total(after, name, labels) - total(before, name, labels);
    assert.equal(delta(apiAfter, apiBefore, 'fileflow_uploads_accepted_total'), 2);
    assert.equal(delta(apiAfter, apiBefore, 'fileflow_http_request_duration_seconds_count', { route: '/api/v1/upload', status: '202' }), 2);
    assert.equal(delta(consumerAfter, consumerBefore, 'fileflow_attempts_total', { outcome: 'completed' }), 1);
    assert.equal(delta(consumerAfter, consumerBefore, 'fileflow_attempts_total', { outcome: 'failed', error_class: 'permanent' }), 1);
    assert.equal(delta(consumerAfter, consumerBefore, 'fileflow_dead_lettered_total'), 1);
    assert.equal(delta(consumerAfter, consumerBefore, 'fileflow_bytes_stored_total'), 1234);
    assert.ok(total(consumerAfter, 'fileflow_consumer_lag_messages') >= 0);
    assert.ok(apiAfter.has('fileflow_outbox_backlog{service="api"}'));
  });

  it('writes JSON lines that carry the upload id in every app', async () => {
    const url = files.route('/logs.txt', { status: 500 }, { status: 200, body: 'logged' });
    const { json } = await submit(system.apiUrl, { file_url: url, bucket_name: 'logs', object_name: 'logs.txt' });
    const id = String(json.id);
    await waitForFinal(system.apiUrl, id);
    await system.waitForLine('retry-consumer', 'upload completed', 10_000, (l) => l.uploadId === id);

    const stdoutLines = system.logs.filter((l) => !/Warning|trace-warnings/.test(l.raw) && l.raw.startsWith('{'));
    assert.ok(stdoutLines.length > 0);
    for (const line of stdoutLines) assert.ok(line.json, `not JSON: ${line.raw}`);
    const about = system.logs.filter((l) => l.raw.includes(id));
    for (const line of about) assert.equal(line.json?.uploadId, id, `line without uploadId: ${line.raw}`);
    for (const app of APP_NAMES) {
      assert.ok(about.some((l) => l.app === app), `${app} wrote no line about ${id}`);
    }
    const completed = about.find((l) => l.json?.msg === 'upload completed');
    assert.match(String(completed?.json?.downloadUrl), /\?\[signature redacted\]$/);
  });

  for (const service of ['postgres', 'kafka', 's3'] as const) {
    it(`reports not ready within 10 s of stopping ${service}`, async () => {
      const stack = localStack();
      for (const app of APP_NAMES) assert.equal((await fetch(`${base(app)}/readyz`)).status, 200, `${app} not ready before`);
      await stack.stopService(service);
      try {
        const stoppedAt = Date.now();
        for (const app of APP_NAMES) await waitForStatus(`${base(app)}/readyz`, 503, stoppedAt + 10_000);
        for (const app of APP_NAMES) assert.equal((await fetch(`${base(app)}/healthz`)).status, 200);
      } finally {
        await stack.startService(service);
      }
      for (const app of APP_NAMES) await waitForStatus(`${base(app)}/readyz`, 200, Date.now() + 60_000);
    });
  }
});

async function waitForStatus(url: string, status: number, deadline: number): Promise<void> {
  let last = 0;
  while (Date.now() < deadline) {
    last = (await fetch(url).catch(() => ({ status: 0 }))).status;
    if (last === status) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(`${url} answered ${last}, not ${status}, before the deadline`);
}
