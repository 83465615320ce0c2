import { TARGETS, type BenchConfig } from './config.ts';
import { LIGHT_CONNECTIONS, type AcceptResult, type LoadRun } from './scenarios/accept.ts';
import type { LargeFileResult } from './scenarios/large-file.ts';
import type { ScaleOutResult } from './scenarios/scale-out.ts';
import type { PipelineRun, SmallFilesResult } from './scenarios/small-files.ts';
import type { ProfileSummary } from './support/cpu-profile.ts';
import { OTHER_PROCESSES, type CoresUsed } from './support/cpu-usage.ts';
import type { Machine } from './support/machine.ts';
import { median } from './support/stats.ts';

/** Scenarios by their key in results and on the command line. */
export const SCENARIOS = {
  accept: '1. Accepting uploads',
  small: '2. Small files end to end',
  large: '3. One large file',
  scaleOut: '4. Scaling out',
} as const;

/** Key of a scenario. */
export type ScenarioKey = keyof typeof SCENARIOS;

/** A CPU profile of one app during one scenario. */
export interface ProfileRecord {
  scenario: ScenarioKey;
  app: string;
  summary: ProfileSummary;
}

/** Everything one benchmark run measured. */
export interface BenchResults {
  config: BenchConfig;
  command: string;
  startedAt: string;
  minutes: number;
  machine: Machine;
  apiKeySource: string;
  accept?: AcceptResult;
  small?: SmallFilesResult;
  large?: LargeFileResult;
  scaleOut?: ScaleOutResult;
  errors: Array<{ scenario: ScenarioKey; message: string }>;
  profiles: ProfileRecord[];
}

/** One target and whether the medians meet it. */
export interface TargetCheck {
  scenario: ScenarioKey;
  target: string;
  measured: string;
  met: boolean;
}

const MIB = 1024 * 1024;

const number = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (value: number) => `${number(value, value < 10 ? 1 : 0)} ms`;
const mib = (bytes: number) => `${number(bytes / MIB)} MiB`;
const mibPerSecond = (bytesPerSecond: number) => `${number(bytesPerSecond / MIB, 1)} MiB/s`;
const ratio = (value: number) => number(value, 2);
const percent = (share: number) => `${number(share * 100, 1)} %`;
const verdict = (met: boolean) => (met ? 'met' : '**missed**');

const medianOf = <T>(runs: T[], pick: (run: T) => number) => median(runs.map(pick));

/** Medians of scenario 1. */
function acceptMedians(accept: AcceptResult) {
  return {
    api: medianOf(accept.api, (run) => run.perSecond),
    p50: medianOf(accept.api, (run) => run.p50Ms),
    p99: medianOf(accept.api, (run) => run.p99Ms),
    lightP99: medianOf(accept.apiLight, (run) => run.p99Ms),
    ceiling: medianOf(accept.ceiling, (run) => run.perSecond),
    database: medianOf(accept.database, (run) => run.perSecond),
  };
}

/** Compares the medians of each scenario that ran with its targets. */
export function checkTargets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  if (results.accept) {
    const medians = acceptMedians(results.accept);
    checks.push({ scenario: 'accept', target: `p99 < ${TARGETS.acceptP99Ms} ms`, measured: ms(medians.p99), met: medians.p99 < TARGETS.acceptP99Ms });
    const share = medians.api / medians.database;
    const target = `≥ ${TARGETS.acceptShareOfDatabase} of the database's insert rate`;
    checks.push({ scenario: 'accept', target, measured: ratio(share), met: share >= TARGETS.acceptShareOfDatabase });
  }
  if (results.small) {
    const share = medianOf(results.small.pipeline, (run) => run.filesPerSecond) / medianOf(results.small.plain, (run) => run.filesPerSecond);
    const target = `≥ ${TARGETS.smallShareOfPlain} of the plain script's rate`;
    checks.push({ scenario: 'small', target, measured: ratio(share), met: share >= TARGETS.smallShareOfPlain });
  }
  if (results.large) {
    const { pipeline, plain, consumerPeakRssBytes } = results.large;
    const share = medianOf(pipeline, (run) => run.bytesPerSecond) / medianOf(plain, (run) => run.bytesPerSecond);
    const target = `≥ ${TARGETS.largeShareOfPlain} of the plain script's throughput`;
    checks.push({ scenario: 'large', target, measured: ratio(share), met: share >= TARGETS.largeShareOfPlain });
    const memoryTarget = `consumer peak memory < ${mib(TARGETS.largePeakRssBytes)}`;
    const met = consumerPeakRssBytes < TARGETS.largePeakRssBytes;
    checks.push({ scenario: 'large', target: memoryTarget, measured: mib(consumerPeakRssBytes), met });
  }
  return checks;
}

