// Runs the benchmarks on the local stack that `node infra/local/cli.mjs exec` started.
//   npm run bench         full run: writes docs/benchmarks.md
//   npm run bench:smoke   short run of every scenario for CI: writes test-artifacts/bench/smoke.md
// Options after `--`: --only=accept,small,large,scaleOut runs only those scenarios and writes
// test-artifacts/bench/partial.md; --no-profile skips the CPU-profiled runs that follow a
// missed target; --render writes docs/benchmarks.md again from the results of the last full
// run and the current bench/findings.md, without running anything or needing a stack.
// Exits 1 when a scenario failed, but not when a target was missed.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FULL, SMOKE } from './config.ts';
import { checkTargets, renderReport, SCENARIOS, type BenchResults, type ScenarioKey } from './report.ts';
import { profileAccept, runAccept } from './scenarios/accept.ts';
import { profileLargeFile, runLargeFile } from './scenarios/large-file.ts';
import { runScaleOut } from './scenarios/scale-out.ts';
import { profileSmallFiles, runSmallFiles } from './scenarios/small-files.ts';
import { apiKeySource } from './support/api-key.ts';
import { buildApps, ROOT } from './support/app-process.ts';
import { startScriptServer, type ScriptServer } from './support/child-script.ts';
import { mainThreadProfile, summarizeProfile, type ClockWindow } from './support/cpu-profile.ts';
import { describeMachine } from './support/machine.ts';
import { stackEnv, type StackEnv } from './support/stack.ts';

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean' },
    only: { type: 'string' },
    'no-profile': { type: 'boolean' },
    render: { type: 'boolean' },
  },
});
const config = values.smoke ? SMOKE : FULL;
const selected = (values.only?.split(',') ?? Object.keys(SCENARIOS)) as ScenarioKey[];
for (const key of selected) {
  if (!(key in SCENARIOS)) throw new Error(`unknown scenario "${key}" in --only: use ${Object.keys(SCENARIOS).join(', ')}`);
}

const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'bench');
// A run of some scenarios only must not replace the page or the results of a full run.
function runKind(): 'smoke' | 'partial' | 'full' {
  if (values.smoke) return 'smoke';
  return values.only ? 'partial' : 'full';
}
const RUN_KIND = runKind();
const REPORT = RUN_KIND === 'full' ? path.join(ROOT, 'docs', 'benchmarks.md') : path.join(ARTIFACTS, `${RUN_KIND}.md`);
const RESULTS = path.join(ARTIFACTS, `${RUN_KIND}.json`);
const FINDINGS = path.join(ROOT, 'bench', 'findings.md');

function log(message: string): void {
  console.log(`bench: ${message}`);
}

/** Runs one scenario and records its result, or its error so the others still run. */
async function measure(results: BenchResults, key: ScenarioKey, work: () => Promise<void>): Promise<void> {
  if (!selected.includes(key)) return;
  log(`${SCENARIOS[key]}: starting`);
  const started = performance.now();
  try {
    await work();
    log(`${SCENARIOS[key]}: done in ${Math.round((performance.now() - started) / 1_000)} s`);
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    results.errors.push({ scenario: key, message });
    console.error(`bench: ${SCENARIOS[key]} failed:\n${message}`);
  }
}

/** Profiles each scenario that missed a target, and adds the summaries to the results. */
async function profileMisses(results: BenchResults, stack: StackEnv, fileServer: ScriptServer): Promise<void> {
  const missed = new Set(checkTargets(results).filter((check) => !check.met).map((check) => check.scenario));
  const passes: Array<{ key: ScenarioKey; apps: string[]; run: (dir: string) => Promise<ClockWindow> }> = [
    { key: 'accept', apps: ['api'], run: (dir) => profileAccept(stack, config, dir) },
    { key: 'small', apps: ['api', 'consumer-1'], run: (dir) => profileSmallFiles(stack, config, fileServer, dir) },
    { key: 'large', apps: ['consumer-1'], run: (dir) => profileLargeFile(stack, config, fileServer, dir) },
  ];
  for (const pass of passes.filter((p) => missed.has(p.key))) {
    const dir = path.join(ARTIFACTS, 'profiles', pass.key);
    await rm(dir, { recursive: true, force: true });
    await measure(results, pass.key, async () => {
      log(`${SCENARIOS[pass.key]}: profiling ${pass.apps.join(' and ')}`);
      const window = await pass.run(dir);
      for (const app of pass.apps) {
        const summary = await summarizeProfile(await mainThreadProfile(path.join(dir, app)), window);
        results.profiles.push({ scenario: pass.key, app, summary });
      }
    });
  }
}

/** Reads the hand-written findings that a full report ends with; a smoke report has none. */
function readFindings(): Promise<string> {
  return values.smoke ? Promise.resolve('') : readFile(FINDINGS, 'utf8').catch(() => '');
}

/** Renders the report of the last run of this kind again, such as after editing bench/findings.md. */
async function renderAgain(): Promise<number> {
  const results = JSON.parse(await readFile(RESULTS, 'utf8')) as BenchResults;
  await writeFile(REPORT, renderReport(results, await readFindings()));
  log(`wrote ${path.relative(ROOT, REPORT)} from ${path.relative(ROOT, RESULTS)}`);
  return 0;
}

async function main(): Promise<number> {
  if (values.render) return renderAgain();
  const stack = stackEnv();
  const startedAt = new Date();
  const results: BenchResults = {
    config,
    command: values.smoke ? 'npm run bench:smoke' : 'npm run bench',
    startedAt: startedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    minutes: 0,
    machine: await describeMachine(stack),
    apiKeySource: apiKeySource(),
    errors: [],
    profiles: [],
  };
  log(`${config.name} run on ${results.machine.cores} cores, API key: ${results.apiKeySource}`);
  log('building the apps');
  await buildApps();
  const fileServer = await startScriptServer('file-server.ts');
  try {
    await measure(results, 'accept', async () => {
      results.accept = await runAccept(stack, config);
    });
    await measure(results, 'small', async () => {
      results.small = await runSmallFiles(stack, config, fileServer);
    });
    await measure(results, 'large', async () => {
      results.large = await runLargeFile(stack, config, fileServer);
    });
    await measure(results, 'scaleOut', async () => {
      results.scaleOut = await runScaleOut(stack, config, fileServer);
    });
    if (!values.smoke && !values['no-profile']) await profileMisses(results, stack, fileServer);
  } finally {
    await fileServer.stop();
  }

  results.minutes = (Date.now() - startedAt.getTime()) / 60_000;
  await mkdir(ARTIFACTS, { recursive: true });
  await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(REPORT, renderReport(results, await readFindings()));
  for (const check of checkTargets(results)) {
    log(`${SCENARIOS[check.scenario]}: ${check.target}: ${check.measured} (${check.met ? 'met' : 'missed'})`);
  }
  log(`wrote ${path.relative(ROOT, REPORT)} after ${results.minutes.toFixed(1)} min`);
  return results.errors.length === 0 ? 0 : 1;
}

process.exitCode = await main();
