import { randomBytes } from 'node:crypto';
import { DrizzleApiKeyStore, createDatabase } from '@fileflow/adapters';
import pg from 'pg';

/**
 * Returns the API key that the benchmarks send as `Authorization: Bearer <key>`: the value of
 * FILEFLOW_BENCH_API_KEY when set, else a new key for every bucket, created in the key store of
 * the database at `databaseUrl`, which the API must have migrated first. Callers send no header
 * when it returns undefined, which it does only for FILEFLOW_BENCH_API_KEY set but empty.
 */
export async function benchApiKey(databaseUrl: string): Promise<string | undefined> {
  const configured = process.env.FILEFLOW_BENCH_API_KEY;
  if (configured !== undefined) return configured || undefined;

  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const store = new DrizzleApiKeyStore(createDatabase(pool));
    const { token } = await store.create(`bench-${randomBytes(4).toString('hex')}`, ['*']);
    return token;
  } finally {
    await pool.end();
  }
}

/** Describes the source of the benchmarks' API key, for the report. */
export function apiKeySource(): string {
  const configured = process.env.FILEFLOW_BENCH_API_KEY;
  if (configured === undefined) return 'a key created in the key store for every bucket';
  return configured ? 'FILEFLOW_BENCH_API_KEY' : 'none: FILEFLOW_BENCH_API_KEY is empty';
}

/** Request headers that carry `apiKey`, or none without a key. */
export function authHeaders(apiKey: string | undefined): Record<string, string> {
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {};
}
