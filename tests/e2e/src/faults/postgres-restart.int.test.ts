import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { submitBurst } from '../support/burst.ts';
import { ScriptedFileServer } from '../support/file-server.ts';
import { generatedFileReply } from '../support/generated-files.ts';
import { localStack } from '../support/local-stack.ts';
import { TestSystem } from '../support/system.ts';
import { recordScenario, verifyDelivery } from '../support/verify.ts';

const BURST = Number(process.env.FAULT_PG_BURST ?? 200);
const WAIT_MS = Number(process.env.FAULT_PG_WAIT_MS ?? 180_000);

describe('PostgreSQL restart', () => {
  const system = new TestSystem({ consumer: { FILEFLOW_LEASE_MS: '5000', FILEFLOW_LEASE_SWEEP_MS: '1000' } });
  const files = new ScriptedFileServer();
  const db = new pg.Pool({ connectionString: system.databaseUrl, max: 2 });
  db.on('error', () => {});

  before(async () => {
    await files.start();
    // 1 MiB in 64 KiB chunks every 20 ms: about 0.3 s a download, so many are in flight.
    files.routePrefix('/pg-restart/', generatedFileReply(1024 * 1024, 64 * 1024, 20));
    await system.start();
  });

  after(async () => {
    await localStack().startService('postgres');
    await system.stop();
    await files.stop();
    await db.end();
  });

  it(`completes ${BURST} uploads across a restart`, async () => {
    const stack = localStack();
    const startedAt = Date.now();
    const accepted = await submitBurst(system.apiUrl, files, { prefix: '/pg-restart', bucket: 'fault-pg', count: BURST, size: 1024 * 1024 });
    await system.waitForLine('consumer', 'upload completed', 30_000);
    await stack.stopService('postgres');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await stack.startService('postgres');

    const report = await verifyDelivery(db, accepted, system.logs, WAIT_MS, startedAt);
    await recordScenario(`PostgreSQL stopped for 3 s and restarted while ${BURST} uploads are processed`, report,
      'lease 5 s, sweep every 1 s; 1 MiB sources served in about 0.3 s');
    assert.deepEqual(
      { completed: report.completed, unfinished: report.unfinished, duplicatedOrMissingCompletions: report.duplicatedOrMissingCompletions, badObjects: report.badObjects },
      { completed: BURST, unfinished: 0, duplicatedOrMissingCompletions: 0, badObjects: 0 },
    );
  });
});
