import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { submitBurst } from '../support/burst.ts';
import { ScriptedFileServer } from '../support/file-server.ts';
import { generatedFileReply } from '../support/generated-files.ts';
import { localStack } from '../support/local-stack.ts';
import { TestSystem } from '../support/system.ts';
import { recordScenario, verifyDelivery } from '../support/verify.ts';

const BURST = Number(process.env.FAULT_BURST ?? 1_000);
const OUTAGE_MS = Number(process.env.FAULT_KAFKA_OUTAGE_MS ?? 30_000);

describe('Kafka broker outage', () => {
  const system = new TestSystem();
  const files = new ScriptedFileServer();
  const db = new pg.Pool({ connectionString: system.databaseUrl, max: 2 });

  before(async () => {
    await files.start();
    files.routePrefix('/kafka-outage/', generatedFileReply(16 * 1024));
    await system.start();
  });

  after(async () => {
    await localStack().startService('kafka');
    await system.stop();
    await files.stop();
    await db.end();
  });

  it(`accepts ${BURST} uploads while the broker is down and completes them after`, async () => {
    const stack = localStack();
    await stack.stopService('kafka');
    const startedAt = Date.now();
    const accepted = await submitBurst(system.apiUrl, files, { prefix: '/kafka-outage', bucket: 'fault-kafka', count: BURST, size: 16 * 1024 });
    const acceptSeconds = (Date.now() - startedAt) / 1_000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - startedAt))));
    await stack.startService('kafka');

    const report = await verifyDelivery(db, accepted, system.logs, 180_000, startedAt);
    await recordScenario(`burst of ${BURST} uploads while the Kafka broker is stopped for ${OUTAGE_MS / 1_000} s`, report,
      `all ${BURST} accepted with 202 in ${acceptSeconds.toFixed(1)} s while the broker was down; 16 KiB sources`);
    assert.deepEqual(
      { completed: report.completed, unfinished: report.unfinished, duplicatedOrMissingCompletions: report.duplicatedOrMissingCompletions, badObjects: report.badObjects },
      { completed: BURST, unfinished: 0, duplicatedOrMissingCompletions: 0, badObjects: 0 },
    );
  });
});
