/**
 * Tracks which offsets of a batch are done, so the committed offset only moves past a
 * message once it and every message before it are done.
 */
export class OffsetTracker {
  private readonly done = new Set<string>();
  private index = 0;

  /** @param offsets the batch's offsets in order. */
  constructor(private readonly offsets: readonly string[]) {}

  markDone(offset: string): void {
    this.done.add(offset);
  }

  /** Returns the first offset that is not done, or null when all are done. */
  firstUnfinished(): string | null {
    this.committable();
    return this.offsets[this.index] ?? null;
  }

  /** Returns the last offset of the finished prefix, or null when the first is not done. */
  committable(): string | null {
    while (this.index < this.offsets.length && this.done.has(this.offsets[this.index]!)) {
      this.index += 1;
    }
    return this.index === 0 ? null : this.offsets[this.index - 1]!;
  }
}
