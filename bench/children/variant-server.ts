// A variant of the API's upload path for bench/experiments/accept-variants.ts, which measures
// what each part of POST /api/v1/upload costs and what the changes proposed in
// docs/benchmarks.md would gain. It builds apps/api's createApp with the real adapters and
// swaps single parts, chosen by VARIANT:
//   no-io              repository that stores nothing, no key check (as the API's bench route)
//   insert             DrizzleFileRepository and outbox relay, no key check
//   insert+auth        DrizzleFileRepository, relay and the API key check: the API's path
//   one-statement      files and outbox rows in one INSERT statement, no key check
//   one-statement+cached-auth   the above with key lookups cached for 10 s
// It needs DATABASE_URL (migrated), KAFKA_BROKERS and FILEFLOW_TOPIC (existing), listens on
// 127.0.0.1 and prints {"port": N} once it listens.
import {
  DrizzleApiKeyStore,
  DrizzleFileRepository,
  KafkaUploadQueue,
  Metrics,
  OutboxRelay,
  createDatabase,
  createKafka,
  createLogger,
  createPool,
  createProducer,
  topicNames,
  type StoredApiKey,
} from '@fileflow/adapters';
import {
  GetUpload,
  ListUploads,
  ReplayUpload,
  RequestUpload,
  type FileRepository,
  type FileUpload,
  type UploadDispatch,
} from '@fileflow/domain';
import { serve } from '@hono/node-server';
import type { MiddlewareHandler } from 'hono';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { createApp } from '../../apps/api/src/app.ts';
import { ApiKeyAuthenticator, type ApiKeyLookup } from '../../apps/api/src/auth/authenticator.ts';
import { requireApiKey } from '../../apps/api/src/auth/require-api-key.ts';
import { RequestUploadOnce } from '../../apps/api/src/idempotency/request-upload-once.ts';
import { fileParams, outboxParams, uploadInsertSql } from '../support/upload-sql.ts';

const VARIANTS = ['no-io', 'insert', 'insert+auth', 'one-statement', 'one-statement+cached-auth'];
const variant = process.env.VARIANT ?? '';
if (!VARIANTS.includes(variant)) throw new Error(`VARIANT must be one of ${VARIANTS.join(', ')}, not "${variant}"`);

const logger = createLogger('api', 'info');
// The API's pool size, from apps/api/src/container.ts.
const pool = createPool(process.env.DATABASE_URL ?? '', logger, 20);
const db = createDatabase(pool);
const producer = createProducer(createKafka('bench-variant', (process.env.KAFKA_BROKERS ?? '').split(','), logger));
await producer.connect();
const queue = new KafkaUploadQueue(producer, topicNames(process.env.FILEFLOW_TOPIC ?? ''));
const relaySettings = { batchSize: 200, pollIntervalMs: 500, maxBackoffMs: 30_000 };
const relay = new OutboxRelay(pool, queue, relaySettings, logger.child({ component: 'outbox-relay' }));
relay.start();

const notSupported = () => Promise.reject(new Error(`not supported by variant ${variant}`));
const unsupportedReads = {
  update: notSupported,
  extendLease: notSupported,
  findById: notSupported,
  list: notSupported,
  findExpiredLeases: notSupported,
  countByStatus: notSupported,
};

const noIoFiles: FileRepository = { ...unsupportedReads, add: async (upload: FileUpload) => upload.markStored() };

/** Builds the proposed single statement from the repository's files insert and outbox insert. */
function oneStatementSql(upload: FileUpload): string {
  const sql = uploadInsertSql(upload);
  const next = fileParams(upload).length;
  return (
    `with inserted as (${sql.files} returning id) ` +
    `insert into outbox (upload_id, queue, payload) select id, $${next + 1}, $${next + 2} from inserted`
  );
}

/**
 * Proposed change: the files row and its outbox row in one statement, which is atomic without
 * BEGIN and COMMIT, so a request makes one round trip to PostgreSQL instead of four.
 */
function oneStatementFiles(): FileRepository {
  let text: string | undefined;
  return {
    ...unsupportedReads,
    add: async (upload: FileUpload, dispatches: UploadDispatch[]) => {
      text ??= oneStatementSql(upload);
      const [, queueName, payload] = outboxParams(upload, dispatches[0]!);
      await pool.query(text, [...fileParams(upload), queueName, payload]);
      upload.markStored();
      relay.kick();
    },
  };
}

/** Proposed change: key lookups cached for `ttlMs`, so a revoked key works at most that long. */
function cachedLookup(store: ApiKeyLookup, ttlMs: number): ApiKeyLookup {
  const cache = new Map<string, { key: StoredApiKey | null; until: number }>();
  return {
    findByPublicId: async (publicId) => {
      const hit = cache.get(publicId);
      if (hit && hit.until > Date.now()) return hit.key;
      const key = await store.findByPublicId(publicId);
      cache.set(publicId, { key, until: Date.now() + ttlMs });
      return key;
    },
    touch: (id, now) => store.touch(id, now),
  };
}

const passThrough: MiddlewareHandler = async (_c, next) => next();
const limiter = new RateLimiterMemory({ points: 1_000_000_000, duration: 1 });
const keyStore = new DrizzleApiKeyStore(db);

const files: FileRepository = variant === 'no-io'
  ? noIoFiles
  : variant.startsWith('one-statement')
    ? oneStatementFiles()
    : new DrizzleFileRepository(db, () => relay.kick());
const auth = variant === 'insert+auth'
  ? requireApiKey(new ApiKeyAuthenticator(keyStore), limiter)
  : variant === 'one-statement+cached-auth'
    ? requireApiKey(new ApiKeyAuthenticator(cachedLookup(keyStore, 10_000)), limiter)
    : passThrough;

const clock = { now: () => new Date() };
const ids = { next: randomUUID };
const metrics = new Metrics('api');
const app = createApp({
  logger,
  metrics,
  readiness: [],
  auth,
  maxBodyBytes: 16 * 1024,
  requestUpload: new RequestUpload(files, ids, clock),
  requestUploadOnce: new RequestUploadOnce({ find: notSupported, addUpload: notSupported }, ids, clock),
  getUpload: new GetUpload(files, { put: notSupported, presignGet: notSupported }),
  listUploads: new ListUploads(files),
  replayUpload: new ReplayUpload(files, clock),
  onAccepted: () => metrics.uploadsAccepted.inc(),
});

serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
  console.log(JSON.stringify({ port: info.port })),
);
process.once('SIGTERM', () => process.exit(0));
