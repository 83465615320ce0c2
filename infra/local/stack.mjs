// A local FileFlow stack: one Kafka broker, one SeaweedFS S3 server and one
// PostgreSQL cluster on free loopback ports, with all their data and logs in one
// folder. The folder's pids.json records ports, credentials and PIDs, so any
// process can attach to a running stack and stop or restart its services.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { cacheRoot, installTools, logProgress } from './lib/install.mjs';
import { isPortFree, releasePorts, reservePorts } from './lib/network.mjs';
import { isRunning, killProcessTreeSync, measureTreeRssKiB, spawnService, stopProcess } from './lib/processes.mjs';
import { DATABASE_NAME, SERVICE_NAMES, SERVICES } from './lib/services.mjs';

const STATE_FILE = 'pids.json';
const ENV_FILE = 'stack.env';
const STATE_FORMAT = 1;
const READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 200;

function secondsSince(startedAt) {
  return ((Date.now() - startedAt) / 1000).toFixed(1);
}

function portRegistryDir() {
  return path.join(cacheRoot(), 'ports');
}

/**
 * Installs what the stack runs, once, and returns the paths:
 * { java, kafkaLibDir, weed, postgresBinDir, psql, postgresAccount }.
 * Later calls only check the cache and PATH.
 */
export async function installStack() {
  return installTools();
}

// ---------------------------------------------------------------- state file

function statePath(dir) {
  return path.join(dir, STATE_FILE);
}

function readState(dir) {
  let text;
  try {
    text = fs.readFileSync(statePath(dir), 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') {
      throw new Error(`no stack found: ${statePath(dir)} does not exist; start one with node infra/local/cli.mjs start --dir ${dir}`);
    }
    throw error;
  }
  const state = JSON.parse(text);
  if (state.format !== STATE_FORMAT) {
    throw new Error(`${statePath(dir)} has format ${state.format}, expected ${STATE_FORMAT}; stop that stack with the version of this tool that started it`);
  }
  return state;
}

/** Replaces the state file in one rename, so a concurrent reader never sees half of it. */
function writeState(state) {
  const temporaryPath = `${statePath(state.dir)}.${process.pid}.tmp`;
  fs.writeFileSync(temporaryPath, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(temporaryPath, statePath(state.dir));
}

/**
 * Stores the process record of one service. The file is read again first
 * because an attached process may have restarted another service meanwhile.
 * NOTE: two processes that update the file within the same moment can still
 * lose one record, since there is no lock.
 */
function saveProcessRecord(dir, name, record) {
  const state = readState(dir);
  state.processes[name] = record;
  writeState(state);
  return state;
}

/** Returns a Kafka cluster id: 16 random bytes in URL-safe base64, as Kafka's own Uuid prints them. */
function createKafkaClusterId() {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    // Kafka's own generator skips ids starting with '-', which a command line would read as an option.
    if (!id.startsWith('-')) return id;
  }
}

async function createState(dir, tools, kafkaPartitions, keep) {
  const services = SERVICE_NAMES.map((name) => SERVICES[name]);
  const ports = await reservePorts(services.flatMap((service) => service.ports), {
    registryDir: portRegistryDir(),
    stackDir: dir,
    offsetPairs: services.flatMap((service) => service.portPairs ?? []),
  });
  return {
    format: STATE_FORMAT,
    dir,
    keep,
    kafkaPartitions,
    kafkaClusterId: createKafkaClusterId(),
    credentials: {
      accessKey: crypto.randomBytes(10).toString('hex').toUpperCase(),
      secretKey: crypto.randomBytes(20).toString('hex'),
    },
    ports,
    tools,
    processes: Object.fromEntries(SERVICE_NAMES.map((name) => [name, null])),
  };
}

/**
 * Loads the state of a stopped stack in dir so it starts again on its old
 * ports with its old data. Rejects when one of its services still runs or
 * when another program took one of its ports.
 */
async function reuseState(dir, tools, kafkaPartitions, keep) {
  const state = readState(dir);
  const running = SERVICE_NAMES.filter((name) => isRunning(state.processes[name]));
  if (running.length > 0) {
    throw new Error(`a stack already runs in ${dir} (${running.join(', ')}); stop it with node infra/local/cli.mjs stop --dir ${dir}`);
  }
  for (const [name, port] of Object.entries(state.ports)) {
    if (!(await isPortFree(port))) {
      throw new Error(`port ${port} (${name}) of the stack in ${dir} is in use by another program; free it or use a new folder`);
    }
  }
  return { ...state, tools, keep, kafkaPartitions: kafkaPartitions ?? state.kafkaPartitions };
}

