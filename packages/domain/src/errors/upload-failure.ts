import { DomainError } from './domain-error.ts';

/**
 * Causes of a failed upload attempt. Each is retryable or permanent; an HTTP error from the
 * source is retryable only for 408, 429 and 5xx.
 */
export const FAILURE_CODES = {
  SOURCE_UNREACHABLE: 'retryable',
  SOURCE_TIMEOUT: 'retryable',
  SOURCE_INTERRUPTED: 'retryable',
  SOURCE_HTTP_ERROR: 'depends-on-status',
  SOURCE_TOO_LARGE: 'permanent',
  SOURCE_BLOCKED: 'permanent',
  SOURCE_INVALID: 'permanent',
  STORAGE_UNAVAILABLE: 'retryable',
  STORAGE_REJECTED: 'permanent',
  DATABASE_UNAVAILABLE: 'retryable',
  MESSAGE_INVALID: 'permanent',
  INTERNAL: 'retryable',
} as const;

/** Code naming the cause of a failed attempt. */
export type FailureCode = keyof typeof FAILURE_CODES;

/** Whether a retry could help. */
export type FailureClass = 'retryable' | 'permanent';

/** Codes that mean a service every upload needs is down, not that this upload is at fault. */
const OUTAGE_CODES: ReadonlySet<FailureCode> = new Set(['STORAGE_UNAVAILABLE', 'DATABASE_UNAVAILABLE']);

/** HTTP statuses from a source that a later attempt may not see again. */
const RETRYABLE_HTTP_STATUSES = new Set([408, 429]);

/** Classifies an HTTP status returned by a source. */
export function classifyHttpStatus(status: number): FailureClass {
  return RETRYABLE_HTTP_STATUSES.has(status) || status >= 500 ? 'retryable' : 'permanent';
}

/** A failed upload attempt: adapters raise it, the retry policy decides from its class. */
export class UploadFailure extends DomainError {
  readonly failureClass: FailureClass;

  constructor(
    readonly code: FailureCode,
    message: string,
    options: { cause?: unknown; httpStatus?: number } = {},
  ) {
    super(message, options);
    this.failureClass = classify(code, options.httpStatus);
    this.httpStatus = options.httpStatus;
  }

  readonly httpStatus: number | undefined;

  /** True when a later attempt could succeed. */
  get retryable(): boolean {
    return this.failureClass === 'retryable';
  }

  /**
   * True when a shared service is down: the attempt is put back without using a retry, and
   * the consumer pauses, because every other upload would fail the same way.
   */
  get isOutage(): boolean {
    return OUTAGE_CODES.has(this.code);
  }

  /** Builds the failure for a source that responded with an HTTP error status. */
  static httpStatus(status: number, url: string): UploadFailure {
    return new UploadFailure('SOURCE_HTTP_ERROR', `source answered HTTP ${status} for ${url}`, {
      httpStatus: status,
    });
  }

  /** Wraps an error no adapter classified; it counts as retryable so a bug cannot lose work. */
  static unexpected(error: unknown): UploadFailure {
    if (error instanceof UploadFailure) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new UploadFailure('INTERNAL', `unexpected error: ${message}`, { cause: error });
  }
}

function classify(code: FailureCode, httpStatus: number | undefined): FailureClass {
  const rule = FAILURE_CODES[code];
  if (rule !== 'depends-on-status') return rule;
  return httpStatus === undefined ? 'retryable' : classifyHttpStatus(httpStatus);
}