function summaryRows(results: BenchResults): string[] {
  const rows: string[] = [];
  if (results.accept) {
    const medians = acceptMedians(results.accept);
    const figure = `${number(medians.api)} requests/s, p50 ${ms(medians.p50)}, p99 ${ms(medians.p99)} (p99 ${ms(medians.lightP99)} over ${LIGHT_CONNECTIONS} connections)`;
    const ceiling = `database ${number(medians.database)} inserts/s; same app without I/O ${number(medians.ceiling)} requests/s`;
    rows.push(`| ${SCENARIOS.accept} | ${figure} | ${ceiling} | ${ratio(medians.api / medians.database)} of the database, ${ratio(medians.api / medians.ceiling)} of the app without I/O |`);
  }
  if (results.small) {
    const pipeline = medianOf(results.small.pipeline, (run) => run.filesPerSecond);
    const plain = medianOf(results.small.plain, (run) => run.filesPerSecond);
    rows.push(`| ${SCENARIOS.small} | ${number(pipeline, 1)} files/s | plain script ${number(plain, 1)} files/s | ${ratio(pipeline / plain)} |`);
  }
  if (results.large) {
    const { pipeline, plain, consumerPeakRssBytes } = results.large;
    const through = medianOf(pipeline, (run) => run.bytesPerSecond);
    const plainThrough = medianOf(plain, (run) => run.bytesPerSecond);
    const figure = `${mibPerSecond(through)}, consumer peak ${mib(consumerPeakRssBytes)}`;
    rows.push(`| ${SCENARIOS.large} | ${figure} | plain script ${mibPerSecond(plainThrough)} | ${ratio(through / plainThrough)} |`);
  }
  if (results.scaleOut) {
    const one = medianOf(results.scaleOut.oneConsumer, (run) => run.filesPerSecond);
    const two = medianOf(results.scaleOut.twoConsumers, (run) => run.filesPerSecond);
    rows.push(`| ${SCENARIOS.scaleOut} | two instances ${number(two, 1)} files/s | one instance ${number(one, 1)} files/s | ${ratio(two / one)} |`);
  }
  return rows;
}

/** Runs of one column of a CPU table. */
interface CpuColumn {
  label: string;
  runs: Array<{ cpu?: CoresUsed }>;
}

/** Renders the median cores each process used, one column per kind of run, with a total. */
function cpuTable(columns: CpuColumn[]): string[] {
  const names = [...new Set(columns.flatMap((c) => c.runs.flatMap((run) => Object.keys(run.cpu ?? {}))))];
  // Everything the meters did not name goes last, just above the total.
  names.sort((a, b) => Number(a === OTHER_PROCESSES) - Number(b === OTHER_PROCESSES));
  const cell = (column: CpuColumn, name: string) => median(column.runs.map((run) => run.cpu?.[name] ?? 0));
  const rows = names
    .map((name) => ({ name, values: columns.map((column) => cell(column, name)) }))
    .filter((row) => row.values.some((value) => value >= 0.005));
  const totals = columns.map((_, index) => rows.reduce((sum, row) => sum + row.values[index]!, 0));
  return [
    'Cores used during the runs (CPU seconds per second, medians):',
    '',
    `| process | ${columns.map((c) => c.label).join(' | ')} |`,
    `| --- | ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.name} | ${row.values.map((v) => number(v, 2)).join(' | ')} |`),
    `| total | ${totals.map((v) => number(v, 2)).join(' | ')} |`,
    '',
  ];
}