function buildEnv(state) {
  const { ports, credentials } = state;
  return {
    DATABASE_URL: `postgres://postgres@127.0.0.1:${ports.postgres}/${DATABASE_NAME}`,
    KAFKA_BROKERS: `127.0.0.1:${ports.kafka}`,
    S3_ENDPOINT: `http://127.0.0.1:${ports.s3}`,
    S3_ACCESS_KEY: credentials.accessKey,
    S3_SECRET_KEY: credentials.secretKey,
    S3_REGION: 'us-east-1',
  };
}

/** Writes DIR/stack.env as KEY=VALUE lines, which a shell can source. */
function writeEnvFile(state) {
  const env = { ...buildEnv(state), FILEFLOW_STACK_DIR: state.dir };
  const lines = Object.entries(env).map(([key, value]) => `${key}=${value}\n`);
  fs.writeFileSync(path.join(state.dir, ENV_FILE), lines.join(''), { mode: 0o600 });
}

// ------------------------------------------------------------ one service

function serviceDefinition(name) {
  const service = SERVICES[name];
  if (!service) throw new Error(`unknown service "${name}"; expected one of ${SERVICE_NAMES.join(', ')}`);
  return service;
}

/**
 * Polls service.isReady every 200 ms. Rejects early when the process exits,
 * and after 60 s; both errors name the service and its log file.
 */
