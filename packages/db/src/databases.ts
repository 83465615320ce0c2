import pg from 'pg';

/** Pattern of a database name that needs no quoting in SQL. */
const PLAIN_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * Creates an empty database named `name` on the server of `serverUrl` and returns its URL.
 * With `replace`, an existing database of that name is dropped first, with its connections.
 * Used by tests and benchmarks, which give each run a database of its own.
 */
export async function createDatabaseBeside(
  serverUrl: string,
  name: string,
  options: { replace?: boolean } = {},
): Promise<string> {
  if (!PLAIN_NAME.test(name)) {
    throw new Error(`invalid database name "${name}": use lower-case letters, digits and _`);
  }
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    if (options.replace) await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
