#!/usr/bin/env node
// Command-line front end for infra/local/stack.mjs. Run without arguments for usage.

import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { attachStack, installStack, startStack } from './stack.mjs';

const USAGE = `Usage:
  node infra/local/cli.mjs install
      Download Kafka and SeaweedFS into the cache (once) and check Java and PostgreSQL.
  node infra/local/cli.mjs exec [--dir DIR] [--keep] -- COMMAND [ARG...]
      Start a stack, run COMMAND with its environment, stop the stack and exit
      with COMMAND's exit code. Without --dir the stack lives in a new temp
      folder that is deleted afterwards, unless --keep is given. A --dir
      folder is always kept, and a later run reuses its data and ports.
  node infra/local/cli.mjs start --dir DIR
      Start a stack in DIR and leave it running after this command exits.
  node infra/local/cli.mjs stop --dir DIR [--remove]
      Stop the stack in DIR. --remove also deletes DIR.
  node infra/local/cli.mjs status --dir DIR
      Print each service's PID and resident memory.

COMMAND gets DATABASE_URL, KAFKA_BROKERS, S3_ENDPOINT, S3_ACCESS_KEY,
S3_SECRET_KEY, S3_REGION and FILEFLOW_STACK_DIR. DIR/stack.env holds the same
variables as KEY=VALUE lines.
`;

class UsageError extends Error {}

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function parseOptions(args, options) {
  try {
    return parseArgs({ args, options, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(error.message);
  }
}

function requireDir(values, command) {
  if (!values.dir) throw new UsageError(`${command} needs --dir DIR`);
  return path.resolve(values.dir);
}

/** Returns the conventional exit code of a child that ended with code or signal. */
function exitCodeOf(code, signal) {
  if (code !== null) return code;
  return 128 + (os.constants.signals[signal] ?? 0);
}

/** Starts the command with the stack's environment and resolves to its exit code. */
function runCommand(command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    const forward = (signal) => child.kill(signal);
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
    const finish = (exitCode) => {
      for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
      resolve(exitCode);
    };
    child.once('error', (error) => {
      process.stderr.write(`stack: cannot run ${command}: ${error.message}\n`);
      finish(error.code === 'ENOENT' ? 127 : 126);
    });
    child.once('exit', (code, signal) => finish(exitCodeOf(code, signal)));
  });
}

/**
 * Ignores signals while the stack starts, so that it can be stopped properly,
 * but lets a second signal end this process at once. The 'exit' handler of
 * stack.mjs then kills the services.
 */
function deferSignalsDuringStartup() {
  let received = null;
  const onSignal = (signal) => {
    if (received) process.exit(exitCodeOf(null, signal));
    received = signal;
    process.stderr.write(`stack: ${signal} received; stopping once the stack has started (send it again to quit at once)\n`);
  };
  for (const signal of FORWARDED_SIGNALS) process.on(signal, onSignal);
  return () => {
    for (const signal of FORWARDED_SIGNALS) process.off(signal, onSignal);
    return received;
  };
}

async function execCommand(args) {
  const separator = args.indexOf('--');
  if (separator === -1 || separator === args.length - 1) throw new UsageError('exec needs -- COMMAND [ARG...]');
  const values = parseOptions(args.slice(0, separator), {
    dir: { type: 'string' },
    keep: { type: 'boolean', default: false },
  });
  const [command, ...commandArgs] = args.slice(separator + 1);

  const endDeferral = deferSignalsDuringStartup();
  const stack = await startStack({ dir: values.dir, keep: values.keep || Boolean(values.dir) });
  const signalDuringStartup = endDeferral();
  let exitCode;
  if (signalDuringStartup) {
    exitCode = exitCodeOf(null, signalDuringStartup);
  } else {
    const env = { ...process.env, ...stack.env, FILEFLOW_STACK_DIR: stack.dir };
    exitCode = await runCommand(command, commandArgs, env);
  }
  // A signal during the stop would kill this process half-way, leaving services running.
  for (const signal of FORWARDED_SIGNALS) process.on(signal, () => {});
  await stack.stop();
  return exitCode;
}

async function startCommand(args) {
  const dir = requireDir(parseOptions(args, { dir: { type: 'string' } }), 'start');
  const stack = await startStack({ dir, keep: true, detached: true });
  process.stderr.write(`stack: running in ${stack.dir}; environment in ${path.join(stack.dir, 'stack.env')}\n`);
  for (const [key, value] of Object.entries(stack.env)) process.stdout.write(`${key}=${value}\n`);
  return 0;
}

async function stopCommand(args) {
  const values = parseOptions(args, { dir: { type: 'string' }, remove: { type: 'boolean', default: false } });
  await attachStack(requireDir(values, 'stop')).stop({ keep: !values.remove });
  return 0;
}

async function statusCommand(args) {
  const dir = requireDir(parseOptions(args, { dir: { type: 'string' } }), 'status');
  for (const [name, service] of Object.entries(attachStack(dir).status())) {
    const line = service.running
      ? `PID ${String(service.pid).padEnd(8)} RSS ${(service.rssKiB / 1024).toFixed(0)} MiB`
      : 'stopped';
    process.stdout.write(`${name.padEnd(9)} ${line}\n`);
  }
  return 0;
}

const COMMANDS = {
  install: async () => {
    await installStack();
    return 0;
  },
  exec: execCommand,
  start: startCommand,
  stop: stopCommand,
  status: statusCommand,
};

async function main(argv) {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command "${name}"`);
  return command(args);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`stack: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`stack: ${error.message}\n`);
    process.exitCode = 1;
  }
}
