import type { Clock, FileRepository } from '../ports/index.ts';
import { dispatchFor } from './dispatch.ts';

/**
 * Queues a new delivery of every upload left in `processing` after its lease expired, such as
 * when its consumer crashed after committing the message. The attempt number stays the same.
 */
export class ReclaimExpiredLeases {
  constructor(
    private readonly files: FileRepository,
    private readonly clock: Clock,
  ) {}

  /** Returns the ids queued again. */
  async execute(limit = 100): Promise<string[]> {
    const now = this.clock.now();
    const expired = await this.files.findExpiredLeases(now, limit);
    const reclaimed: string[] = [];
    for (const upload of expired) {
      // Bumping the version through a takeover makes a second sweeper's write conflict.
      upload.startAttempt(now, 0);
      if ((await this.files.update(upload, [dispatchFor(upload, 'main')])) === 'stored') {
        reclaimed.push(upload.id);
      }
    }
    return reclaimed;
  }
}
