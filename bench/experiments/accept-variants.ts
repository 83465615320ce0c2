// Measures variants of the API's upload path side by side, to split the cost of
// POST /api/v1/upload into its parts and to try the changes docs/benchmarks.md proposes.
// Not part of `npm run bench`. Run it on a local stack:
//   node infra/local/cli.mjs exec -- node --import tsx bench/experiments/accept-variants.ts [RUNS] [SECONDS]
// Each variant gets a 3 s warm-up and then RUNS runs (default 3) of SECONDS seconds (default
// 10). It prints a Markdown table of the medians.
import { randomBytes } from 'node:crypto';
import * as adapters from '@fileflow/adapters';
import { runMigrations } from '@fileflow/db';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { loadUploads, type LoadRun } from '../scenarios/accept.ts';
import { startScriptServer } from '../support/child-script.ts';
import { measureCpu } from '../support/cpu-usage.ts';
import { createDatabase, stackEnv } from '../support/stack.ts';
import { median } from '../support/stats.ts';

const VARIANTS = ['no-io', 'insert', 'insert+auth', 'one-statement', 'one-statement+cached-auth'];
const CONNECTIONS = 64;
const WARMUP_SECONDS = 3;
const runs = Number(process.argv[2] ?? 3);
const seconds = Number(process.argv[3] ?? 10);

const startedAt = new Date().toISOString();
const stack = stackEnv();
const databaseUrl = await createDatabase(stack, 'bench_accept_variants');
await runMigrations(databaseUrl);
const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
const { token } = await new adapters.DrizzleApiKeyStore(adapters.createDatabase(pool)).create('bench', ['*']);
await pool.end();

const topic = `bench_variants_${randomBytes(3).toString('hex')}`;
const admin = new Kafka({ clientId: 'bench', brokers: stack.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();
await admin.connect();
await adapters.ensureTopics(admin, adapters.topicNames(topic), { partitions: 3, replicationFactor: 1 });
await admin.disconnect();

/** Runs of one variant, with the CPU time its server spent per request. */
const results = new Map<string, Array<LoadRun & { cpuMsPerRequest: number }>>();
for (let run = 0; run < runs; run += 1) {
  for (const variant of VARIANTS) {
    const env = { VARIANT: variant, DATABASE_URL: databaseUrl, FILEFLOW_TOPIC: topic };
    const server = await startScriptServer('variant-server.ts', env);
    try {
      const url = `${server.url}/api/v1/upload`;
      await loadUploads(url, token, CONNECTIONS, WARMUP_SECONDS);
      const [load, cpu] = await measureCpu({ server: { pid: server.pid } }, () =>
        loadUploads(url, token, CONNECTIONS, seconds),
      );
      const cpuMsPerRequest = ((cpu.server ?? 0) * 1_000) / load.perSecond;
      results.set(variant, [...(results.get(variant) ?? []), { ...load, cpuMsPerRequest }]);
    } finally {
      await server.stop();
    }
  }
}

const format = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
console.log(`Medians of ${runs} runs of ${seconds} s, ${CONNECTIONS} connections, started ${startedAt}:\n`);
console.log('| variant | requests/s | p50 | p99 | server CPU per request |');
console.log('| --- | --- | --- | --- | --- |');
for (const [variant, list] of results) {
  const pick = (field: 'perSecond' | 'p50Ms' | 'p99Ms' | 'cpuMsPerRequest') => median(list.map((run) => run[field]));
  const row = [format(pick('perSecond')), `${format(pick('p50Ms'))} ms`, `${format(pick('p99Ms'))} ms`, `${format(pick('cpuMsPerRequest'), 2)} ms`];
  console.log(`| ${variant} | ${row.join(' | ')} |`);
}
