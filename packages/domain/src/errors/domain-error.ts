/** Base of every error the domain raises: each carries a stable code for the edges to map. */
export abstract class DomainError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Raised when an upload is asked to move to a status its current status does not allow. */
export class IllegalTransitionError extends DomainError {
  readonly code = 'ILLEGAL_TRANSITION';

  constructor(
    readonly uploadId: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`upload ${uploadId} cannot move from ${from} to ${to}`);
  }
}

/** Raised when a value object is built from an invalid value. */
export class InvalidValueError extends DomainError {
  readonly code = 'INVALID_VALUE';

  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
