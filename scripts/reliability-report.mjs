// Renders docs/reliability.md from the scenario results that the fault tests append to
// test-artifacts/reliability.jsonl, keeping the newest result of each scenario.
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

const results = new Map();
for (const line of readFileSync('test-artifacts/reliability.jsonl', 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const result = JSON.parse(line);
  results.set(result.scenario, result);
}

const rows = [...results.values()].map(
  (r) =>
    `| ${r.scenario} | ${r.accepted} | ${r.completed} | ${r.failed} | ${r.unfinished} | ` +
    `${r.duplicatedOrMissingCompletions} | ${r.badObjects} | ${r.seconds} | ${r.notes} |`,
);
const lost = [...results.values()].reduce((n, r) => n + r.unfinished + r.badObjects, 0);
const doubled = [...results.values()].reduce((n, r) => n + r.duplicatedOrMissingCompletions, 0);

const page = `# Reliability under faults

Each scenario below runs the three apps against a real Kafka broker, SeaweedFS S3 server and
PostgreSQL started by \`infra/local\`, injects one fault, and then checks every accepted upload:
its row must reach a final status, exactly one "upload completed" log line must exist for it
across all app instances, and its stored object's SHA-256 must equal the source's.

Reproduce with \`npm run faults\` (about 6 minutes); the same tests also run in \`npm test\`.
The scripts are \`tests/e2e/src/faults/*.int.test.ts\`, and this page is written by
\`scripts/reliability-report.mjs\`.

Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB,
Node ${process.version}, Kafka 4.4.0, SeaweedFS 4.48, PostgreSQL 15. Run on ${new Date().toISOString().slice(0, 10)}.

| scenario | accepted | completed | failed | unfinished | duplicated or missing completions | objects missing or wrong | seconds to settle | notes |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

Totals: ${lost} lost, ${doubled} duplicated.

## How each fault is survived

- **Consumer killed.** The upload's row stays \`processing\` with a lease that the running
  attempt renews. The uncommitted message is redelivered once the group rebalances; while the
  lease is live the redelivery is skipped, and once it expires the lease sweeper queues the
  upload again through the outbox.
- **Kafka down.** The API writes the upload and its outbox row in one transaction and answers
  202 without touching Kafka. The outbox relays back off and publish the backlog once the
  broker is back; consumers reconnect on their own.
- **PostgreSQL restarted.** Failed queries are classed as an outage: the consumer leaves the
  message uncommitted, pauses the partition with a growing backoff, and reads it again.
- **S3 down.** An attempt that cannot reach object storage is put back to \`pending\` without
  using a retry, and the partition pauses, so a long outage fails no upload.
- **SIGTERM.** Each app stops taking work, lets in-flight attempts finish within its deadline
  (abandoning the rest so they are redelivered), commits finished offsets and exits 0.
`;
writeFileSync('docs/reliability.md', page);
console.log(`docs/reliability.md: ${results.size} scenarios, ${lost} lost, ${doubled} duplicated`);
