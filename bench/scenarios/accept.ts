import autocannon from 'autocannon';
import { runMigrations } from '@fileflow/db';
import type { BenchConfig } from '../config.ts';
import { authHeaders } from '../support/api-key.ts';
import { runScript } from '../support/child-script.ts';
import { monotonicUs, type ClockWindow } from '../support/cpu-profile.ts';
import { measureCpu, METERED_ENV, type CoresUsed } from '../support/cpu-usage.ts';
import { createDatabase, type StackEnv } from '../support/stack.ts';
import { BenchSystem } from '../support/system.ts';

/**
 * Connections of the light load, which shows latency with little queueing. autocannon's rate
 * limit would not do: it sends each second's requests in one burst.
 */
export const LIGHT_CONNECTIONS = 4;

/** Path of the API's own I/O-free twin of POST /api/v1/upload, served with FILEFLOW_BENCH_ROUTES=1. */
export const BENCH_ROUTE = '/api/v1/bench/upload';

/** One measured load of a server or of the database script. */
export interface LoadRun {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests or transactions completed. */
  count: number;
  /** Cores each process used during the run. */
  cpu?: CoresUsed;
}

/** Runs of scenario 1. */
export interface AcceptResult {
  api: LoadRun[];
  /** Rows in the outbox not yet published to Kafka when each API run ended. */
  unsentAfterApiRuns: number[];
  ceiling: LoadRun[];
  database: LoadRun[];
  /** API runs over LIGHT_CONNECTIONS connections, which show its latency when requests queue less. */
  apiLight: LoadRun[];
}

/** The upload request every load sends. Nothing consumes the topic, so no download starts. */
const REQUEST_BODY = JSON.stringify({
  file_url: 'http://127.0.0.1:9/files/65536/accept.bin',
  bucket_name: 'bench-accept',
  object_name: 'accept/bench.bin',
});

/** Loads `url` with POST requests; raises when any request fails or gets a status but 202. */
export async function loadUploads(
  url: string,
  apiKey: string | undefined,
  connections: number,
  seconds: number,
): Promise<LoadRun> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json', ...authHeaders(apiKey) },
    body: REQUEST_BODY,
  });
  const failed = result.errors + result.non2xx;
  if (failed > 0) {
    throw new Error(
      `${failed} of ${result.requests.sent} requests to ${url} failed: ${result.errors} errors ` +
        `(${result.timeouts} timeouts), ${result['4xx']} 4xx, ${result['5xx']} 5xx responses; ` +
        `one more request now returns ${await describeResponse(url, apiKey)}`,
    );
  }
  return {
    perSecond: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    count: result['2xx'],
  };
}

/** Sends the load's request once. */
function postOnce(url: string, apiKey: string | undefined): Promise<Response> {
  const headers = { 'content-type': 'application/json', ...authHeaders(apiKey) };
  return fetch(url, { method: 'POST', headers, body: REQUEST_BODY });
}

/** Sends the load's request once and returns its status and body, for an error message. */
async function describeResponse(url: string, apiKey: string | undefined): Promise<string> {
  try {
    const response = await postOnce(url, apiKey);
    return `${response.status} ${(await response.text()).slice(0, 300)}`;
  } catch (error) {
    return `no response (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Returns the URL of the API's I/O-free route; raises when the API does not serve it. */
async function ceilingUrl(system: BenchSystem): Promise<string> {
  const url = `${system.apiUrl}${BENCH_ROUTE}`;
  const response = await postOnce(url, system.apiKey);
  const text = await response.text();
  if (response.status !== 202) {
    throw new Error(`${BENCH_ROUTE} returned ${response.status} ${text.slice(0, 300)}: start the API with FILEFLOW_BENCH_ROUTES=1`);
  }
  return url;
}

async function unsentRows(system: BenchSystem): Promise<number> {
  const { rows } = await system.pool.query<{ n: number }>(
    'select count(*)::int as n from outbox where sent_at is null',
  );
  return rows[0]?.n ?? 0;
}

/**
 * Runs scenario 1: POST /api/v1/upload under load, against the same app without I/O and against
 * the database's own rate for the same inserts. Each round loads the three in turn, and the
 * runs of the API under light load follow the rounds.
 */
export async function runAccept(stack: StackEnv, config: BenchConfig): Promise<AcceptResult> {
  const { connections, seconds, warmupSeconds } = config.accept;
  const databaseUrl = await createDatabase(stack, 'bench_accept_ceiling');
  await runMigrations(databaseUrl);
  const system = await BenchSystem.start(stack, { name: 'bench_accept', consumers: 0, partitions: 3 });
  const result: AcceptResult = {
    api: [],
    unsentAfterApiRuns: [],
    ceiling: [],
    database: [],
    apiLight: [],
  };
  try {
    const apiUrl = `${system.apiUrl}/api/v1/upload`;
    const ceiling = await ceilingUrl(system);
    await loadUploads(apiUrl, system.apiKey, connections, warmupSeconds);
    await loadUploads(ceiling, system.apiKey, connections, warmupSeconds);
    for (let run = 0; run < config.runs; run += 1) {
      await system.waitForOutboxDrained();
      const [apiRun, apiCpu] = await measureCpu(system.processes(), () =>
        loadUploads(apiUrl, system.apiKey, connections, seconds),
      );
      result.api.push({ ...apiRun, cpu: apiCpu });
      result.unsentAfterApiRuns.push(await unsentRows(system));
      // The relay publishes what the run left, which must not overlap the next load.
      await system.waitForOutboxDrained();
      const [ceilingRun, ceilingCpu] = await measureCpu(system.processes(), () =>
        loadUploads(ceiling, system.apiKey, connections, seconds),
      );
      result.ceiling.push({ ...ceilingRun, cpu: ceilingCpu });
      const args = [databaseUrl, String(connections), String(seconds), String(warmupSeconds)];
      const env = { [METERED_ENV]: JSON.stringify(system.processes()) };
      result.database.push(await runScript<LoadRun>('db-insert-ceiling.ts', args, env));
    }
    for (let run = 0; run < config.runs; run += 1) {
      await system.waitForOutboxDrained();
      result.apiLight.push(await loadUploads(apiUrl, system.apiKey, LIGHT_CONNECTIONS, seconds));
    }
    system.assertRunning();
  } finally {
    await system.stop();
  }
  return result;
}

/**
 * Loads the API, started with a CPU profile written into `dir`, for one run's duration, and
 * returns the span of the load on the profile's clock.
 */
export async function profileAccept(stack: StackEnv, config: BenchConfig, dir: string): Promise<ClockWindow> {
  const { connections, seconds, warmupSeconds } = config.accept;
  const profile = { apps: ['api' as const], dir };
  const system = await BenchSystem.start(stack, { name: 'bench_accept_profile', consumers: 0, partitions: 3, profile });
  try {
    const url = `${system.apiUrl}/api/v1/upload`;
    await loadUploads(url, system.apiKey, connections, warmupSeconds);
    const fromUs = monotonicUs();
    await loadUploads(url, system.apiKey, connections, seconds);
    const window = { fromUs, toUs: monotonicUs() };
    system.assertRunning();
    return window;
  } finally {
    await system.stop();
  }
}
