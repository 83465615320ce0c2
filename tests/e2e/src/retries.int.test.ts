import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiFetch, getUpload, submit, waitForFinal } from './support/api-client.ts';
import { ScriptedFileServer } from './support/file-server.ts';
import { produceRaw, readTopic } from './support/kafka.ts';
import { TestSystem } from './support/system.ts';

const BASE_DELAY_MS = 400;
const JITTER = 0.2;

describe('retries and dead letters', () => {
  const system = new TestSystem({
    all: { FILEFLOW_RETRY_BASE_DELAY_MS: String(BASE_DELAY_MS), FILEFLOW_RETRY_JITTER: String(JITTER) },
  });
  const files = new ScriptedFileServer();
  const request = (url: string, name: string) => ({ file_url: url, bucket_name: 'retries', object_name: name });

  before(async () => {
    await files.start();
    // The retry consumer subscribes first, before any topic has a message.
    await system.start(['retry-consumer', 'api', 'consumer']);
  });

  after(async () => {
    await system.stop();
    await files.stop();
  });

  it('completes after 503, 503, 200 with backed-off retries', async () => {
    const url = files.route('/twice.txt', { status: 503 }, { status: 503 }, { status: 200, body: 'ok' });
    const { json } = await submit(system.apiUrl, request(url, 'twice.txt'));
    const upload = await waitForFinal(system.apiUrl, String(json.id));
    assert.equal(upload.status, 'completed');
    assert.equal(upload.retry_count, 2);

    const [first, second, third] = files.hitTimes.get('/twice.txt')!;
    const firstGap = second! - first!;
    const secondGap = third! - second!;
    assert.ok(firstGap >= BASE_DELAY_MS * (1 - JITTER), `first retry came after ${firstGap} ms`);
    assert.ok(secondGap >= 2 * BASE_DELAY_MS * (1 - JITTER), `second retry came after ${secondGap} ms`);
    assert.ok(firstGap < BASE_DELAY_MS + 2_000, `first retry came late, after ${firstGap} ms`);
    assert.ok(secondGap < 2 * BASE_DELAY_MS + 2_000, `second retry came late, after ${secondGap} ms`);
  });

  it('fails after exactly 4 attempts and dead-letters once', async () => {
    const url = files.route('/down.txt', { status: 503 });
    const { json } = await submit(system.apiUrl, request(url, 'down.txt'));
    const upload = await waitForFinal(system.apiUrl, String(json.id));
    assert.equal(upload.status, 'failed');
    assert.equal(upload.retry_count, 3);
    assert.match(upload.last_error?.message ?? '', /HTTP 503/);
    assert.equal(files.hits.get('/down.txt'), 4);

    const dlt = await readTopic(`${system.topic}-dlt`, (m) => m.some((x) => x.key === upload.id));
    const mine = dlt.filter((m) => m.key === upload.id);
    assert.equal(mine.length, 1);
    const headers = mine[0]!.headers;
    assert.equal(headers['fileflow-attempt'], '4');
    assert.equal(headers['fileflow-error-class'], 'retryable');
    assert.equal(headers['fileflow-error-code'], 'SOURCE_HTTP_ERROR');
    assert.match(headers['fileflow-error-message'] ?? '', /503/);
    assert.ok(headers['fileflow-first-failure-at']);
    assert.equal(headers['fileflow-original-topic'], `${system.topic}-retry`);
    assert.ok(headers['fileflow-original-partition']);
    assert.ok(headers['fileflow-original-offset']);
  });

  it('fails a 404 at once without a retry', async () => {
    const url = files.route('/missing.txt', { status: 404 });
    const { json } = await submit(system.apiUrl, request(url, 'missing.txt'));
    const upload = await waitForFinal(system.apiUrl, String(json.id));
    assert.equal(upload.status, 'failed');
    assert.equal(upload.retry_count, 0);
    assert.equal(upload.last_error?.class, 'permanent');
    assert.equal(files.hits.get('/missing.txt'), 1);

    const retries = await readTopic(`${system.topic}-retry`, () => false, 2_000);
    assert.equal(retries.filter((m) => m.key === upload.id).length, 0);
    const dlt = await readTopic(`${system.topic}-dlt`, (m) => m.some((x) => x.key === upload.id));
    assert.equal(dlt.filter((m) => m.key === upload.id)[0]?.headers['fileflow-original-topic'], system.topic);
  });

  it('replays a failed upload whose source was fixed', async () => {
    const url = files.route('/later.txt', { status: 404 });
    const { json } = await submit(system.apiUrl, request(url, 'later.txt'));
    const id = String(json.id);
    assert.equal((await waitForFinal(system.apiUrl, id)).status, 'failed');

    files.route('/later.txt', { status: 200, body: 'fixed' });
    const replay = await apiFetch(system.apiUrl, `/api/v1/files/${id}/retry`, { method: 'POST' });
    assert.equal(replay.status, 202);
    const upload = await waitForFinal(system.apiUrl, id);
    assert.equal(upload.status, 'completed');
    assert.equal(upload.retry_count, 0);
  });

  it('answers 409 to a replay of an upload that is not failed', async () => {
    const url = files.route('/fine.txt', { status: 200, body: 'fine' });
    const { json } = await submit(system.apiUrl, request(url, 'fine.txt'));
    await waitForFinal(system.apiUrl, String(json.id));
    const replay = await apiFetch(system.apiUrl, `/api/v1/files/${json.id}/retry`, { method: 'POST' });
    assert.equal(replay.status, 409);
    const body = (await replay.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'NOT_REPLAYABLE');
    assert.match(body.error.message, /completed/);
  });

  it('dead-letters a message that is not JSON and keeps consuming', async () => {
    await produceRaw(system.topic, ['{not json', null]);
    const dlt = await readTopic(`${system.topic}-dlt`, (m) => m.filter((x) => x.headers['fileflow-error-code'] === 'MESSAGE_INVALID').length >= 2);
    const invalid = dlt.filter((m) => m.headers['fileflow-error-code'] === 'MESSAGE_INVALID');
    assert.equal(invalid.length, 2);
    assert.equal(invalid[0]!.headers['fileflow-original-topic'], system.topic);

    const url = files.route('/after-bad.txt', { status: 200, body: 'still here' });
    const { json } = await submit(system.apiUrl, request(url, 'after-bad.txt'));
    assert.equal((await waitForFinal(system.apiUrl, String(json.id))).status, 'completed');
  });

  it('shows a pending retry with its error and due time', async () => {
    const url = files.route('/slow-fix.txt', { status: 503 }, { status: 200, body: 'ok' });
    const { json } = await submit(system.apiUrl, request(url, 'slow-fix.txt'));
    const id = String(json.id);
    await system.waitForLine('consumer', 'attempt failed; retry scheduled', 10_000, (l) => l.uploadId === id);
    const upload = await getUpload(system.apiUrl, id);
    assert.ok(['pending', 'processing', 'completed'].includes(upload.status));
    assert.equal((await waitForFinal(system.apiUrl, id)).retry_count, 1);
  });
});

