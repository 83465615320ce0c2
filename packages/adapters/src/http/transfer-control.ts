import type { ClientRequest } from 'node:http';
import type { CancellationSignal, UploadFailure } from '@fileflow/domain';

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
  /** Rejecters of the waits in progress. Each is removed when its wait settles. */
  private readonly waiters = new Set<(failure: UploadFailure) => void>();
  private readonly onAbort = (): void => this.fail(this.cancellation(this.signal.reason));

  constructor(
    private readonly signal: CancellationSignal,
    private readonly cancellation: (reason: unknown) => UploadFailure,
  ) {
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

  /**
   * Waits for the promise, but rejects with the download's failure as soon as there is one.
   * Promise.race against one long-lived promise would keep a reaction per call, and with it
   * every body chunk read, until the download ends.
   */
  race<T>(promise: Promise<T>): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      this.waiters.add(reject);
      promise.then(resolve, reject).finally(() => this.waiters.delete(reject));
    });
  }

  /** Starts a timer that fails the download, and returns a function that stops it. */
  startTimer(ms: number, failure: () => UploadFailure): () => void {
    // Not unref'd, so a pending open() settles even before a socket keeps the event loop alive.
    const timer = setTimeout(() => this.fail(failure()), ms);
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  /** Records the failure unless one is already recorded, destroys the request and closes. */
  fail(failure: UploadFailure): void {
    if (this.failure) return;
    this.failure = failure;
    for (const reject of this.waiters) reject(failure);
    this.waiters.clear();
    this.request?.destroy(failure);
    this.close();
  }

  /** Stops every timer, stops listening to the signal and destroys the request. */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.signal.removeEventListener('abort', this.onAbort);
    this.request?.destroy();
  }
}
