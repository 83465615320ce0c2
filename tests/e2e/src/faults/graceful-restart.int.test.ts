import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { submitBurst } from '../support/burst.ts';
import { ScriptedFileServer } from '../support/file-server.ts';
import { generatedFileReply } from '../support/generated-files.ts';
import { APP_NAMES, TestSystem } from '../support/system.ts';
import { recordScenario, verifyDelivery } from '../support/verify.ts';

const BURST = Number(process.env.FAULT_SIGTERM_BURST ?? 300);

describe('SIGTERM to every app', () => {
  const system = new TestSystem({ all: { FILEFLOW_SHUTDOWN_TIMEOUT_MS: '10000' } });
  const files = new ScriptedFileServer();
  const db = new pg.Pool({ connectionString: system.databaseUrl, max: 2 });

  before(async () => {
    await files.start();
    files.routePrefix('/sigterm/', generatedFileReply(512 * 1024, 64 * 1024, 25));
    await system.start();
  });

  after(async () => {
    await system.stop();
    await files.stop();
    await db.end();
  });

  it(`stops cleanly during a burst of ${BURST} and finishes after a restart`, async () => {
    const startedAt = Date.now();
    const accepted = await submitBurst(system.apiUrl, files, { prefix: '/sigterm', bucket: 'fault-sigterm', count: BURST, size: 512 * 1024 });
    await system.waitForLine('consumer', 'upload completed', 30_000);

    const stopStarted = Date.now();
    const codes = await Promise.all(APP_NAMES.map((app) => system.signal(app, 'SIGTERM')));
    const stopSeconds = (Date.now() - stopStarted) / 1_000;
    assert.deepEqual(codes, [0, 0, 0]);
    assert.ok(stopSeconds < 10, `apps took ${stopSeconds} s to stop`);

    await system.start();
    const report = await verifyDelivery(db, accepted, system.logs, 180_000, startedAt);
    await recordScenario(`SIGTERM to all three apps during a burst of ${BURST} uploads, then a restart`, report,
      `every app exited with code 0 within ${stopSeconds.toFixed(1)} s; 512 KiB sources served in about 0.2 s`);
    assert.deepEqual(
      { completed: report.completed, unfinished: report.unfinished, duplicatedOrMissingCompletions: report.duplicatedOrMissingCompletions, badObjects: report.badObjects },
      { completed: BURST, unfinished: 0, duplicatedOrMissingCompletions: 0, badObjects: 0 },
    );
  });
});
