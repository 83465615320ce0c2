import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { UploadFailure } from '../errors/upload-failure.ts';
import { RetryPolicy } from '../retry/retry-policy.ts';
import {
  InMemoryFileRepository,
  InMemoryStorage,
  ManualClock,
  ManualTicker,
  ScriptedSource,
  sequentialIds,
} from '../testing/fakes.ts';
import { GetUpload, UploadNotFoundError } from './get-upload.ts';
import { ProcessUpload } from './process-upload.ts';
import { ReclaimExpiredLeases } from './reclaim-expired-leases.ts';
import { NotReplayableError, ReplayUpload } from './replay-upload.ts';
import { RequestUpload } from './request-upload.ts';

const request = { fileUrl: 'https://files.test/a.txt', bucketName: 'docs', objectName: 'a.txt' };
const signal = new AbortController().signal;
const unavailable = new UploadFailure('SOURCE_HTTP_ERROR', 'HTTP 503', { httpStatus: 503 });
const notFound = new UploadFailure('SOURCE_HTTP_ERROR', 'HTTP 404', { httpStatus: 404 });

function setUp(script: Array<Error | string>) {
  const files = new InMemoryFileRepository();
  const storage = new InMemoryStorage();
  const source = new ScriptedSource(script);
  const clock = new ManualClock();
  const retryPolicy = new RetryPolicy();
  const ticker = new ManualTicker();
  const process = new ProcessUpload(
    { files, storage, source, clock, random: () => 0, retryPolicy, ticker },
    { leaseMs: 60_000, leaseRenewalMs: 20_000 },
  );
  const requestUpload = new RequestUpload(files, sequentialIds(), clock);
  return { files, storage, source, clock, process, requestUpload, ticker };
}

describe('RequestUpload', () => {
  it('stores a pending upload and queues attempt 1', async () => {
    const { files, requestUpload } = setUp(['x']);
    const upload = await requestUpload.execute(request);
    assert.equal(files.rows.get(upload.id)?.status, 'pending');
    assert.equal(files.dispatched.length, 1);
    assert.equal(files.dispatched[0]?.queue, 'main');
    assert.equal(files.dispatched[0]?.attempt, 1);
  });
});

describe('ProcessUpload', () => {
  let env: ReturnType<typeof setUp>;

  describe('with a healthy source', () => {
    beforeEach(() => {
      env = setUp(['hello']);
    });

    it('completes and stores the object', async () => {
      const upload = await env.requestUpload.execute(request);
      const outcome = await env.process.execute({ uploadId: upload.id, attempt: 1 }, signal);
      assert.equal(outcome.kind, 'completed');
      assert.equal(env.files.rows.get(upload.id)?.status, 'completed');
      assert.equal(env.files.rows.get(upload.id)?.size, 5);
      assert.equal(env.storage.objects.size, 1);
    });

    it('skips a second delivery of a completed upload', async () => {
      const upload = await env.requestUpload.execute(request);
      await env.process.execute({ uploadId: upload.id, attempt: 1 }, signal);
      const again = await env.process.execute({ uploadId: upload.id, attempt: 1 }, signal);
      assert.deepEqual(again, { kind: 'skipped', reason: 'already-final' });
      assert.equal(env.source.calls, 1);
    });

    it('skips an unknown id', async () => {
      const outcome = await env.process.execute({ uploadId: 'missing', attempt: 1 }, signal);
      assert.deepEqual(outcome, { kind: 'skipped', reason: 'not-found' });
    });

    it('skips an upload another attempt holds', async () => {
      const upload = await env.requestUpload.execute(request);
      const held = await env.files.findById(upload.id);
      held!.startAttempt(env.clock.now(), 60_000);
      await env.files.update(held!);
      const outcome = await env.process.execute({ uploadId: upload.id, attempt: 1 }, signal);
      assert.deepEqual(outcome, { kind: 'skipped', reason: 'in-progress' });
    });
  });

  describe('with failing sources', () => {
    it('schedules a retry on a retryable failure', async () => {
      env = setUp([unavailable, 'ok']);
      const upload = await env.requestUpload.execute(request);
      const outcome = await env.process.execute({ uploadId: upload.id, attempt: 1 }, signal);
      assert.equal(outcome.kind, 'retry-scheduled');
      const row = env.files.rows.get(upload.id)!;
      assert.equal(row.status, 'pending');
      assert.equal(row.retryCount, 1);
      assert.equal(row.lastError?.message, 'HTTP 503');
      const retry = env.files.dispatched.at(-1)!;
      assert.equal(retry.queue, 'retry');
      assert.equal(retry.attempt, 2);
      assert.equal(retry.dueAt?.getTime(), env.clock.now().getTime() + 1_000);
    });

    it('completes on attempt 3 after two retryable failures', async () => {
      env = setUp([unavailable, unavailable, 'ok']);
      const upload = await env.requestUpload.execute(request);
      for (const attempt of [1, 2, 3]) {
        await env.process.execute({ uploadId: upload.id, attempt }, signal);
      }
      const row = env.files.rows.get(upload.id)!;
      assert.equal(row.status, 'completed');
      assert.equal(row.retryCount, 2);
    });

    it('fails after 4 attempts and dead-letters once', async () => {
      env = setUp([unavailable]);
      const upload = await env.requestUpload.execute(request);
      for (const attempt of [1, 2, 3, 4]) {
        await env.process.execute({ uploadId: upload.id, attempt }, signal);
      }
      const row = env.files.rows.get(upload.id)!;
      assert.equal(row.status, 'failed');
      assert.equal(env.source.calls, 4);
      const deadLetters = env.files.dispatched.filter((d) => d.queue === 'dead-letter');
      assert.equal(deadLetters.length, 1);
    });

    it('fails at once on a permanent failure', async () => {
      env = setUp([notFound]);
      const upload = await env.requestUpload.execute(request);
      const origin = { topic: 't', partition: 0, offset: '7' };
      const outcome = await env.process.execute({ uploadId: upload.id, attempt: 1 }, signal, origin);
      assert.equal(outcome.kind, 'failed');
      assert.equal(env.files.dispatched.filter((d) => d.queue === 'retry').length, 0);
      assert.deepEqual(env.files.dispatched.at(-1)?.origin, origin);
    });

    it('skips a stale message for an earlier attempt', async () => {
      env = setUp([unavailable, 'ok']);
      const upload = await env.requestUpload.execute(request);
      await env.process.execute({ uploadId: upload.id, attempt: 1 }, signal);
      const outcome = await env.process.execute({ uploadId: upload.id, attempt: 1 }, signal);
      assert.deepEqual(outcome, { kind: 'skipped', reason: 'stale-message' });
    });

    it('abandons the attempt when cancelled', async () => {
      env = setUp(['ok']);
      const controller = new AbortController();
      env.storage.failWith = new Error('stream destroyed');
      controller.abort();
      const upload = await env.requestUpload.execute(request);
      const outcome = await env.process.execute({ uploadId: upload.id, attempt: 1 }, controller.signal);
      assert.deepEqual(outcome, { kind: 'abandoned' });
      const row = env.files.rows.get(upload.id)!;
      assert.equal(row.status, 'pending');
      assert.equal(row.retryCount, 0);
    });

    it('puts the attempt back during a storage outage', async () => {
      env = setUp(['ok']);
      env.storage.failWith = new UploadFailure('STORAGE_UNAVAILABLE', 'storage down');
      const upload = await env.requestUpload.execute(request);
      const outcome = await env.process.execute({ uploadId: upload.id, attempt: 1 }, signal);
      assert.equal(outcome.kind, 'outage');
      const row = env.files.rows.get(upload.id)!;
      assert.equal(row.status, 'pending');
      assert.equal(row.retryCount, 0);
      assert.equal(row.lastError?.code, 'STORAGE_UNAVAILABLE');
      env.storage.failWith = null;
      const again = await env.process.execute({ uploadId: upload.id, attempt: 1 }, signal);
      assert.equal(again.kind, 'completed');
    });

    it('extends the lease while copying and stops after', async () => {
      env = setUp(['ok']);
      const upload = await env.requestUpload.execute(request);
      let leaseDuringCopy: Date | null = null;
      const put = env.storage.put.bind(env.storage);
      env.storage.put = async (write) => {
        env.clock.advance(30_000);
        env.ticker.tick();
        leaseDuringCopy = env.files.rows.get(upload.id)!.leaseExpiresAt;
        return put(write);
      };
      await env.process.execute({ uploadId: upload.id, attempt: 1 }, signal);
      assert.equal((leaseDuringCopy as Date | null)?.getTime(), env.clock.now().getTime() + 60_000);
      assert.equal(env.ticker.active, 0);
    });
  });
});

