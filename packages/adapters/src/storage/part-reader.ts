/** One part read from a body, and whether the body ended with it. */
export interface Part {
  bytes: Buffer;
  last: boolean;
}

/** Reads an async byte stream in parts of a fixed size, holding at most one part. */
export class PartReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private carry: Buffer = Buffer.alloc(0);
  private ended = false;
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
    const chunks: Buffer[] = this.carry.length > 0 ? [this.carry] : [];
    let length = this.carry.length;
    while (length < this.partSize && !this.ended) {
      const step = await this.iterator.next();
      if (step.done) {
        this.ended = true;
        break;
      }
      this.onChunk(step.value);
      this.total += step.value.length;
      chunks.push(Buffer.from(step.value.buffer, step.value.byteOffset, step.value.length));
      length += step.value.length;
    }
    const joined = Buffer.concat(chunks, length);
    const bytes = joined.subarray(0, this.partSize);
    this.carry = Buffer.from(joined.subarray(this.partSize));
    return { bytes, last: this.ended && this.carry.length === 0 };
  }
}
