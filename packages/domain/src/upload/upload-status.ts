/** Every status an upload can have. */
export const UPLOAD_STATUSES = ['pending', 'processing', 'completed', 'failed'] as const;

/** Stage of an upload's life. */
export type UploadStatus = (typeof UPLOAD_STATUSES)[number];

/**
 * Allowed moves between statuses. `processing` to `processing` is a takeover of an attempt
 * whose lease expired; `failed` to `pending` is a replay.
 */
export const ALLOWED_TRANSITIONS: Readonly<Record<UploadStatus, readonly UploadStatus[]>> = {
  pending: ['processing'],
  processing: ['processing', 'completed', 'pending', 'failed'],
  completed: [],
  failed: ['pending'],
};

/** True when `from` may move to `to`. */
export function canTransition(from: UploadStatus, to: UploadStatus): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}

/** True for statuses no attempt leaves. */
export function isFinalStatus(status: UploadStatus): boolean {
  return ALLOWED_TRANSITIONS[status].length === 0 || status === 'failed';
}

/** Narrows an arbitrary string to an upload status. */
export function isUploadStatus(value: string): value is UploadStatus {
  return (UPLOAD_STATUSES as readonly string[]).includes(value);
}
