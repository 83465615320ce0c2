import { files, type FileRow } from '@fileflow/db';
import { is, Param, Placeholder, sql } from 'drizzle-orm';
import type pg from 'pg';
import type { Database } from './drizzle-file-repository.ts';

/** The statement that adds an upload for one set of columns, built by drizzle once. */
interface InsertStatement {
  name: string;
  text: string;
  /** drizzle's parameters: each column's encoder around a placeholder named after the column. */
  params: unknown[];
}

/**
 * Builds the statement that writes an upload's row and its outbox rows in one round trip.
 *
 * drizzle builds the insert once for each set of columns, with placeholders, so a request
 * only fills in values. Each set of columns gets a named statement, which PostgreSQL parses
 * and plans once per connection.
 */
export class UploadInsert {
  private readonly statements = new Map<string, InsertStatement>();

  constructor(private readonly db: Database) {}

  /** Returns the pg query for `row` and the outbox rows in `outboxRowsJson`, a JSON array. */
  query(row: FileRow, outboxRowsJson: string): pg.QueryConfig {
    const columns = (Object.keys(row) as Array<keyof FileRow>).filter((column) => row[column] !== undefined);
    const statement = this.statementFor(columns);
    const values = statement.params.map((param) => driverValue(param, row));
    return { name: statement.name, text: statement.text, values: [...values, outboxRowsJson] };
  }

  private statementFor(columns: Array<keyof FileRow>): InsertStatement {
    const key = columns.join(',');
    const known = this.statements.get(key);
    if (known) return known;

    const placeholders = Object.fromEntries(columns.map((column) => [column, sql.placeholder(column)]));
    const insert = this.db.insert(files).values(placeholders as never).toSQL();
    const outboxParam = `$${insert.params.length + 1}`;
    // A data-modifying CTE writes the row and its outbox rows atomically in one statement,
    // where a transaction of two inserts would take four round trips.
    const text = `with inserted as (${insert.sql} returning "id")
      insert into "outbox" ("upload_id", "queue", "payload")
      select inserted.id, d.queue, d.payload
      from inserted, jsonb_to_recordset(${outboxParam}::jsonb) as d(queue text, payload jsonb)`;
    const statement = { name: `fileflow_add_upload_${this.statements.size + 1}`, text, params: insert.params };
    this.statements.set(key, statement);
    return statement;
  }
}

/** Fills one drizzle parameter from the row, encoded as drizzle encodes a plain insert. */
function driverValue(param: unknown, row: FileRow): unknown {
  if (!is(param, Param) || !is(param.value, Placeholder)) return param;
  const value = row[param.value.name as keyof FileRow];
  // drizzle sends null as is, without the column's encoder.
  return value === null ? null : param.encoder.mapToDriverValue(value);
}
