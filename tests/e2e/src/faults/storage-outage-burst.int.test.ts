import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { submitBurst } from '../support/burst.ts';
import { ScriptedFileServer } from '../support/file-server.ts';
import { generatedFileReply } from '../support/generated-files.ts';
import { localStack } from '../support/local-stack.ts';
import { TestSystem } from '../support/system.ts';
import { recordScenario, verifyDelivery } from '../support/verify.ts';

const BURST = Number(process.env.FAULT_S3_BURST ?? 300);
const OUTAGE_MS = Number(process.env.FAULT_S3_OUTAGE_MS ?? 60_000);

describe('S3 server outage', () => {
  const system = new TestSystem();
  const files = new ScriptedFileServer();
  const db = new pg.Pool({ connectionString: system.databaseUrl, max: 2 });

  before(async () => {
    await files.start();
    files.routePrefix('/s3-outage/', generatedFileReply(256 * 1024, 64 * 1024, 20));
    await system.start();
  });

  after(async () => {
    await localStack().startService('s3');
    await system.stop();
    await files.stop();
    await db.end();
  });

  it(`completes a burst of ${BURST} across a ${OUTAGE_MS / 1_000} s outage`, async () => {
    const stack = localStack();
    const startedAt = Date.now();
    const submitting = submitBurst(system.apiUrl, files, { prefix: '/s3-outage', bucket: 'fault-s3', count: BURST, size: 256 * 1024 });
    // A failed burst is reported after the S3 server is back, never left unhandled meanwhile.
    const settled = submitting.then((accepted) => ({ accepted }), (error: unknown) => ({ error }));
    await system.waitForLine('consumer', 'upload completed', 30_000);
    await stack.stopService('s3');
    let result: Awaited<typeof settled>;
    try {
      result = await settled;
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    } finally {
      await stack.startService('s3');
    }
    if ('error' in result) throw result.error;
    const { accepted } = result;

    const report = await verifyDelivery(db, accepted, system.logs, 180_000, startedAt);
    await recordScenario(`S3 server stopped for ${OUTAGE_MS / 1_000} s during a burst of ${BURST} uploads`, report,
      'attempts during the outage are put back without using a retry; 256 KiB sources');
    assert.deepEqual(
      { completed: report.completed, unfinished: report.unfinished, duplicatedOrMissingCompletions: report.duplicatedOrMissingCompletions, badObjects: report.badObjects },
      { completed: BURST, unfinished: 0, duplicatedOrMissingCompletions: 0, badObjects: 0 },
    );
  });
});
