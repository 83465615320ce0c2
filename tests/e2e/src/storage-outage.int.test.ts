import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getUpload, submit, waitForFinal } from './support/api-client.ts';
import { ScriptedFileServer } from './support/file-server.ts';
import { localStack } from './support/local-stack.ts';
import { TestSystem } from './support/system.ts';

describe('object storage outage', () => {
  const system = new TestSystem();
  const files = new ScriptedFileServer();

  before(async () => {
    await files.start();
    await system.start();
  });

  after(async () => {
    await localStack().startService('s3');
    await system.stop();
    await files.stop();
  });

  it('holds uploads without using retries until S3 is back', async () => {
    const stack = localStack();
    const url = files.route('/outage.txt', { status: 200, body: 'survives an outage' });
    await stack.stopService('s3');
    const { json } = await submit(system.apiUrl, { file_url: url, bucket_name: 'outage', object_name: 'o.txt' });
    const id = String(json.id);
    const outage = await system.waitForLine('consumer', 'attempt put back: a shared service is unavailable', 20_000, (l) => l.uploadId === id);
    assert.equal(outage.errorCode, 'STORAGE_UNAVAILABLE');
    const pending = await getUpload(system.apiUrl, id);
    assert.equal(pending.last_error?.code, 'STORAGE_UNAVAILABLE');
    await stack.startService('s3');
    const upload = await waitForFinal(system.apiUrl, id, 60_000);
    assert.equal(upload.status, 'completed');
    assert.equal(upload.retry_count, 0);
  });
});