function loadRows(label: string, runs: LoadRun[], unit: string): string[] {
  return runs.map((run, index) => `| ${label} | ${index + 1} | ${number(run.perSecond)} ${unit} | ${ms(run.p50Ms)} | ${ms(run.p99Ms)} | ${number(run.count)} |`);
}

function acceptSection(results: BenchResults, accept: AcceptResult): string[] {
  const { connections, seconds, warmupSeconds } = results.config.accept;
  return [
    `## ${SCENARIOS.accept}`,
    '',
    `autocannon sends \`POST /api/v1/upload\` over ${connections} connections for ${seconds} s per run, after a`,
    `${warmupSeconds} s warm-up of each server. The API runs alone, with its outbox relay publishing to Kafka;`,
    'no consumer runs. The two ceilings run in the same round as each API run:',
    '',
    "- the same app without I/O: the API's own `POST /api/v1/bench/upload`, served with",
    '  FILEFLOW_BENCH_ROUTES=1: the upload route with the same middleware, body checks and zod',
    '  schemas, on a repository that stores nothing and without the API key check;',
    "- the database's own rate: `bench/children/db-insert-ceiling.ts` sends the statement of",
    '  `DrizzleFileRepository.add`, one named statement that inserts the files row and its outbox',
    `  row. It uses ${connections} pg clients for ${seconds} s after a ${warmupSeconds} s warm-up, on a database of its own.`,
    '',
    'Before each run the harness waits until the relay has published every outbox row.',
    '',
    '| server | run | rate | p50 | p99 | completed |',
    '| --- | --- | --- | --- | --- | --- |',
    ...loadRows('API', accept.api, 'requests/s'),
    ...loadRows('same app without I/O', accept.ceiling, 'requests/s'),
    ...loadRows('database script', accept.database, 'inserts/s'),
    ...loadRows(`API, ${LIGHT_CONNECTIONS} connections`, accept.apiLight, 'requests/s'),
    '',
    `The last rows load the API over ${LIGHT_CONNECTIONS} connections, to show its latency when requests queue less.`,
    `Under a closed loop of ${connections} connections the mean latency is ${connections} divided by the rate`,
    '(Little\'s law), so a mean, and in practice a p99, under 25 ms needs more than',
    `${number((connections / TARGETS.acceptP99Ms) * 1_000)} requests/s.`,
    '',
    `Outbox rows not yet published when each API run ended: ${accept.unsentAfterApiRuns.map((n) => number(n)).join(', ')}.`,
    '',
    ...cpuTable([
      { label: 'API', runs: accept.api },
      { label: 'same app without I/O', runs: accept.ceiling },
      { label: 'database script', runs: accept.database },
    ]),
  ];
}

function instancesText(run: PipelineRun): string {
  return run.instances.map((i) => `${i.instance} ${number(i.completed)} (partitions ${i.partitions.join(', ')})`).join('; ');
}

