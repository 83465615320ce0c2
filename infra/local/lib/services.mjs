// Definitions of the three services: configuration, start command and
// readiness check. Each one reads the stack state stored in DIR/pids.json, so a
// service restarts on the same ports and data folder it had before.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { fetchHttpStatus, fetchKafkaBrokers } from './network.mjs';

const HOST = '127.0.0.1';
export const DATABASE_NAME = 'fileflow';

// Unix socket paths are limited to 108 bytes on Linux.
const MAX_SOCKET_PATH_LENGTH = 100;

/** Returns a copy of process.env without the variables whose names start with one of prefixes. */
function environmentWithout(prefixes) {
  const env = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!prefixes.some((prefix) => name.startsWith(prefix))) env[name] = value;
  }
  return env;
}

/** Runs a one-off setup command with its output appended to logPath. */
function runLogged(command, args, { logPath, env, uid, gid, description }) {
  const logFd = fs.openSync(logPath, 'a');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, uid, gid, stdio: ['ignore', logFd, logFd] });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${description} failed with exit code ${code}; see ${logPath}`));
    });
  }).finally(() => fs.closeSync(logFd));
}

/** Runs a command and resolves to its stdout, or rejects when it fails or times out. */
function capture(command, args, { env, timeoutMs }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} failed with ${signal ? `signal ${signal}` : `exit code ${code}`}: ${stderr.trim()}`));
    });
  });
}

// ---------------------------------------------------------------- PostgreSQL

function postgresPaths(state) {
  const root = path.join(state.dir, 'postgres');
  return { root, data: path.join(root, 'data'), log: path.join(root, 'postgres.log') };
}

/** Runs psql against the stack's cluster as the postgres superuser. */
function runPsql(state, database, sql) {
  const args = ['-X', '-q', '-A', '-t', '-h', HOST, '-p', String(state.ports.postgres), '-U', 'postgres', '-d', database, '-c', sql];
  // PG* variables from the caller's shell (PGPASSWORD, PGSSLMODE, ...) would change how psql connects.
  const env = { ...environmentWithout(['PG']), PGCONNECT_TIMEOUT: '2' };
  return capture(state.tools.psql, args, { env, timeoutMs: 5_000 });
}

/** Gives the postgres account its own folder inside the stack folder. */
function preparePostgresFolder(state) {
  const paths = postgresPaths(state);
  fs.mkdirSync(paths.root, { recursive: true });
  const account = state.tools.postgresAccount;
  if (!account) return;
  // The postgres account must be able to pass through the stack folder.
  fs.chmodSync(state.dir, 0o711);
  fs.chownSync(paths.root, account.uid, account.gid);
  fs.chmodSync(paths.root, 0o700);
  const probe = spawnSync('test', ['-w', paths.root], { uid: account.uid, gid: account.gid });
  if (probe.status !== 0) {
    throw new Error(`the postgres account cannot write to ${paths.root}; use a stack folder whose parents every user can enter, such as one under /tmp`);
  }
}

const postgres = {
  name: 'postgres',
  ports: ['postgres'],
  // SIGINT is PostgreSQL's "fast" shutdown. SIGTERM ("smart") waits until every
  // client disconnects, which never happens while the apps hold a pool.
  stopSignal: 'SIGINT',
  stopTimeoutMs: 15_000,
  logPath: (state) => postgresPaths(state).log,

  async prepare(state) {
    preparePostgresFolder(state);
    const paths = postgresPaths(state);
    if (fs.existsSync(path.join(paths.data, 'PG_VERSION'))) return;
    // initdb rejects a non-empty folder, which a failed earlier attempt leaves behind.
    fs.rmSync(paths.data, { recursive: true, force: true });
    const account = state.tools.postgresAccount;
    await runLogged(path.join(state.tools.postgresBinDir, 'initdb'), [
      '-D', paths.data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync',
    ], { logPath: paths.log, env: environmentWithout(['PG']), uid: account?.uid, gid: account?.gid, description: 'initdb' });
  },

  command(state) {
    const account = state.tools.postgresAccount;
    return {
      command: path.join(state.tools.postgresBinDir, 'postgres'),
      args: [
        '-D', postgresPaths(state).data,
        '-p', String(state.ports.postgres),
        '-c', `listen_addresses=${HOST}`,
        // No Unix socket: clients use TCP, and a long stack folder path cannot overflow the socket path limit.
        '-c', 'unix_socket_directories=',
        // Durability against an operating system crash is not needed for a
        // throw-away cluster. A stopped or killed server still keeps all its
        // data, because the written pages stay in the OS page cache.
        '-c', 'fsync=off',
        '-c', 'full_page_writes=off',
      ],
      env: environmentWithout(['PG']),
      uid: account?.uid,
      gid: account?.gid,
    };
  },

  async isReady(state) {
    try {
      return (await runPsql(state, 'postgres', 'select 1')).trim() === '1';
    } catch {
      return false;
    }
  },

  async afterReady(state) {
    const exists = await runPsql(state, 'postgres', `select 1 from pg_database where datname = '${DATABASE_NAME}'`);
    if (exists.trim() !== '1') await runPsql(state, 'postgres', `create database ${DATABASE_NAME}`);
  },
};

