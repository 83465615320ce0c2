import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { submit } from '../support/api-client.ts';
import { ScriptedFileServer } from '../support/file-server.ts';
import { generatedFileReply } from '../support/generated-files.ts';
import { TestSystem } from '../support/system.ts';
import { recordScenario, verifyDelivery, type Accepted } from '../support/verify.ts';

const RUNS = Number(process.env.FAULT_KILL_RUNS ?? 20);
const SIZE = 8 * 1024 * 1024;

describe('consumer killed during downloads', () => {
  const system = new TestSystem({
    consumer: {
      FILEFLOW_KAFKA_SESSION_TIMEOUT_MS: '6000',
      FILEFLOW_LEASE_MS: '3000',
      FILEFLOW_LEASE_SWEEP_MS: '500',
    },
  });
  const files = new ScriptedFileServer();
  const db = new pg.Pool({ connectionString: system.databaseUrl, max: 2 });

  before(async () => {
    await files.start();
    // 8 MiB in 256 KiB chunks every 40 ms: each download takes about 1.3 s.
    files.routePrefix('/kill/', generatedFileReply(SIZE, 256 * 1024, 40));
    await system.start(['api', 'consumer']);
  });

  after(async () => {
    await system.stop();
    await files.stop();
    await db.end();
  });

  it(`loses and repeats nothing over ${RUNS} SIGKILLs`, async () => {
    const startedAt = Date.now();
    const accepted: Accepted[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const path = `/kill/${run}.bin`;
      const response = await submit(system.apiUrl, { file_url: files.url(path), bucket_name: 'fault-kill', object_name: `run-${run}.bin` });
      accepted.push({ id: String(response.json.id), bucket: 'fault-kill', key: `run-${run}.bin`, path, size: SIZE });
      await waitForHit(files, path);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 1_200));
      await system.signal('consumer', 'SIGKILL');
      await system.startApp('consumer');
    }
    const report = await verifyDelivery(db, accepted, system.logs, 120_000, startedAt);
    await recordScenario(`${RUNS} runs of SIGKILL to the consumer at a random moment of a download`, report,
      'lease 3 s, sweep every 0.5 s, Kafka session timeout 6 s; 8 MiB sources served in about 1.3 s');
    assert.deepEqual(
      { completed: report.completed, unfinished: report.unfinished, duplicatedOrMissingCompletions: report.duplicatedOrMissingCompletions, badObjects: report.badObjects },
      { completed: RUNS, unfinished: 0, duplicatedOrMissingCompletions: 0, badObjects: 0 },
    );
  });
});

async function waitForHit(files: ScriptedFileServer, path: string): Promise<void> {
  for (let i = 0; i < 600 && !files.hits.get(path); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!files.hits.get(path)) throw new Error(`${path} was never requested`);
}
