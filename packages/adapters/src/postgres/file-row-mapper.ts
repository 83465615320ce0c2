import type { FileRow } from '@fileflow/db';
import { FileUpload, type FileUploadProps, type UploadDispatch } from '@fileflow/domain';

/** Builds an upload from its stored row. */
export function toUpload(row: FileRow): FileUpload {
  const lastError =
    row.lastError !== null && row.lastErrorCode !== null && row.lastErrorClass !== null
      ? { code: row.lastErrorCode as never, failureClass: row.lastErrorClass, message: row.lastError }
      : null;
  const { lastErrorCode: _code, lastErrorClass: _class, ...rest } = row;
  return FileUpload.restore({ ...rest, lastError });
}

/** Builds the row values of an upload's current state. */
export function toRow(props: Readonly<FileUploadProps>): FileRow {
  const { lastError, ...rest } = props;
  return {
    ...rest,
    lastError: lastError?.message ?? null,
    lastErrorCode: lastError?.code ?? null,
    lastErrorClass: lastError?.failureClass ?? null,
  };
}

/** JSON form of a dispatch as stored in the outbox. */
export interface StoredDispatch {
  queue: UploadDispatch['queue'];
  upload: UploadDispatch['upload'];
  attempt: number;
  dueAt?: string;
  firstFailedAt?: string;
  failure?: UploadDispatch['failure'];
  origin?: UploadDispatch['origin'];
}

/** Converts a dispatch into its outbox JSON. */
export function toStoredDispatch(dispatch: UploadDispatch): StoredDispatch {
  return {
    ...dispatch,
    dueAt: dispatch.dueAt?.toISOString(),
    firstFailedAt: dispatch.firstFailedAt?.toISOString(),
  };
}

/** Converts outbox JSON back into a dispatch. */
export function fromStoredDispatch(stored: StoredDispatch): UploadDispatch {
  const { dueAt, firstFailedAt, ...rest } = stored;
  return {
    ...rest,
    ...(dueAt ? { dueAt: new Date(dueAt) } : {}),
    ...(firstFailedAt ? { firstFailedAt: new Date(firstFailedAt) } : {}),
  };
}
