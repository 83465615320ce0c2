import { createHash } from 'node:crypto';
import { files, type FileRow } from '@fileflow/db';
import { and, eq, is, Param, Placeholder, sql } from 'drizzle-orm';
import type pg from 'pg';
import type { Database } from './drizzle-file-repository.ts';

/** A statement built by drizzle once, for one set of columns. */
interface BuiltStatement {
  name: string;
  text: string;
  /** drizzle's parameters, with placeholders where each request's values go. */
  params: unknown[];
}

/** Values of one execution, by placeholder name. */
type PlaceholderValues = Record<string, unknown>;

/**
 * Builds the two statements every upload goes through: the insert of a new upload and the
 * conditional update of a changed one.
 *
 * drizzle builds each statement once for each set of columns, with placeholders, so a request
 * only fills in values. Each built statement is a named statement, which PostgreSQL parses and
 * plans once per connection.
 */
export class UploadStatements {
  private readonly built = new Map<string, BuiltStatement>();

  constructor(private readonly db: Database) {}

  /**
   * Returns the statement that inserts `row` and the outbox rows in `outboxRowsJson`, a JSON
   * array of `{queue, payload}`. A data-modifying CTE writes both atomically in one statement,
   * where a transaction of two inserts would take four round trips.
   */
  insert(row: FileRow, outboxRowsJson: string): pg.QueryConfig {
    const columns = definedColumns(row);
    const statement = this.statementFor(`insert:${columns.join(',')}`, () => {
      const insert = this.db.insert(files).values(placeholdersFor(columns) as never).toSQL();
      const outboxParam = `$${insert.params.length + 1}`;
      const text = `with inserted as (${insert.sql} returning "id")
        insert into "outbox" ("upload_id", "queue", "payload")
        select inserted.id, d.queue, d.payload
        from inserted, jsonb_to_recordset(${outboxParam}::jsonb) as d(queue text, payload jsonb)`;
      return { text, params: insert.params };
    });
    return this.queryOf(statement, row, [outboxRowsJson]);
  }

  /**
   * Returns the statement that writes every column of `row` but its id, only while the stored
   * version is `expectedVersion`. It returns the row's id when it matched, and no row otherwise.
   */
  update(row: FileRow, expectedVersion: number): pg.QueryConfig {
    const columns = definedColumns(row).filter((column) => column !== 'id');
    const statement = this.statementFor(`update:${columns.join(',')}`, () => {
      const update = this.db
        .update(files)
        .set(placeholdersFor(columns) as never)
        .where(and(eq(files.id, sql.placeholder('id')), eq(files.version, sql.placeholder('expectedVersion'))))
        .returning({ id: files.id })
        .toSQL();
      return { text: update.sql, params: update.params };
    });
    return this.queryOf(statement, { ...row, expectedVersion }, []);
  }

  private statementFor(key: string, build: () => Omit<BuiltStatement, 'name'>): BuiltStatement {
    const known = this.built.get(key);
    if (known) return known;
    const built = build();
    // pg keeps one text per statement name on each connection, and several instances may
    // share a pool, so the name comes from the text.
    const digest = createHash('sha256').update(built.text).digest('hex').slice(0, 24);
    const statement = { name: `fileflow_upload_${digest}`, ...built };
    this.built.set(key, statement);
    return statement;
  }

  private queryOf(statement: BuiltStatement, values: PlaceholderValues, extra: unknown[]): pg.QueryConfig {
    const filled = statement.params.map((param) => driverValue(param, values));
    return { name: statement.name, text: statement.text, values: [...filled, ...extra] };
  }
}

/** Columns of the row with a value; drizzle gives the others their default. */
function definedColumns(row: FileRow): Array<keyof FileRow> {
  return (Object.keys(row) as Array<keyof FileRow>).filter((column) => row[column] !== undefined);
}

function placeholdersFor(columns: string[]): Record<string, Placeholder> {
  return Object.fromEntries(columns.map((column) => [column, sql.placeholder(column)]));
}

/** Fills one drizzle parameter, encoded as drizzle encodes it in a statement it builds each time. */
function driverValue(param: unknown, values: PlaceholderValues): unknown {
  // A placeholder compared in a condition comes bare, without a column's encoder.
  if (is(param, Placeholder)) return values[param.name];
  if (!is(param, Param) || !is(param.value, Placeholder)) return param;
  const value = values[param.value.name];
  // drizzle sends null as is, without the column's encoder.
  return value === null ? null : param.encoder.mapToDriverValue(value);
}
