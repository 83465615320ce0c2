import { files, outbox, type FileRow } from '@fileflow/db';
import {
  UPLOAD_STATUSES,
  type FileRepository,
  type FileUpload,
  type UploadDispatch,
  type UploadPage,
  type UploadQuery,
  type UploadStatus,
  type WriteResult,
} from '@fileflow/domain';
import { and, asc, desc, eq, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { translateDatabaseError } from './database-errors.ts';
import { toRow, toStoredDispatch, toUpload } from './file-row-mapper.ts';
import { UploadStatements } from './upload-statements.ts';

/** Drizzle database handle used by the adapters. */
export type Database = NodePgDatabase<Record<string, never>> & { $client: pg.Pool };

/** PostgreSQL store of uploads; dispatches go to the `outbox` table in the same statement or transaction. */
export class DrizzleFileRepository implements FileRepository {
  private readonly statements: UploadStatements;
  /** The lookup every consumed message makes, built by drizzle once and named for PostgreSQL. */
  private readonly selectById;

  /** @param onDispatched called after a commit that wrote dispatches, to wake the relay. */
  constructor(
    private readonly db: Database,
    private readonly onDispatched: () => void = () => {},
  ) {
    this.statements = new UploadStatements(db);
    this.selectById = db
      .select()
      .from(files)
      .where(eq(files.id, sql.placeholder('id')))
      .prepare('fileflow_find_upload');
  }

  async add(upload: FileUpload, dispatches: UploadDispatch[]): Promise<void> {
    const outboxRows = dispatches.map((d) => ({ queue: d.queue, payload: toStoredDispatch(d) }));
    const query = this.statements.insert(toRow(upload.snapshot()), JSON.stringify(outboxRows));
    await this.guard(() => this.db.$client.query(query));
    upload.markStored();
    if (dispatches.length > 0) this.onDispatched();
  }

  async update(upload: FileUpload, dispatches: UploadDispatch[] = []): Promise<WriteResult> {
    const row = toRow(upload.snapshot());
    // A write without dispatches is one prebuilt statement, so it needs no transaction round trips.
    const expectedVersion = upload.storedVersionNumber;
    const result = await this.guard(() =>
      dispatches.length === 0
        ? this.updateAlone(row, expectedVersion)
        : this.updateWithDispatches(row, expectedVersion, dispatches),
    );
    if (result === 'stored') {
      upload.markStored();
      if (dispatches.length > 0) this.onDispatched();
    }
    return result;
  }

  private async updateAlone(row: FileRow, expectedVersion: number): Promise<WriteResult> {
    const result = await this.db.$client.query(this.statements.update(row, expectedVersion));
    return result.rowCount === 0 ? 'conflict' : 'stored';
  }

  private updateWithDispatches(
    row: FileRow,
    expectedVersion: number,
    dispatches: UploadDispatch[],
  ): Promise<WriteResult> {
    const { id, ...values } = row;
    return this.db.transaction(async (tx) => {
      const updated = await tx
        .update(files)
        .set(values)
        .where(and(eq(files.id, id), eq(files.version, expectedVersion)))
        .returning({ id: files.id });
      if (updated.length === 0) return 'conflict';
      await insertDispatches(tx, dispatches);
      return 'stored';
    });
  }

  async extendLease(upload: FileUpload): Promise<WriteResult> {
    const { id, leaseExpiresAt } = upload.snapshot();
    const updated = await this.guard(() =>
      this.db
        .update(files)
        .set({ leaseExpiresAt })
        .where(
          and(
            eq(files.id, id),
            eq(files.version, upload.storedVersionNumber),
            eq(files.status, 'processing'),
          ),
        )
        .returning({ id: files.id }),
    );
    return updated.length === 0 ? 'conflict' : 'stored';
  }

  async findById(id: string): Promise<FileUpload | null> {
    const rows = await this.guard(() => this.selectById.execute({ id }));
    return rows[0] ? toUpload(rows[0]) : null;
  }

  async list(query: UploadQuery): Promise<UploadPage> {
    const conditions: SQL[] = [];
    if (query.status) conditions.push(eq(files.status, query.status));
    if (query.bucketName) conditions.push(eq(files.bucketName, query.bucketName));
    if (query.ownerId !== undefined) conditions.push(eq(files.ownerId, query.ownerId));
    if (query.cursor) conditions.push(afterCursor(decodeCursor(query.cursor)));

    const rows = await this.guard(() =>
      this.db
        .select()
        .from(files)
        .where(and(...conditions))
        .orderBy(desc(files.createdAt), desc(files.id))
        .limit(query.limit + 1),
    );
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const nextCursor = rows.length > query.limit && last ? encodeCursor(last) : null;
    return { items: page.map(toUpload), nextCursor };
  }

  async findExpiredLeases(now: Date, limit: number): Promise<FileUpload[]> {
    const rows = await this.guard(() =>
      this.db
        .select()
        .from(files)
        .where(and(eq(files.status, 'processing'), lte(files.leaseExpiresAt, now)))
        .orderBy(asc(files.leaseExpiresAt))
        .limit(limit),
    );
    return rows.map(toUpload);
  }

  async countByStatus(ownerId?: string): Promise<Record<UploadStatus, number>> {
    const rows = await this.guard(() =>
      this.db
        .select({ status: files.status, count: sql<number>`count(*)::int` })
        .from(files)
        .where(ownerId === undefined ? undefined : eq(files.ownerId, ownerId))
        .groupBy(files.status),
    );
    const counts = Object.fromEntries(UPLOAD_STATUSES.map((s) => [s, 0])) as Record<UploadStatus, number>;
    for (const row of rows) counts[row.status] = row.count;
    return counts;
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw translateDatabaseError(error);
    }
  }
}

async function insertDispatches(tx: Pick<Database, 'insert'>, dispatches: UploadDispatch[]) {
  if (dispatches.length === 0) return;
  await tx.insert(outbox).values(
    dispatches.map((dispatch) => ({
      uploadId: dispatch.upload.id,
      queue: dispatch.queue,
      payload: toStoredDispatch(dispatch),
    })),
  );
}

interface Cursor {
  createdAt: Date;
  id: string;
}

function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');
}

/** Raised for a cursor this API did not issue. */
export class InvalidCursorError extends Error {
  readonly code = 'INVALID_CURSOR';
}

const CURSOR_TEXT =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** Reads a cursor; a date that does not round-trip, such as 2026-02-30, is rejected too. */
function decodeCursor(cursor: string): Cursor {
  const match = /^[A-Za-z0-9_-]+$/.test(cursor)
    ? CURSOR_TEXT.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
    : null;
  const createdAt = new Date(match?.[1] ?? '');
  if (!match || Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== match[1]) {
    const shown = cursor.length > 80 ? `${cursor.slice(0, 80)}…` : cursor;
    throw new InvalidCursorError(`invalid cursor "${shown}": pass next_cursor from a previous page`);
  }
  return { createdAt, id: match[2]! };
}

function afterCursor(cursor: Cursor): SQL {
  return or(
    lt(files.createdAt, cursor.createdAt),
    and(eq(files.createdAt, cursor.createdAt), lt(files.id, cursor.id)),
  )!;
}
