import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { submit, waitForFinal, type UploadBody } from './support/api-client.ts';
import { ScriptedFileServer } from './support/file-server.ts';
import { stackEnv } from './support/stack-env.ts';
import { storageClient } from './support/storage.ts';
import { TestSystem } from './support/system.ts';

/** Keys whose characters are special in URLs, in S3 signatures or outside ASCII. */
const NAMES = ['C++ notes.pdf', '50%.png', 'a?b#c.txt', '報告 (1).pdf'];

/** Lists every key of a bucket with the minio client. */
async function listKeys(bucket: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of storageClient().listObjectsV2(bucket, '', true)) {
    keys.push((item as { name: string }).name);
  }
  return keys;
}

/** Uploads `content` as `key` through the API and waits until the upload is final. */
async function uploadThrough(
  system: TestSystem,
  files: ScriptedFileServer,
  bucket: string,
  key: string,
  content: Buffer,
): Promise<UploadBody> {
  // The source path is plain, so only the object key carries the special characters.
  const url = files.route(`/source-${randomBytes(4).toString('hex')}`, {
    status: 200,
    body: content,
  });
  const accepted = await submit(system.apiUrl, {
    file_url: url,
    bucket_name: bucket,
    object_name: key,
  });
  assert.equal(accepted.status, 202, JSON.stringify(accepted.json));
  return waitForFinal(system.apiUrl, String(accepted.json.id));
}

async function fetchBytes(url: string): Promise<{ status: number; bytes: Buffer }> {
  const response = await fetch(url);
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('object names end to end', () => {
  const system = new TestSystem();
  const files = new ScriptedFileServer();
  const bucket = `names-${randomBytes(4).toString('hex')}`;
  const contents = new Map(NAMES.map((name) => [name, Buffer.from(`content of ${name}\n`)]));

  before(async () => {
    await files.start();
    await system.start();
  });

  after(async () => {
    await system.stop();
    await files.stop();
  });

  for (const name of NAMES) {
    it(`stores and serves "${name}"`, async () => {
      const content = contents.get(name)!;
      const upload = await uploadThrough(system, files, bucket, name, content);
      assert.equal(upload.status, 'completed', JSON.stringify(upload.last_error));
      assert.equal(upload.object_name, name);
      assert.ok(upload.download_url, 'completed upload has no download_url');
      const download = await fetchBytes(upload.download_url);
      assert.equal(download.status, 200, download.bytes.toString());
      assert.deepEqual(download.bytes, content);
    });
  }

  it('keeps each key byte for byte in the bucket', async () => {
    const stored = (await listKeys(bucket)).map((key) => Buffer.from(key, 'utf8').toString('hex'));
    const requested = NAMES.map((name) => Buffer.from(name, 'utf8').toString('hex'));
    assert.deepEqual(stored.sort(), requested.sort());
  });
});

describe('presigned URLs through S3_PUBLIC_ENDPOINT', () => {
  // The same S3 server under another host name, as a client outside the machine would reach it.
  const publicEndpoint = new URL(stackEnv().S3_ENDPOINT);
  publicEndpoint.hostname = 'localhost';
  const system = new TestSystem({ api: { S3_PUBLIC_ENDPOINT: publicEndpoint.toString() } });
  const files = new ScriptedFileServer();

  before(async () => {
    await files.start();
    await system.start();
  });

  after(async () => {
    await system.stop();
    await files.stop();
  });

  it('signs URLs for the public host that work', async () => {
    const content = Buffer.from('served through the public endpoint\n');
    const upload = await uploadThrough(
      system,
      files,
      'public-endpoint',
      'public/報告 (1).pdf',
      content,
    );
    assert.equal(upload.status, 'completed', JSON.stringify(upload.last_error));
    const downloadUrl = upload.download_url ?? '';
    assert.ok(downloadUrl.startsWith(`http://localhost:${publicEndpoint.port}/`), downloadUrl);
    const download = await fetchBytes(downloadUrl);
    assert.equal(download.status, 200, download.bytes.toString());
    assert.deepEqual(download.bytes, content);
  });
});
