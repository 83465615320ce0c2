import { createHash } from 'node:crypto';
import { UploadFailure, type ObjectStorage, type ObjectWrite, type StoredObject } from '@fileflow/domain';
import { fileTypeFromBuffer } from 'file-type';
import type { Client } from 'minio';
import { PartReader } from './part-reader.ts';
import { translateStorageError } from './storage-errors.ts';

/** Settings of the object storage adapter. */
export interface MinioStorageSettings {
  /** Size of each multipart part and of the largest single PUT, in bytes (S3 minimum 5 MiB). */
  partSize: number;
  /** Lifetime of presigned GET URLs, in seconds. */
  presignExpirySeconds: number;
}

const FALLBACK_CONTENT_TYPE = 'application/octet-stream';

/**
 * Stores objects through the minio client. A body that fits in one part is sent in one PUT;
 * a larger one goes as a multipart upload that is completed only after the whole body arrived
 * with the expected size, and aborted on any failure, so an object is stored whole or not at
 * all. Memory per upload is bounded by about two parts.
 */
export class MinioObjectStorage implements ObjectStorage {
  private readonly knownBuckets = new Set<string>();

  /** @param presigner client configured with the public endpoint that presigned URLs use. */
  constructor(
    private readonly client: Client,
    private readonly presigner: Client,
    private readonly settings: MinioStorageSettings,
  ) {}

  async put(write: ObjectWrite): Promise<StoredObject> {
    const { bucketName, objectName } = write;
    try {
      await this.ensureBucket(bucketName);
      return await this.upload(write);
    } catch (error) {
      throw translateStorageError(error, bucketName, objectName);
    }
  }

  async presignGet(bucketName: string, objectName: string): Promise<string> {
    return this.presigner.presignedGetObject(bucketName, objectName, this.settings.presignExpirySeconds);
  }

  /** Creates the bucket unless it exists; safe when another consumer creates it first. */
  async ensureBucket(bucketName: string): Promise<void> {
    if (this.knownBuckets.has(bucketName)) return;
    if (!(await this.client.bucketExists(bucketName))) {
      try {
        await this.client.makeBucket(bucketName);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw error;
      }
    }
    this.knownBuckets.add(bucketName);
  }

  private async upload(write: ObjectWrite): Promise<StoredObject> {
    const { bucketName, objectName, file } = write;
    const hash = createHash('sha256');
    const reader = new PartReader(file.body, this.settings.partSize, (chunk) => hash.update(chunk));
    const first = await reader.next();
    const contentType = file.contentType ?? (await sniff(first.bytes));
    const headers = { 'Content-Type': contentType };

    let etag: string;
    if (first.last) {
      const result = await this.client.putObject(bucketName, objectName, first.bytes, first.bytes.length, headers);
      etag = result.etag;
    } else {
      etag = await this.multipart(write, reader, first.bytes, headers);
    }
    checkSize(reader.total, file.declaredSize);
    return { etag, size: reader.total, sha256: hash.digest('hex'), contentType };
  }

  private async multipart(
    write: ObjectWrite,
    reader: PartReader,
    firstPart: Buffer,
    headers: Record<string, string>,
  ): Promise<string> {
    const { bucketName, objectName, file } = write;
    const uploadId = await this.client.initiateNewMultipartUpload(bucketName, objectName, headers);
    try {
      const etags: Array<{ part: number; etag: string }> = [];
      let part: { bytes: Buffer; last: boolean } = { bytes: firstPart, last: false };
      for (let number = 1; ; number += 1) {
        // Reading the next part while this one uploads keeps both sides busy.
        const [uploaded, following] = await Promise.all([
          this.client.uploadPart({ bucketName, objectName, uploadID: uploadId, partNumber: number, headers: {} }, part.bytes),
          part.last ? null : reader.next(),
        ]);
        etags.push({ part: number, etag: uploaded.etag });
        if (!following || following.bytes.length === 0) break;
        part = following;
      }
      checkSize(reader.total, file.declaredSize);
      const result = await this.client.completeMultipartUpload(bucketName, objectName, uploadId, etags);
      return result.etag;
    } catch (error) {
      await this.client.abortMultipartUpload(bucketName, objectName, uploadId).catch(() => {});
      throw error;
    }
  }
}

function checkSize(received: number, declared: number | null): void {
  if (declared !== null && received !== declared) {
    throw new UploadFailure(
      'SOURCE_INTERRUPTED',
      `source sent ${received} bytes but declared Content-Length ${declared}`,
    );
  }
}

async function sniff(head: Buffer): Promise<string> {
  const detected = await fileTypeFromBuffer(head);
  return detected?.mime ?? FALLBACK_CONTENT_TYPE;
}