describe('slow downloads', () => {
  const system = new TestSystem({ consumer: { FILEFLOW_KAFKA_SESSION_TIMEOUT_MS: '6000' } });
  const files = new ScriptedFileServer();

  before(async () => {
    await files.start();
    await system.start(['api', 'consumer']);
  });

  after(async () => {
    await system.stop();
    await files.stop();
  });

  it('keeps the consumer in its group past the session timeout', async () => {
    const url = files.route('/trickle.bin', (_req, res) => {
      res.writeHead(200, { 'content-length': '10' });
      let sent = 0;
      const timer = setInterval(() => {
        res.write('x');
        sent += 1;
        if (sent === 10) {
          clearInterval(timer);
          res.end();
        }
      }, 1_000);
    });
    const { json } = await submit(system.apiUrl, { file_url: url, bucket_name: 'slow', object_name: 'trickle.bin' });
    const upload = await waitForFinal(system.apiUrl, String(json.id), 30_000);
    assert.equal(upload.status, 'completed');
    assert.equal(upload.retry_count, 0);
    assert.equal(files.hits.get('/trickle.bin'), 1);
    const rebalances = system.logs.filter((l) => l.app === 'consumer' && /rebalanc/i.test(l.raw));
    assert.deepEqual(rebalances.map((l) => l.raw), []);
  });
});
