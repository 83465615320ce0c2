/** One part read from a body, and whether the body ended with it. */
export interface Part {
  bytes: Buffer;
  last: boolean;
}

/** Number of part buffers that take turns, so one part can upload while the next is read. */
const PART_BUFFERS = 2;

/**
 * Reads an async byte stream in parts of a fixed size.
 *
 * A body shorter than one part is returned in a buffer of its own size, so small files never
 * allocate a whole part. Longer bodies are copied into two part-sized buffers that take turns
 * and are reused for the whole body, so a large body allocates 2 × part size once and leaves
 * the garbage collector only the socket's own chunks.
 *
 * The bytes of part N stay valid until the call of `next()` that reads part N + 2, which
 * overwrites them at once. A caller may upload part N while it reads part N + 1, but must
 * finish with part N before it calls `next()` for part N + 2.
 */
export class PartReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  /** Bytes of the last chunk read that did not fit into the previous part. */
  private carry: Uint8Array | null = null;
  private ended = false;
  private readonly buffers: Buffer[] = [];
  private turn = 0;
  /** Bytes read so far. */
  total = 0;

  constructor(
    body: AsyncIterable<Uint8Array>,
    private readonly partSize: number,
    private readonly onChunk: (chunk: Uint8Array) => void,
  ) {
    this.iterator = body[Symbol.asyncIterator]();
  }

  /** Reads the next part; the last part may be shorter, or empty for an empty body. */
  async next(): Promise<Part> {
    // Until one whole part has been seen, chunks are only collected, so that a small body is
    // joined once into a buffer of its exact size.
    if (this.buffers.length === 0) return this.firstPart();
    const target = this.nextBuffer();
    let length = this.take(this.carry, target, 0);
    while (length < this.partSize && !this.ended) {
      const chunk = await this.read();
      if (chunk) length = this.take(chunk, target, length);
    }
    return { bytes: target.subarray(0, length), last: this.ended && this.carry === null };
  }

  private async firstPart(): Promise<Part> {
    const chunks: Uint8Array[] = [];
    let length = 0;
    while (length < this.partSize && !this.ended) {
      const chunk = await this.read();
      if (!chunk) continue;
      chunks.push(chunk);
      length += chunk.length;
    }
    if (length < this.partSize) return { bytes: Buffer.concat(chunks, length), last: true };

    const target = this.nextBuffer();
    let offset = 0;
    for (const chunk of chunks) offset = this.take(chunk, target, offset);
    return { bytes: target, last: this.ended && this.carry === null };
  }

  /** Reads one chunk and passes it to `onChunk`; returns null at the end of the body. */
  private async read(): Promise<Uint8Array | null> {
    const step = await this.iterator.next();
    if (step.done) {
      this.ended = true;
      return null;
    }
    this.onChunk(step.value);
    this.total += step.value.length;
    return step.value;
  }

  /**
   * Copies `chunk` into `target` at `offset` and keeps what does not fit as the carry for the
   * next part. Returns the new offset.
   */
  private take(chunk: Uint8Array | null, target: Buffer, offset: number): number {
    this.carry = null;
    if (!chunk) return offset;
    const room = this.partSize - offset;
    if (chunk.length <= room) {
      target.set(chunk, offset);
      return offset + chunk.length;
    }
    target.set(chunk.subarray(0, room), offset);
    this.carry = chunk.subarray(room);
    return this.partSize;
  }

  private nextBuffer(): Buffer {
    if (this.buffers.length < PART_BUFFERS) this.buffers.push(Buffer.allocUnsafeSlow(this.partSize));
    const buffer = this.buffers[this.turn]!;
    this.turn = (this.turn + 1) % PART_BUFFERS;
    return buffer;
  }
}
