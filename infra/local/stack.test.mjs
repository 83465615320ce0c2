// Self-test of the local stack: starts real services on loopback, checks that
// each one responds, restarts PostgreSQL and stops everything.
// Run with: node --test infra/local/stack.test.mjs

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { attachStack, installStack, startStack } from './stack.mjs';

const execFileAsync = promisify(execFile);

/** Reports whether a process with this PID exists and is not a zombie. */
function isAlive(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

/** Returns the PIDs of the direct children of parentPid. */
function childPids(parentPid) {
  const children = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === parentPid) children.push(Number(entry));
    } catch {
      // The process exited during the scan.
    }
  }
  return children;
}

async function runSql(psql, databaseUrl, sql) {
  const env = { ...process.env, PGCONNECT_TIMEOUT: '3' };
  const { stdout } = await execFileAsync(psql, ['-X', '-q', '-A', '-t', databaseUrl, '-c', sql], { env });
  return stdout.trim();
}

function connectTcp(hostAndPort) {
  const [host, port] = hostAndPort.split(':');
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port: Number(port) }, () => {
      socket.end();
      resolve();
    });
    socket.once('error', reject);
  });
}

describe('local stack', { timeout: 180_000 }, () => {
  let stack;
  let psql;
  let stopped = false;

  before(async () => {
    ({ psql } = await installStack());
    stack = await startStack();
  });

  after(async () => {
    if (stack && !stopped) await stack.stop();
  });

  test('env names every service', () => {
    assert.match(stack.env.DATABASE_URL, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/fileflow$/);
    assert.match(stack.env.KAFKA_BROKERS, /^127\.0\.0\.1:\d+$/);
    assert.match(stack.env.S3_ENDPOINT, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(stack.env.S3_ACCESS_KEY.length >= 16);
    assert.ok(stack.env.S3_SECRET_KEY.length >= 32);
    assert.equal(stack.env.S3_REGION, 'us-east-1');
  });

  test('stack.env matches env', () => {
    const text = fs.readFileSync(`${stack.dir}/stack.env`, 'utf8');
    const fileEnv = Object.fromEntries(text.trim().split('\n').map((line) => line.split(/=(.*)/s).slice(0, 2)));
    assert.deepEqual(fileEnv, { ...stack.env, FILEFLOW_STACK_DIR: stack.dir });
  });

  test('postgres runs select 1', async () => {
    assert.equal(await runSql(psql, stack.env.DATABASE_URL, 'select 1'), '1');
  });

  test('kafka accepts a TCP connection', async () => {
    await connectTcp(stack.env.KAFKA_BROKERS);
  });

  test('s3 responds to HTTP', async () => {
    const response = await fetch(`${stack.env.S3_ENDPOINT}/`);
    // An anonymous request is rejected, which still proves the gateway serves.
    assert.equal(response.status, 403);
  });

  test('attachStack sees the same stack', () => {
    const attached = attachStack(stack.dir);
    assert.deepEqual(attached.env, stack.env);
    assert.deepEqual(attached.pids(), stack.pids());
  });

  test('postgres restart keeps port and data', async () => {
    await runSql(psql, stack.env.DATABASE_URL, "create table restart_check (note text); insert into restart_check values ('kept')");
    const oldPid = stack.pids().postgres;

    await stack.stopService('postgres');
    assert.equal(isAlive(oldPid), false);
    assert.equal(stack.status().postgres.running, false);
    await assert.rejects(runSql(psql, stack.env.DATABASE_URL, 'select 1'));

    await stack.startService('postgres');
    assert.notEqual(stack.pids().postgres, oldPid);
    assert.deepEqual(attachStack(stack.dir).env, stack.env);
    assert.equal(await runSql(psql, stack.env.DATABASE_URL, 'select note from restart_check'), 'kept');
  });

  test('stop ends every process and removes the folder', async () => {
    const servicePids = Object.values(stack.pids());
    assert.equal(servicePids.length, 3);
    for (const pid of servicePids) assert.equal(isAlive(pid), true, `PID ${pid} should run before stop()`);
    // PostgreSQL runs one process per backend and background worker.
    const pids = [...servicePids, ...servicePids.flatMap(childPids)];
    assert.ok(pids.length > 3, 'postgres should have child processes');

    await stack.stop();
    stopped = true;

    for (const pid of pids) assert.equal(isAlive(pid), false, `PID ${pid} still runs after stop()`);
    assert.equal(fs.existsSync(stack.dir), false);
  });
});
