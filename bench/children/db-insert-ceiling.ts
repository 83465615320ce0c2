// Measures the database's own rate for the inserts of an accepted upload. Each insert is the
// statement that DrizzleFileRepository.add sends, built by the same UploadStatements: one named
// statement that writes the files row and its outbox row. CONNECTIONS loops send them over a
// pg Pool of as many clients, for SECONDS seconds after a warm-up of WARMUP_SECONDS.
// Usage: db-insert-ceiling.ts DATABASE_URL CONNECTIONS SECONDS WARMUP_SECONDS
// Prints {"count", "seconds", "perSecond", "p50Ms", "p99Ms", "cpu"} as its last line, where
// count is the number of committed statements, the latencies are those of whole statements
// and cpu gives the cores used by this script and the processes in FILEFLOW_BENCH_METERED.
import { randomUUID } from 'node:crypto';
import { FileUpload, dispatchFor } from '@fileflow/domain';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { toRow, toStoredDispatch } from '../../packages/adapters/src/postgres/file-row-mapper.ts';
import { UploadStatements } from '../../packages/adapters/src/postgres/upload-statements.ts';
import { childMeter } from '../support/cpu-usage.ts';
import { percentile } from '../support/stats.ts';

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

const pool = new pg.Pool({ connectionString: databaseUrl, max: connections });
const statements = new UploadStatements(drizzle(pool));

async function insertOne(): Promise<void> {
  const { upload, dispatch } = newUpload();
  const outboxRows = [{ queue: dispatch.queue, payload: toStoredDispatch(dispatch) }];
  await pool.query(statements.insert(toRow(upload.snapshot()), JSON.stringify(outboxRows)));
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
