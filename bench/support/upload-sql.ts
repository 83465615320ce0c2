import { isDeepStrictEqual } from 'node:util';
import { files, outbox } from '@fileflow/db';
import { dispatchFor, type FileUpload, type UploadDispatch } from '@fileflow/domain';
import { getTableColumns } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';

/** Builds the files row of a new upload as the repository's row mapper does. */
function fileRow(upload: FileUpload): Record<string, unknown> {
  const { lastError, ...rest } = upload.snapshot();
  return {
    ...rest,
    lastError: lastError?.message ?? null,
    lastErrorCode: lastError?.code ?? null,
    lastErrorClass: lastError?.failureClass ?? null,
  };
}

const fileColumns = Object.entries(getTableColumns(files));

/** Parameters of the files insert, in the column order of drizzle's SQL text. */
export function fileParams(upload: FileUpload): unknown[] {
  const row = fileRow(upload);
  return fileColumns.map(([key, column]) => {
    const value = row[key];
    return value === null || value === undefined ? null : column.mapToDriverValue(value);
  });
}

/** Parameters of the outbox insert of `dispatch`. */
export function outboxParams(upload: FileUpload, dispatch: UploadDispatch): unknown[] {
  return [upload.id, dispatch.queue, JSON.stringify(dispatch)];
}

/**
 * Returns the SQL text that drizzle generates for DrizzleFileRepository.add, after checking that
 * the parameters built here equal drizzle's for `sample`. The benchmarks then send the
 * repository's statements without paying drizzle's cost of building them for every request.
 */
export function uploadInsertSql(sample: FileUpload): { files: string; outbox: string } {
  const db = drizzle.mock();
  const dispatch = dispatchFor(sample, 'main');
  const filesQuery = db.insert(files).values(fileRow(sample) as never).toSQL();
  const outboxQuery = db
    .insert(outbox)
    .values({ uploadId: sample.id, queue: dispatch.queue, payload: dispatch })
    .toSQL();
  if (!isDeepStrictEqual(filesQuery.params, fileParams(sample))) {
    throw new Error(`files parameters differ from drizzle's: ${JSON.stringify(filesQuery.params)}`);
  }
  if (!isDeepStrictEqual(outboxQuery.params, outboxParams(sample, dispatch))) {
    throw new Error(`outbox parameters differ from drizzle's: ${JSON.stringify(outboxQuery.params)}`);
  }
  return { files: filesQuery.sql, outbox: outboxQuery.sql };
}