describe('ReplayUpload', () => {
  it('requeues a failed upload with a fresh budget', async () => {
    const env = setUp([notFound]);
    const upload = await env.requestUpload.execute(request);
    await env.process.execute({ uploadId: upload.id, attempt: 1 }, signal);
    await new ReplayUpload(env.files, env.clock).execute(upload.id);
    const row = env.files.rows.get(upload.id)!;
    assert.equal(row.status, 'pending');
    assert.equal(row.retryCount, 0);
    assert.equal(env.files.dispatched.at(-1)?.queue, 'main');
  });

  it('rejects an upload that is not failed', async () => {
    const env = setUp(['ok']);
    const upload = await env.requestUpload.execute(request);
    const replay = new ReplayUpload(env.files, env.clock);
    await assert.rejects(replay.execute(upload.id), NotReplayableError);
  });

  it('hides an upload of another owner', async () => {
    const env = setUp([notFound]);
    const upload = await env.requestUpload.execute({ ...request, ownerId: 'key-a' });
    const replay = new ReplayUpload(env.files, env.clock);
    await assert.rejects(replay.execute(upload.id, 'key-b'), UploadNotFoundError);
  });
});

describe('GetUpload', () => {
  it('presigns a URL only for completed uploads', async () => {
    const env = setUp(['ok']);
    const upload = await env.requestUpload.execute(request);
    const get = new GetUpload(env.files, env.storage);
    assert.equal((await get.execute(upload.id)).downloadUrl, null);
    await env.process.execute({ uploadId: upload.id, attempt: 1 }, signal);
    assert.match((await get.execute(upload.id)).downloadUrl ?? '', /signed/);
  });
});

describe('ReclaimExpiredLeases', () => {
  it('requeues an upload whose lease expired', async () => {
    const env = setUp(['ok']);
    const upload = await env.requestUpload.execute(request);
    const held = await env.files.findById(upload.id);
    held!.startAttempt(env.clock.now(), 1_000);
    await env.files.update(held!);
    const reclaim = new ReclaimExpiredLeases(env.files, env.clock);
    assert.deepEqual(await reclaim.execute(), []);
    env.clock.advance(1_001);
    assert.deepEqual(await reclaim.execute(), [upload.id]);
    const outcome = await env.process.execute({ uploadId: upload.id, attempt: 1 }, signal);
    assert.equal(outcome.kind, 'completed');
  });
});
