// The ceiling of the consumer: downloads generated files with node:http and stores each with
// the minio client's putObject, CONCURRENCY at a time, with no API, Kafka or database in
// between. Like the consumer it computes each file's SHA-256 while the bytes pass.
// Usage: plain-copy.ts FILE_SERVER_URL BUCKET PREFIX COUNT SIZE CONCURRENCY WARMUP_COUNT PART_SIZE
// Prints {"files", "bytes", "seconds", "cpu", "peakRssBytes", "sha256"} as its last line,
// where cpu gives the cores used by this script and the processes in FILEFLOW_BENCH_METERED,
// and sha256 maps each object key to the hash of the bytes downloaded.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'minio';
import { childMeter } from '../support/cpu-usage.ts';

const args = process.argv.slice(2);
if (args.length !== 8) {
  throw new Error(
    'usage: plain-copy.ts FILE_SERVER_URL BUCKET PREFIX COUNT SIZE CONCURRENCY WARMUP_COUNT PART_SIZE',
  );
}
const [serverUrl, bucket, prefix, countArg, sizeArg, concurrencyArg, warmupArg, partSizeArg] = args as [
  string, string, string, string, string, string, string, string,
];

/** Size of the warm-up files, in bytes. */
const WARMUP_SIZE = 64 * 1024;

const endpoint = new URL(process.env.S3_ENDPOINT ?? '');
const client = new Client({
  endPoint: endpoint.hostname,
  port: Number(endpoint.port),
  useSSL: endpoint.protocol === 'https:',
  accessKey: process.env.S3_ACCESS_KEY ?? '',
  secretKey: process.env.S3_SECRET_KEY ?? '',
  region: process.env.S3_REGION ?? 'us-east-1',
  pathStyle: true,
  // The consumer's part size, so both send the same number of requests to S3.
  partSize: Number(partSizeArg),
});

interface Job {
  url: string;
  key: string;
}

function jobs(jobPrefix: string, count: number, size: number): Job[] {
  return Array.from({ length: count }, (_, index) => {
    const key = `${jobPrefix}/${index}.bin`;
    return { url: `${serverUrl}/files/${size}/${key}`, key };
  });
}

async function download(url: string): Promise<http.IncomingMessage> {
  const request = http.get(url);
  const [response] = (await once(request, 'response')) as [http.IncomingMessage];
  if (response.statusCode !== 200) {
    response.resume();
    throw new Error(`GET ${url} returned ${response.statusCode}`);
  }
  return response;
}

/** Downloads one file into the bucket and returns the SHA-256 of the bytes that passed. */
async function copy(job: Job): Promise<string> {
  const response = await download(job.url);
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const size = Number(response.headers['content-length']);
  const contentType = response.headers['content-type'] ?? 'application/octet-stream';
  await Promise.all([
    pipeline(response, hashing),
    client.putObject(bucket, job.key, hashing, size, { 'Content-Type': contentType }),
  ]);
  return hash.digest('hex');
}

/** Copies every job, `concurrency` at a time, and returns each key's SHA-256. */
async function copyAll(list: Job[], concurrency: number): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < list.length; index = next++) {
      const job = list[index]!;
      hashes.set(job.key, await copy(job));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return hashes;
}

async function peakRssBytes(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
}

const count = Number(countArg);
const size = Number(sizeArg);
const concurrency = Number(concurrencyArg);

if (!(await client.bucketExists(bucket))) await client.makeBucket(bucket);
await copyAll(jobs(`${prefix}-warmup`, Number(warmupArg), WARMUP_SIZE), concurrency);

const meter = childMeter('plain script');
await meter.start();
const started = performance.now();
const hashes = await copyAll(jobs(prefix, count, size), concurrency);
const seconds = (performance.now() - started) / 1_000;
const cpu = await meter.stop();

console.log(
  JSON.stringify({
    files: count,
    bytes: count * size,
    seconds,
    cpu,
    peakRssBytes: await peakRssBytes(),
    sha256: Object.fromEntries(hashes),
  }),
);