function smallSection(results: BenchResults, small: SmallFilesResult): string[] {
  const { count, size, warmupCount } = results.config.small;
  return [
    `## ${SCENARIOS.small}`,
    '',
    `${number(count)} generated files of ${number(size / 1024)} KiB, served by \`bench/children/file-server.ts\` on 127.0.0.1,`,
    'are posted to the API 64 requests at a time. The rate counts from the first request to the',
    `last \`completed_at\` in the files table. One consumer runs with its defaults on a topic of`,
    `${small.partitions} partitions, so it copies ${small.concurrency} files at once (partitions consumed concurrently ×`,
    'FILEFLOW_CONCURRENCY). After each run the plain script `bench/children/plain-copy.ts` copies',
    `as many files of the same size with \`node:http\` and minio's \`putObject\`, ${small.concurrency} at a time, into`,
    'the same bucket, and computes their SHA-256 on the way as the consumer does.',
    `Both warm up on ${warmupCount} files first. Every row's SHA-256 is checked against the source, and 20`,
    'objects per run are read back from S3 and checked.',
    '',
    '| run | pipeline | all accepted after | plain script | ratio |',
    '| --- | --- | --- | --- | --- |',
    ...small.pipeline.map((run, index) => {
      const plain = small.plain[index];
      const plainText = plain ? `${number(plain.filesPerSecond, 1)} files/s in ${number(plain.seconds, 2)} s` : 'not run';
      const share = plain ? ratio(run.filesPerSecond / plain.filesPerSecond) : '';
      const pipeline = `${number(run.filesPerSecond, 1)} files/s in ${number(run.seconds, 2)} s`;
      return `| ${index + 1} | ${pipeline} | ${number(run.acceptSeconds, 2)} s | ${plainText} | ${share} |`;
    }),
    '',
    ...cpuTable([
      { label: 'pipeline', runs: small.pipeline },
      { label: 'plain script', runs: small.plain },
    ]),
  ];
}

function largeSection(results: BenchResults, large: LargeFileResult): string[] {
  return [
    `## ${SCENARIOS.large}`,
    '',
    `One generated file of ${mib(results.config.large.size)} goes through the whole pipeline; the time counts from`,
    'the request to `completed_at`. The harness samples the consumer\'s VmRSS every 100 ms and reads',
    'its VmHWM, the peak since the process started, after the last run. The stored SHA-256 is',
    'checked against the source, and the object is read back from S3 and hashed. The plain script',
    `copies a file of the same size with one \`putObject\` of the response stream, with minio's part`,
    'size set to the consumer\'s (8 MiB).',
    '',
    '| run | pipeline | consumer peak VmRSS | plain script | plain script VmHWM | ratio |',
    '| --- | --- | --- | --- | --- | --- |',
    ...large.pipeline.map((run, index) => {
      const plain = large.plain[index];
      const plainText = plain ? `${mibPerSecond(plain.bytesPerSecond)} in ${number(plain.seconds, 1)} s` : 'not run';
      const plainMemory = plain ? mib(plain.peakRssBytes) : '';
      const share = plain ? ratio(run.bytesPerSecond / plain.bytesPerSecond) : '';
      return `| ${index + 1} | ${mibPerSecond(run.bytesPerSecond)} in ${number(run.seconds, 1)} s | ${mib(run.peakRssBytes)} | ${plainText} | ${plainMemory} | ${share} |`;
    }),
    '',
    `Consumer VmRSS after the warm-up, before the first large file: ${mib(large.consumerBaselineRssBytes)}.`,
    `Consumer VmHWM after the last run: ${mib(large.consumerPeakRssBytes)}.`,
    '',
    ...cpuTable([
      { label: 'pipeline', runs: large.pipeline },
      { label: 'plain script', runs: large.plain },
    ]),
  ];
}

function scaleOutSection(results: BenchResults, scale: ScaleOutResult): string[] {
  const rows = (label: string, runs: PipelineRun[]) =>
    runs.map((run, index) => {
      const accepted = `${number(run.acceptSeconds, 2)} s`;
      return `| ${label} | ${index + 1} | ${number(run.filesPerSecond, 1)} files/s | ${accepted} | ${instancesText(run)} |`;
    });
  return [
    `## ${SCENARIOS.scaleOut}`,
    '',
    `The small-files load of ${number(results.config.scaleOut.count)} files with one and then two consumer instances in one`,
    `consumer group, on a topic of ${scale.partitions} partitions. The harness waits until the group is stable`,
    'with every partition assigned before the warm-up. Completed counts per instance come from',
    'the `upload completed` lines of each instance\'s log.',
    '',
    '| instances | run | rate | all accepted after | completed per instance |',
    '| --- | --- | --- | --- | --- |',
    ...rows('one', scale.oneConsumer),
    ...rows('two', scale.twoConsumers),
    '',
    ...cpuTable([
      { label: 'one instance', runs: scale.oneConsumer },
      { label: 'two instances', runs: scale.twoConsumers },
    ]),
  ];
}

