import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { PartReader, type Part } from './part-reader.ts';

const PART_SIZE = 1000;

/** Yields `size` deterministic bytes in chunks of the given sizes, taken in turn. */
async function* body(size: number, chunkSizes: number[]): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) bytes[i] = (i * 31 + 7) % 251;
  let offset = 0;
  for (let turn = 0; offset < size; turn += 1) {
    const length = Math.min(chunkSizes[turn % chunkSizes.length]!, size - offset);
    // A fresh copy per chunk, as a socket yields.
    yield Uint8Array.from(bytes.subarray(offset, offset + length));
    offset += length;
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Reads every part the way the multipart upload does: part N is still in use while part N + 1
 * is read, and its bytes are checked only after that read.
 */
async function readAll(size: number, chunkSizes: number[]): Promise<{ parts: Buffer[]; reader: PartReader }> {
  const reader = new PartReader(body(size, chunkSizes), PART_SIZE, () => {});
  const parts: Buffer[] = [];
  let part: Part = await reader.next();
  for (;;) {
    const current = part;
    const following = current.last ? null : await reader.next();
    parts.push(Buffer.from(current.bytes));
    if (!following || following.bytes.length === 0) break;
    part = following;
  }
  return { parts, reader };
}

describe('PartReader', () => {
  const cases: Array<{ name: string; size: number; chunks: number[] }> = [
    { name: 'empty body', size: 0, chunks: [64] },
    { name: 'body shorter than a part', size: 300, chunks: [64] },
    { name: 'body of exactly one part', size: PART_SIZE, chunks: [100] },
    { name: 'body of exactly three parts', size: 3 * PART_SIZE, chunks: [250] },
    { name: 'chunks crossing part ends', size: 5_321, chunks: [333, 17, 999] },
    { name: 'one chunk larger than two parts', size: 2_500, chunks: [2_500] },
    { name: 'single-byte chunks', size: 2_100, chunks: [1] },
  ];

  for (const { name, size, chunks } of cases) {
    it(`splits a ${name} into full parts`, async () => {
      const { parts, reader } = await readAll(size, chunks);
      const joined = Buffer.concat(parts);
      const expected: Uint8Array[] = [];
      for await (const chunk of body(size, chunks)) expected.push(chunk);

      assert.equal(reader.total, size);
      assert.equal(sha256(joined), sha256(Buffer.concat(expected)));
      for (const part of parts.slice(0, -1)) assert.equal(part.length, PART_SIZE);
      assert.ok(parts.at(-1)!.length <= PART_SIZE);
    });
  }

  it('returns a small body in a buffer of its own size', async () => {
    // Above 4 KiB, so that Buffer.concat does not take the bytes from its shared pool.
    const reader = new PartReader(body(5_000, [64]), 8 * PART_SIZE, () => {});
    const part = await reader.next();
    assert.equal(part.last, true);
    assert.equal(part.bytes.length, 5_000);
    assert.equal(part.bytes.buffer.byteLength, 5_000);
  });

  it('reuses two buffers for a long body', async () => {
    const reader = new PartReader(body(6 * PART_SIZE, [128]), PART_SIZE, () => {});
    const backing = new Set<ArrayBufferLike>();
    for (let part = await reader.next(); part.bytes.length > 0; part = await reader.next()) {
      backing.add(part.bytes.buffer);
      if (part.last) break;
    }
    assert.equal(backing.size, 2);
  });

  it('passes every chunk to onChunk', async () => {
    const hash = createHash('sha256');
    const reader = new PartReader(body(2_345, [100, 7]), PART_SIZE, (chunk) => hash.update(chunk));
    for (let part = await reader.next(); !part.last; part = await reader.next()) {
      if (part.bytes.length === 0) break;
    }
    const expected: Uint8Array[] = [];
    for await (const chunk of body(2_345, [100, 7])) expected.push(chunk);
    assert.equal(hash.digest('hex'), sha256(Buffer.concat(expected)));
  });
});