// ---------------------------------------------------------------------- Kafka

function kafkaPaths(state) {
  const root = path.join(state.dir, 'kafka');
  return {
    root,
    data: path.join(root, 'data'),
    serverProperties: path.join(root, 'server.properties'),
    log4jProperties: path.join(root, 'log4j2.properties'),
    log: path.join(root, 'kafka.log'),
  };
}

function renderServerProperties(state) {
  const { kafka, kafkaController } = state.ports;
  const settings = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@${HOST}:${kafkaController}`,
    listeners: `PLAINTEXT://${HOST}:${kafka},CONTROLLER://${HOST}:${kafkaController}`,
    'advertised.listeners': `PLAINTEXT://${HOST}:${kafka}`,
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': kafkaPaths(state).data,
    // The apps create their topics, so a typo in a topic name fails instead of creating a new topic.
    'auto.create.topics.enable': false,
    // Partition count of a topic created without an explicit count.
    'num.partitions': state.kafkaPartitions,
    // A single broker can hold only one replica of each internal topic.
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    // The default 3 s delay only helps groups whose members join one by one in production.
    'group.initial.rebalance.delay.ms': 0,
  };
  return Object.entries(settings).map(([key, value]) => `${key}=${value}\n`).join('');
}

// A console appender, because the broker's stdout and stderr already go to the
// log file, where JVM errors that bypass log4j end up too.
const LOG4J_PROPERTIES = `status = warn
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.console.ref = console
`;

function javaArgs(state, heapArgs, mainClass, mainArgs) {
  return [
    ...heapArgs,
    '-XX:+UseSerialGC',
    `-Dlog4j2.configurationFile=${kafkaPaths(state).log4jProperties}`,
    '-cp', path.join(state.tools.kafkaLibDir, '*'),
    mainClass,
    ...mainArgs,
  ];
}

const kafka = {
  name: 'kafka',
  ports: ['kafka', 'kafkaController'],
  stopSignal: 'SIGTERM',
  stopTimeoutMs: 30_000,
  logPath: (state) => kafkaPaths(state).log,

  async prepare(state) {
    const paths = kafkaPaths(state);
    fs.mkdirSync(paths.data, { recursive: true });
    fs.writeFileSync(paths.serverProperties, renderServerProperties(state));
    fs.writeFileSync(paths.log4jProperties, LOG4J_PROPERTIES);
    if (fs.existsSync(path.join(paths.data, 'meta.properties'))) return;
    await runLogged(state.tools.java, javaArgs(state, ['-Xmx256m'], 'kafka.tools.StorageTool', [
      'format', '-t', state.kafkaClusterId, '-c', paths.serverProperties,
    ]), { logPath: paths.log, env: process.env, description: 'Kafka storage format' });
  },

  command(state) {
    return {
      command: state.tools.java,
      args: javaArgs(state, ['-Xms256m', '-Xmx512m'], 'kafka.Kafka', [kafkaPaths(state).serverProperties]),
      env: process.env,
    };
  },

  async isReady(state) {
    const brokers = await fetchKafkaBrokers(state.ports.kafka);
    return brokers !== null && brokers.some((broker) => broker.port === state.ports.kafka);
  },
};

// ------------------------------------------------------------ SeaweedFS (S3)

function s3Paths(state) {
  const root = path.join(state.dir, 's3');
  return {
    root,
    data: path.join(root, 'data'),
    config: path.join(root, 's3.json'),
    log: path.join(root, 'weed.log'),
    filerSocket: path.join(root, 'filer.sock'),
    s3Socket: path.join(root, 's3.sock'),
  };
}

