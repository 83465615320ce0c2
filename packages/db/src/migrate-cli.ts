import { runMigrations } from './migrate.ts';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('DATABASE_URL is missing: set it to a postgres:// URL, for example postgres://postgres@127.0.0.1:5432/fileflow');
  process.exit(2);
}

try {
  await runMigrations(databaseUrl);
  console.log('migrations applied');
} catch (error) {
  console.error('migration failed:', error instanceof Error ? error.message : error);
  process.exit(1);
}
