export * from './schema/index.ts';
export { MIGRATIONS_FOLDER, runMigrations } from './migrate.ts';
export { createDatabaseBeside } from './databases.ts';