const S3_PORT_NAMES = ['s3', 's3Grpc', 'master', 'masterGrpc', 'volume', 'volumeGrpc', 'filer', 'filerGrpc'];
// weed's maintenance worker dials the admin gRPC port at the admin HTTP port
// plus 10000, whatever -admin.port.grpc is set to, so the two are reserved as a pair.
const S3_PORT_PAIRS = [['adminGrpc', 'admin', 10_000]];

function renderS3Config(state) {
  const identity = {
    name: 'fileflow',
    credentials: [{ accessKey: state.credentials.accessKey, secretKey: state.credentials.secretKey }],
    actions: ['Admin', 'Read', 'Write', 'List', 'Tagging'],
  };
  return `${JSON.stringify({ identities: [identity] }, null, 2)}\n`;
}

/**
 * Returns the `weed mini` flags. Every listener gets a port of its own because
 * the defaults are fixed numbers (9333, 9340, 8888, 8333, 23646 and their
 * +10000 gRPC twins) that a second stack would collide with. The admin server
 * listens even with -admin.ui=false, so its ports are moved too.
 */
function weedArgs(state) {
  const paths = s3Paths(state);
  const ports = state.ports;
  const args = [
    // glog writes log files to /tmp by default. Its stderr goes to the stack's log file instead.
    '-logtostderr=true',
    'mini',
    `-dir=${paths.data}`,
    `-ip=${HOST}`,
    `-ip.bind=${HOST}`,
    // By default weed reports usage statistics to a server on the internet.
    '-master.telemetry=false',
    `-master.port=${ports.master}`,
    `-master.port.grpc=${ports.masterGrpc}`,
    `-volume.port=${ports.volume}`,
    `-volume.port.grpc=${ports.volumeGrpc}`,
    `-filer.port=${ports.filer}`,
    `-filer.port.grpc=${ports.filerGrpc}`,
    `-s3.port=${ports.s3}`,
    `-s3.port.grpc=${ports.s3Grpc}`,
    '-s3.port.iceberg=0',
    '-s3.port.lance=0',
    `-s3.config=${paths.config}`,
    '-admin.ui=false',
    `-admin.port=${ports.admin}`,
    `-admin.port.grpc=${ports.adminGrpc}`,
    '-webdav=false',
  ];
  // The filer and S3 sockets default to /tmp/seaweedfs-*-PORT.sock, and weed
  // leaves the S3 one behind on exit, so keep them inside the stack folder.
  if (paths.s3Socket.length <= MAX_SOCKET_PATH_LENGTH) {
    args.push(`-filer.localSocket=${paths.filerSocket}`, `-s3.localSocket=${paths.s3Socket}`);
  }
  return args;
}

const s3 = {
  name: 's3',
  ports: S3_PORT_NAMES,
  portPairs: S3_PORT_PAIRS,
  stopSignal: 'SIGTERM',
  stopTimeoutMs: 15_000,
  logPath: (state) => s3Paths(state).log,

  async prepare(state) {
    const paths = s3Paths(state);
    fs.mkdirSync(paths.data, { recursive: true });
    fs.writeFileSync(paths.config, renderS3Config(state), { mode: 0o600 });
  },

  command(state) {
    return {
      command: state.tools.weed,
      args: weedArgs(state),
      // weed reads AWS_*, S3_* and WEED_* variables as settings (S3_BUCKET
      // creates a bucket, for one), and the caller's shell may well set them.
      env: environmentWithout(['AWS_', 'S3_', 'WEED_']),
    };
  },

  /**
   * Deletes the sockets weed 4.48 creates as /tmp/seaweedfs-NAME[-grpc]-PORT.sock.
   * weed removes most of them on a graceful stop, but none when it is killed.
   */
  afterStop(state) {
    const portNames = [...S3_PORT_NAMES, ...S3_PORT_PAIRS.flatMap(([name, baseName]) => [name, baseName])];
    const ports = new Set(portNames.map((name) => String(state.ports[name])));
    for (const entry of fs.readdirSync('/tmp')) {
      const match = /^seaweedfs-[a-z0-9]+(?:-grpc)?-(\d+)\.sock$/.exec(entry);
      if (match && ports.has(match[1])) fs.rmSync(path.join('/tmp', entry), { force: true });
    }
  },

  async isReady(state) {
    // Any HTTP status, usually 403 for this anonymous request, means the S3 gateway serves.
    return (await fetchHttpStatus(`http://${HOST}:${state.ports.s3}/`)) !== null;
  },
};

/** The service definitions by name, in the order their names appear in messages. */
export const SERVICES = { postgres, kafka, s3 };
export const SERVICE_NAMES = Object.keys(SERVICES);
