// Measures the database's own rate for the inserts of an accepted upload. Each transaction
// inserts the files row and its outbox row with the SQL text that drizzle generates for
// DrizzleFileRepository.add. CONNECTIONS loops send them over a pg Pool of as many clients,
// for SECONDS seconds after a warm-up of WARMUP_SECONDS.
// Usage: db-insert-ceiling.ts DATABASE_URL CONNECTIONS SECONDS WARMUP_SECONDS
// Prints {"count", "seconds", "perSecond", "p50Ms", "p99Ms", "cpu"} as its last line, where
// count is the number of committed transactions, the latencies are those of whole transactions
// and cpu gives the cores used by this script and the processes in FILEFLOW_BENCH_METERED.
import { randomUUID } from 'node:crypto';
import { FileUpload, dispatchFor } from '@fileflow/domain';
import pg from 'pg';
import { childMeter } from '../support/cpu-usage.ts';
import { percentile } from '../support/stats.ts';
import { fileParams, outboxParams, uploadInsertSql } from '../support/upload-sql.ts';

const [databaseUrl, connectionsArg, secondsArg, warmupArg] = process.argv.slice(2);
if (!databaseUrl || !connectionsArg || !secondsArg || !warmupArg) {
  throw new Error('usage: db-insert-ceiling.ts DATABASE_URL CONNECTIONS SECONDS WARMUP_SECONDS');
}
const connections = Number(connectionsArg);
const seconds = Number(secondsArg);
const warmupSeconds = Number(warmupArg);

/** A new upload as POST /api/v1/upload creates it, with its dispatch to the main topic. */
function newUpload() {
  const upload = FileUpload.request(
    {
      id: randomUUID(),
      fileUrl: 'http://127.0.0.1:9/files/65536/bench.bin',
      bucketName: 'bench-accept',
      objectName: 'accept/bench.bin',
    },
    new Date(),
  );
  return { upload, dispatch: dispatchFor(upload, 'main') };
}

const sql = uploadInsertSql(newUpload().upload);
const pool = new pg.Pool({ connectionString: databaseUrl, max: connections });

async function insertOne(): Promise<void> {
  const next = newUpload();
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(sql.files, fileParams(next.upload));
    await client.query(sql.outbox, outboxParams(next.upload, next.dispatch));
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** Runs CONNECTIONS loops until `untilMs` and returns each transaction's latency in ms. */
async function load(untilMs: number): Promise<number[]> {
  const latencies: number[] = [];
  const loop = async () => {
    while (performance.now() < untilMs) {
      const started = performance.now();
      await insertOne();
      latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  return latencies;
}

await load(performance.now() + warmupSeconds * 1_000);
const meter = childMeter('database script');
await meter.start();
const started = performance.now();
const latencies = await load(started + seconds * 1_000);
const elapsed = (performance.now() - started) / 1_000;
const cpu = await meter.stop();
await pool.end();

latencies.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    count: latencies.length,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    cpu,
  }),
);
