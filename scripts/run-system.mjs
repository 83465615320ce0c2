// Runs the three apps against the stack in the environment (as set by infra/local/cli.mjs
// exec), serves the sample photo on loopback, prints a first upload to try, and stops the
// apps on Ctrl-C or SIGTERM.
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const apiPort = Number(process.env.PORT ?? 3000);
const samplesPort = Number(process.env.FILEFLOW_SAMPLES_PORT ?? 3001);
const samplePhoto = fileURLToPath(new URL('../tests/e2e/fixtures/landscape.jpg', import.meta.url));

const env = {
  ...process.env,
  PORT: String(apiPort),
  // The development key is printed in the terminal, so the apps listen on loopback only.
  HOST: process.env.HOST ?? '127.0.0.1',
  FILEFLOW_HEALTH_HOST: process.env.FILEFLOW_HEALTH_HOST ?? '127.0.0.1',
  // Local runs fetch from this machine, which the download guard blocks by default.
  FILEFLOW_ALLOW_PRIVATE_NETWORKS: process.env.FILEFLOW_ALLOW_PRIVATE_NETWORKS ?? '127.0.0.0/8,::1/128',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
};

const children = [];

function startApp(name, extraEnv = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', `apps/${name}/src/main.ts`], {
    cwd: root,
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (code ${code}, signal ${signal}); stopping the others`);
      stop(1);
    }
  });
  children.push(child);
  return child;
}

async function waitForApi() {
  for (let i = 0; i < 600; i += 1) {
    try {
      const response = await fetch(`http://127.0.0.1:${apiPort}/healthz`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the API did not respond on port ${apiPort} within 60 s: read its log lines above`);
}

/**
 * Returns the development key, creating it on an empty database. The key is kept in the
 * stack folder, readable by its owner only, so later runs on the same stack print it again.
 */
function developmentKey() {
  const keyFile = path.join(process.env.FILEFLOW_STACK_DIR ?? '.stack/dev', 'development.key');
  if (existsSync(keyFile)) return readFileSync(keyFile, 'utf8').trim();
  const name = `development-${new Date().toISOString().replace(/[^0-9]/g, '').slice(0, 14)}`;
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', 'apps/api/src/keys-cli.ts', 'create', '--name', name, '--buckets', '*'],
    { cwd: root, env, encoding: 'utf8' },
  );
  const key = /ffk_\S+/.exec(output)?.[0];
  if (!key) throw new Error(`could not create a development key: ${output}`);
  writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
  return key;
}

function serveSamples() {
  const server = http.createServer((req, res) => {
    if (req.url !== '/landscape.jpg') return res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': 'image/jpeg' });
    createReadStream(samplePhoto).pipe(res);
  });
  server.listen(samplesPort, '127.0.0.1');
  return server;
}

let stopping = false;
let samples;

function stop(code) {
  if (stopping) return;
  stopping = true;
  samples?.close();
  for (const child of children) child.kill('SIGTERM');
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r))))).then(
    () => process.exit(code),
  );
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

startApp('api');
await waitForApi();
startApp('consumer', { FILEFLOW_HEALTH_PORT: process.env.FILEFLOW_CONSUMER_HEALTH_PORT ?? '9464' });
startApp('retry-consumer', { FILEFLOW_HEALTH_PORT: process.env.FILEFLOW_RETRY_HEALTH_PORT ?? '9465' });
samples = serveSamples();
const key = developmentKey();

console.log(`
FileFlow is running.
  API:            http://127.0.0.1:${apiPort}/api/v1   (docs: /api/v1/docs)
  Sample photo:   http://127.0.0.1:${samplesPort}/landscape.jpg

Development API key (all buckets): ${key}

Try a first upload:
  export FILEFLOW_KEY=${key}
  curl -s -X POST http://127.0.0.1:${apiPort}/api/v1/upload \\
    -H "Authorization: Bearer $FILEFLOW_KEY" \\
    -H 'content-type: application/json' \\
    -d '{"file_url":"http://127.0.0.1:${samplesPort}/landscape.jpg","bucket_name":"photos","object_name":"landscape.jpg"}'
then read its status from the status_url it returns:
  curl -s -H "Authorization: Bearer $FILEFLOW_KEY" http://127.0.0.1:${apiPort}/api/v1/files/<id>
Manage keys with: npm run keys -- create|list|revoke
Press Ctrl-C to stop.
`);
