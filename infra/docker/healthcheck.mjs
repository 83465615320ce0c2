// Docker HEALTHCHECK probe for the FileFlow images, since the slim Node image has no curl.
// Usage: node healthcheck.mjs PORT_VARIABLE DEFAULT_PORT
// Reads the port from the environment variable the app itself reads (PORT for the API,
// FILEFLOW_HEALTH_PORT for the consumers), so the probe follows a port set at run time.
// Exits 0 when GET /healthz on 127.0.0.1 returns a 2xx status within 3 s, and 1 otherwise.

const TIMEOUT_MS = 3_000;

const [portVariable, defaultPort] = process.argv.slice(2);
if (!portVariable || !defaultPort) {
  console.error('usage: node healthcheck.mjs PORT_VARIABLE DEFAULT_PORT');
  process.exit(1);
}

const port = process.env[portVariable] || defaultPort;
const url = `http://127.0.0.1:${port}/healthz`;

try {
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!response.ok) {
    console.error(`healthcheck: GET ${url} returned ${response.status}`);
    process.exit(1);
  }
} catch (error) {
  console.error(`healthcheck: GET ${url} failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
