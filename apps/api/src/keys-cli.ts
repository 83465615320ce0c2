// Manages API keys: npm run keys -- create --name NAME --buckets a,media-* | list | revoke NAME
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DrizzleApiKeyStore, createDatabase, type ApiKeySummary } from '@fileflow/adapters';
import { runMigrations } from '@fileflow/db';
import pg from 'pg';

const USAGE = `usage:
  npm run keys -- create --name NAME --buckets BUCKET[,BUCKET...]   (a bucket may end in *, or be * for all)
  npm run keys -- list
  npm run keys -- revoke NAME_OR_ID
DATABASE_URL selects the database; without it, the stack of "npm start" (.stack/dev) is used.`;

/** Reads DATABASE_URL, or the one "npm start" wrote for its local stack. */
function databaseUrl(): string {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  try {
    const env = readFileSync('.stack/dev/stack.env', 'utf8');
    const line = env.split('\n').find((l) => l.startsWith('DATABASE_URL='));
    if (line) return line.slice('DATABASE_URL='.length).trim();
  } catch {
    // Fall through to the message below.
  }
  throw new Error('DATABASE_URL is missing: set it, or start the local system with "npm start" first');
}

function formatKey(key: ApiKeySummary): string {
  const lastUsed = key.lastUsedAt?.toISOString() ?? 'never';
  const state = key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active';
  return `${key.name}\t${key.id}\t${key.allowedBuckets.join(',')}\tcreated ${key.createdAt.toISOString()}\tlast used ${lastUsed}\t${state}`;
}

async function run(store: DrizzleApiKeyStore, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, buckets: { type: 'string' } },
  });
  const [command, target] = positionals;
  if (command === 'create') {
    if (!values.name || !values.buckets) throw new Error(`create needs --name and --buckets\n${USAGE}`);
    const buckets = values.buckets.split(',').map((b) => b.trim()).filter(Boolean);
    const { token, key } = await store.create(values.name, buckets);
    console.log(`created key "${key.name}" for buckets ${buckets.join(', ')}`);
    console.log(`key (shown once, store it now): ${token}`);
  } else if (command === 'list') {
    const keys = await store.list();
    console.log(keys.length ? keys.map(formatKey).join('\n') : 'no keys');
  } else if (command === 'revoke' && target) {
    const key = await store.revoke(target);
    if (!key) throw new Error(`no key is named or has the id "${target}": see npm run keys -- list`);
    console.log(`revoked key "${key.name}"`);
  } else {
    throw new Error(USAGE);
  }
}

/** Describes a failure with the step that fixes it. */
function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/unique/i.test(message)) return 'a key with that name exists: choose another --name';
  if ((error as { code?: string }).code === 'ECONNREFUSED') {
    return `${message}: PostgreSQL is not reachable; start the local system with "npm start", or set DATABASE_URL`;
  }
  return message;
}

let pool: pg.Pool | undefined;
try {
  const url = databaseUrl();
  pool = new pg.Pool({ connectionString: url, max: 1 });
  await runMigrations(url);
  await run(new DrizzleApiKeyStore(createDatabase(pool)), process.argv.slice(2));
} catch (error) {
  console.error(describeFailure(error));
  process.exitCode = 2;
} finally {
  await pool?.end();
}