async function waitUntilReady(service, state, record) {
  const logPath = service.logPath(state);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (!isRunning(record)) {
      throw new Error(`${service.name} (PID ${record.pid}) exited during startup; see ${logPath}`);
    }
    if (await service.isReady(state)) return;
    if (Date.now() >= deadline) {
      throw new Error(`${service.name} (PID ${record.pid}) was not ready after ${READY_TIMEOUT_MS / 1000} s; see ${logPath}`);
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
}

/** Starts one service of the stack in dir unless it runs already, and waits until it is ready. */
async function startServiceIn(dir, name) {
  const service = serviceDefinition(name);
  let state = readState(dir);
  if (isRunning(state.processes[name])) return;
  await service.prepare(state);
  const record = await spawnService({ ...service.command(state), cwd: dir, logPath: service.logPath(state) });
  state = saveProcessRecord(dir, name, record);
  await waitUntilReady(service, state, record);
  await service.afterReady?.(state);
}

/** Stops one service of the stack in dir and waits until its processes are gone. */
async function stopServiceIn(dir, name) {
  const service = serviceDefinition(name);
  const record = readState(dir).processes[name];
  const graceful = await stopProcess(record, { signal: service.stopSignal, timeoutMs: service.stopTimeoutMs });
  if (!graceful) {
    logProgress(`${name} (PID ${record.pid}) ignored ${service.stopSignal} for ${service.stopTimeoutMs / 1000} s and was killed`);
  }
  const state = saveProcessRecord(dir, name, null);
  service.afterStop?.(state);
}

// ------------------------------------------------------------ whole stack

// Stacks started by this process that must not outlive it. A process 'exit'
// handler cannot wait, so it only sends SIGKILL and leaves the folders.
const ownedStackDirs = new Set();

function killOwnedStacks() {
  for (const dir of ownedStackDirs) {
    let state;
    try {
      state = readState(dir);
    } catch {
      continue;
    }
    for (const name of SERVICE_NAMES) {
      killProcessTreeSync(state.processes[name]);
      SERVICES[name].afterStop?.(state);
    }
  }
}

function ownStack(dir) {
  if (ownedStackDirs.size === 0) process.on('exit', killOwnedStacks);
  ownedStackDirs.add(dir);
}

function disownStack(dir) {
  ownedStackDirs.delete(dir);
  if (ownedStackDirs.size === 0) process.off('exit', killOwnedStacks);
}

async function stopAllServices(dir) {
  const results = await Promise.allSettled(SERVICE_NAMES.map((name) => stopServiceIn(dir, name)));
  const failures = results.filter((result) => result.status === 'rejected').map((result) => result.reason);
  if (failures.length > 0) throw new AggregateError(failures, `stopping the stack in ${dir} failed: ${failures.map((error) => error.message).join('; ')}`);
}

/** Stops every service, then deletes the folder and its port claims unless keep is set. */
async function stopStackIn(dir, { keep } = {}) {
  const state = readState(dir);
  await stopAllServices(dir);
  disownStack(dir);
  if (keep ?? state.keep) return;
  releasePorts(Object.values(state.ports), { registryDir: portRegistryDir(), stackDir: dir });
  fs.rmSync(dir, { recursive: true, force: true });
}

function readPids(dir) {
  const state = readState(dir);
  return Object.fromEntries(SERVICE_NAMES.map((name) => [name, state.processes[name]?.pid ?? null]));
}

/** Returns { name: { pid, running, rssKiB } }, where rssKiB counts the process and its children. */
function describeServices(dir) {
  const state = readState(dir);
  return Object.fromEntries(SERVICE_NAMES.map((name) => {
    const record = state.processes[name];
    const running = isRunning(record);
    return [name, { pid: record?.pid ?? null, running, rssKiB: running ? measureTreeRssKiB(record) : 0 }];
  }));
}

/**
 * @typedef {'postgres' | 'kafka' | 's3'} ServiceName
 * @typedef {object} Stack
 * @property {string} dir The stack folder.
 * @property {Record<string, string>} env DATABASE_URL, KAFKA_BROKERS, S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY and S3_REGION.
 * @property {(options?: { keep?: boolean }) => Promise<void>} stop Stops every service, then deletes the folder unless keep.
 * @property {(name: ServiceName) => Promise<void>} stopService Stops one service, and does nothing when it is stopped.
 * @property {(name: ServiceName) => Promise<void>} startService Starts one service on its old ports and data, and resolves once it is ready.
 * @property {() => Record<ServiceName, number | null>} pids The PID of each service, or null while it is stopped.
 * @property {() => Record<ServiceName, { pid: number | null, running: boolean, rssKiB: number }>} status PIDs and resident memory.
 */

/** @returns {Stack} */
function createStackHandle(dir) {
  const state = readState(dir);
  return {
    dir,
    env: buildEnv(state),
    stop: (options) => stopStackIn(dir, options),
    stopService: (name) => stopServiceIn(dir, name),
    startService: (name) => startServiceIn(dir, name),
    pids: () => readPids(dir),
    status: () => describeServices(dir),
  };
}

/**
 * Returns the folder to use: a new one under the OS temp folder when dir is
 * not given, else dir itself, which must be new, empty or an earlier stack's.
 */
function prepareStackDir(dir) {
  if (!dir) return { dir: fs.mkdtempSync(path.join(os.tmpdir(), 'fileflow-stack-')), reuse: false };
  const absolute = path.resolve(dir);
  fs.mkdirSync(absolute, { recursive: true });
  if (fs.existsSync(statePath(absolute))) return { dir: absolute, reuse: true };
  if (fs.readdirSync(absolute).length > 0) {
    throw new Error(`${absolute} is neither empty nor a stack folder (it has no ${STATE_FILE}); pass a new or empty folder`);
  }
  return { dir: absolute, reuse: false };
}

function validatePartitions(kafkaPartitions) {
  if (kafkaPartitions === undefined) return;
  if (!Number.isInteger(kafkaPartitions) || kafkaPartitions < 1) {
    throw new Error(`kafkaPartitions must be a positive integer, got ${kafkaPartitions}`);
  }
}

/**
 * Starts PostgreSQL, Kafka and SeaweedFS S3 in parallel and resolves to a Stack
 * once all three are ready. Options:
 *   dir             stack folder; a new temp folder when omitted. A folder of a
 *                   stopped stack starts again with its old ports and data.
 *   kafkaPartitions partition count of topics created without one (default 1).
 *   keep            when true, stop() leaves the folder in place (default false).
 *   detached        when true, the services outlive this process; otherwise
 *                   they are killed if it exits without calling stop().
 * On failure the services that did start are stopped, the folder is kept for
 * its logs, and the error names the service and its log file.
 */
export async function startStack({ dir, kafkaPartitions, keep = false, detached = false } = {}) {
  validatePartitions(kafkaPartitions);
  const startedAt = Date.now();
  const tools = await installStack();
  const target = prepareStackDir(dir);
  const state = target.reuse
    ? await reuseState(target.dir, tools, kafkaPartitions, keep)
    : await createState(target.dir, tools, kafkaPartitions ?? 1, keep);
  writeState(state);
  writeEnvFile(state);
  if (!detached) ownStack(state.dir);

  const readySeconds = {};
  const results = await Promise.allSettled(SERVICE_NAMES.map(async (name) => {
    await startServiceIn(state.dir, name);
    readySeconds[name] = secondsSince(startedAt);
  }));
  const failures = results.filter((result) => result.status === 'rejected').map((result) => result.reason);
  if (failures.length > 0) {
    await stopStackIn(state.dir, { keep: true });
    throw new AggregateError(failures, `starting the stack in ${state.dir} failed: ${failures.map((error) => error.message).join('; ')}`);
  }
  const perService = SERVICE_NAMES.map((name) => `${name} ${readySeconds[name]} s`).join(', ');
  logProgress(`ready in ${secondsSince(startedAt)} s (${perService}) in ${state.dir}`);
  return createStackHandle(state.dir);
}

/**
 * Returns the Stack whose folder is dir, started by startStack in this or any
 * other process (for tests: attachStack(process.env.FILEFLOW_STACK_DIR)).
 */
export function attachStack(dir) {
  if (!dir) throw new Error('attachStack needs the stack folder; FILEFLOW_STACK_DIR is not set in this environment');
  return createStackHandle(path.resolve(dir));
}
