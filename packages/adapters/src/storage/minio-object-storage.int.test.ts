import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { UploadFailure, type RemoteFile } from '@fileflow/domain';
import { testStorageClient, uniqueName, stackVariable } from '../testing/int-support.ts';
import { MinioObjectStorage } from './minio-object-storage.ts';

const MIB = 1024 * 1024;
const client = testStorageClient();
const signal = new AbortController().signal;

async function* chunks(bytes: Buffer, size = 256 * 1024, failAfter?: number): AsyncIterable<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) {
    if (failAfter !== undefined && offset >= failAfter) {
      throw new UploadFailure('SOURCE_INTERRUPTED', 'source connection reset');
    }
    yield bytes.subarray(offset, offset + size);
  }
}

function file(body: AsyncIterable<Uint8Array>, declaredSize: number | null, contentType: string | null = null): RemoteFile {
  return { body, declaredSize, contentType };
}

async function objectExists(bucket: string, key: string): Promise<boolean> {
  try {
    await client.statObject(bucket, key);
    return true;
  } catch {
    return false;
  }
}

async function incompleteUploads(bucket: string): Promise<number> {
  let count = 0;
  for await (const _ of client.listIncompleteUploads(bucket, '', true)) count += 1;
  return count;
}

describe('MinioObjectStorage', () => {
  const bucket = uniqueName('storage-test');
  const storage = new MinioObjectStorage(client, client, { partSize: 5 * MIB, presignExpirySeconds: 60 });

  before(() => storage.ensureBucket(bucket));
  after(async () => {
    for await (const item of client.listObjectsV2(bucket, '', true)) await client.removeObject(bucket, item.name!);
    await client.removeBucket(bucket);
  });

  it('stores a small body in one request', async () => {
    const bytes = Buffer.from('hello');
    const stored = await storage.put({ bucketName: bucket, objectName: 'small.txt', file: file(chunks(bytes), 5), signal });
    assert.equal(stored.size, 5);
    assert.equal(stored.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(stored.contentType, 'application/octet-stream');
  });

  it('stores a body of unknown length in parts', async () => {
    const bytes = randomBytes(12 * MIB + 123);
    const stored = await storage.put({ bucketName: bucket, objectName: 'parts.bin', file: file(chunks(bytes), null), signal });
    assert.equal(stored.size, bytes.length);
    const stat = await client.statObject(bucket, 'parts.bin');
    assert.equal(stat.size, bytes.length);
    assert.equal(stored.sha256, createHash('sha256').update(bytes).digest('hex'));
  });

  it('sniffs the content type when none was declared', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const stored = await storage.put({ bucketName: bucket, objectName: 'x.png', file: file(chunks(png), null), signal });
    assert.equal(stored.contentType, 'image/png');
  });

  it('keeps a key with spaces, plus and unicode', async () => {
    const key = 'C++ notes/報告 (1) 50%.pdf';
    await storage.put({ bucketName: bucket, objectName: key, file: file(chunks(Buffer.from('x')), 1), signal });
    assert.equal(await objectExists(bucket, key), true);
  });

  it('leaves nothing when the source fails midway', async () => {
    const bytes = randomBytes(15 * MIB);
    const put = storage.put({ bucketName: bucket, objectName: 'broken.bin', file: file(chunks(bytes, 256 * 1024, 11 * MIB), bytes.length), signal });
    await assert.rejects(put, { code: 'SOURCE_INTERRUPTED' });
    assert.equal(await objectExists(bucket, 'broken.bin'), false);
    assert.equal(await incompleteUploads(bucket), 0);
  });

  it('leaves nothing when fewer bytes than declared arrive', async () => {
    const bytes = randomBytes(6 * MIB);
    const put = storage.put({ bucketName: bucket, objectName: 'short.bin', file: file(chunks(bytes), 7 * MIB), signal });
    await assert.rejects(put, { code: 'SOURCE_INTERRUPTED' });
    assert.equal(await objectExists(bucket, 'short.bin'), false);
    assert.equal(await incompleteUploads(bucket), 0);
  });

  it('rejects an invalid bucket name as permanent', async () => {
    const put = storage.put({ bucketName: 'Bad_Bucket', objectName: 'a', file: file(chunks(Buffer.from('a')), 1), signal });
    await assert.rejects(put, (error: UploadFailure) => error.code === 'STORAGE_REJECTED' && !error.retryable);
  });

  it('presigns through a public endpoint with another host name', async () => {
    const publicEndpoint = stackVariable('S3_ENDPOINT').replace('127.0.0.1', 'localhost');
    const presigner = testStorageClient(publicEndpoint);
    const viaPublic = new MinioObjectStorage(client, presigner, { partSize: 5 * MIB, presignExpirySeconds: 60 });
    const url = await viaPublic.presignGet(bucket, 'small.txt');
    assert.match(url, /^http:\/\/localhost:/);
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'hello');
  });
});
