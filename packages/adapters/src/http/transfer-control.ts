import type { ClientRequest } from 'node:http';
import type { CancellationSignal } from '@fileflow/domain';
import type { UploadFailure } from '@fileflow/domain';

/**
 * Cancellation state of one download, from `open()` to the end of the body: the caller's
 * signal, the timers, and the request in use. The first failure wins. It destroys the request,
 * and every later wait rejects with it, so no step hangs after a failure.
 */
export class TransferControl {
  /** First failure of the download, if any. */
  failure: UploadFailure | null = null;
  /** Error the current request raised, kept because Node reports some after the response. */
  requestError: Error | null = null;

  private request: ClientRequest | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly failed: Promise<never>;
  private rejectFailed: (failure: UploadFailure) => void = () => {};
  private readonly onAbort = (): void => this.fail(this.cancellation(this.signal.reason));

  constructor(
    private readonly signal: CancellationSignal,
    private readonly cancellation: (reason: unknown) => UploadFailure,
  ) {
    this.failed = new Promise<never>((_, reject) => {
      this.rejectFailed = reject;
    });
    // Keeps a failure nobody waits for from being reported as an unhandled rejection.
    this.failed.catch(() => {});
    if (signal.aborted) this.onAbort();
    else signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Makes the request the one a failure destroys, and records its errors. */
  attach(request: ClientRequest): void {
    this.request = request;
    this.requestError = null;
    request.on('error', (error) => {
      if (this.request === request) this.requestError ??= error;
    });
    if (this.failure) request.destroy(this.failure);
  }

  /** Raises the download's failure, if there is one, before the next step starts. */
  throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  /** Waits for the promise, but rejects with the download's failure as soon as there is one. */
  race<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.failed]);
  }

  /** Starts a timer that fails the download; the returned function stops it. */
  startTimer(ms: number, failure: () => UploadFailure): () => void {
    // Not unref'd: a pending open() must settle even when no socket holds the event loop yet.
    const timer = setTimeout(() => this.fail(failure()), ms);
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  /** Records the failure unless one is already recorded, and destroys the request. */
  fail(failure: UploadFailure): void {
    if (this.failure) return;
    this.failure = failure;
    this.rejectFailed(failure);
    this.request?.destroy(failure);
  }

  /** Stops every timer, stops listening to the signal and destroys the request. */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.signal.removeEventListener('abort', this.onAbort);
    this.request?.destroy();
  }
}