function profileSection(profiles: ProfileRecord[]): string[] {
  if (profiles.length === 0) return [];
  const lines = [
    '## CPU profiles of the missed targets',
    '',
    'Each missed target gets one more run with `node --cpu-prof` on the app named below. The',
    'tables count self time of the samples taken during the load only, as a share of the',
    'time the process was not idle.',
    '',
  ];
  for (const { scenario, app, summary } of profiles) {
    const busy = `${number(summary.busyMs / 1_000, 1)} s busy, ${number(summary.idleMs / 1_000, 1)} s idle`;
    lines.push(`### ${SCENARIOS[scenario]}: ${app} (${busy})`, '');
    lines.push('| origin | self time |', '| --- | --- |');
    lines.push(...summary.byOrigin.slice(0, 10).map((e) => `| ${e.name} | ${percent(e.share)} |`), '');
    lines.push('| function | self time |', '| --- | --- |');
    lines.push(...summary.topFunctions.slice(0, 12).map((e) => `| \`${e.name.replace(/\|/g, '\\|')}\` | ${percent(e.share)} |`), '');
  }
  return lines;
}

/** Renders the results as the Markdown page docs/benchmarks.md. */
export function renderReport(results: BenchResults, findings: string): string {
  const { machine } = results;
  const checks = checkTargets(results);
  const lines = [
    '# Benchmarks',
    '',
    'Each scenario measures FileFlow next to a ceiling run on the same machine in the same session:',
    'the most the same work can reach without the parts under test. Figures are medians of',
    `${results.config.runs} ${results.config.runs === 1 ? 'run' : 'runs'}. \`npm run bench\` reproduces this page; it starts its own local stack.`,
    '',
    '## Machine and command',
    '',
    '| | |',
    '| --- | --- |',
    `| CPU | ${machine.cores} cores, ${machine.cpuModel} |`,
    `| memory | ${number(machine.memoryBytes / 1024 ** 3, 1)} GiB |`,
    `| OS | ${machine.os} |`,
    `| Node | ${machine.node} |`,
    `| Kafka | ${machine.kafka} (single KRaft node of infra/local) |`,
    `| SeaweedFS | ${machine.seaweedfs} (\`weed mini\` of infra/local) |`,
    `| PostgreSQL | ${machine.postgres} |`,
    `| command | \`${results.command}\` |`,
    `| started | ${results.startedAt}, took ${number(results.minutes, 1)} min |`,
    `| API key | ${results.apiKeySource} |`,
    '',
    'The apps, the load generator, the file server and the three services share the same cores,',
    'so every figure includes their competition for the CPU. The apps run from the esbuild bundles',
    "of their `build` scripts, which their container images run, with their default settings.",
    '',
    '## Summary',
    '',
    '| scenario | figure | ceiling | ratio |',
    '| --- | --- | --- | --- |',
    ...summaryRows(results),
    '',
    '| scenario | target | measured | result |',
    '| --- | --- | --- | --- |',
    ...checks.map((c) => `| ${SCENARIOS[c.scenario]} | ${c.target} | ${c.measured} | ${verdict(c.met)} |`),
    '',
  ];
  if (results.errors.length > 0) {
    lines.push('## Errors', '', ...results.errors.map((e) => `- ${SCENARIOS[e.scenario]}: ${e.message.split('\n')[0]}`), '');
  }
  if (results.accept) lines.push(...acceptSection(results, results.accept));
  if (results.small) lines.push(...smallSection(results, results.small));
  if (results.large) lines.push(...largeSection(results, results.large));
  if (results.scaleOut) lines.push(...scaleOutSection(results, results.scaleOut));
  lines.push(...profileSection(results.profiles));
  if (findings.trim()) lines.push(findings.trim(), '');
  return `${lines.join('\n')}\n`;
}
