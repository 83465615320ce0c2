import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { benchApiKey } from './api-key.ts';
import { AppProcess, type AppName } from './app-process.ts';
import { waitForGroup } from './consumer-group.ts';
import { stackProcesses, type MeteredProcesses } from './cpu-usage.ts';
import { createDatabase, type StackEnv } from './stack.ts';

/** Parts of FileFlow to start for one scenario. */
export interface SystemOptions {
  /** Name of the scenario's database; the topic name is derived from it. */
  name: string;
  /** Consumer instances, 0 for the API alone. */
  consumers: number;
  /** Partitions of the topics the apps create. */
  partitions: number;
  /** Apps to start with a V8 CPU profile, written under `dir` when they exit. */
  profile?: { apps: AppName[]; dir: string };
}

/**
 * Per-key request rate limit of the API, so high that it never applies: a benchmark of 64
 * connections on one key would otherwise measure the limiter.
 */
const NO_RATE_LIMIT = '1000000000';

/**
 * FileFlow's apps as child processes on the local stack, on a database and topic of their own:
 * the API, `consumers` consumer instances in one consumer group and, with any consumer, the
 * retry-consumer.
 */
export class BenchSystem {
  readonly consumers: AppProcess[] = [];
  private readonly others: AppProcess[] = [];
  api!: AppProcess;
  apiKey: string | undefined;
  private stackProcesses: MeteredProcesses = {};

  private constructor(
    readonly options: SystemOptions,
    readonly stack: StackEnv,
    readonly databaseUrl: string,
    readonly topic: string,
    /** Pool of the benchmark's own queries, such as polling for completions. */
    readonly pool: pg.Pool,
  ) {}

  /** Creates the database, starts the apps and waits until the consumers share the topic. */
  static async start(stack: StackEnv, options: SystemOptions): Promise<BenchSystem> {
    const databaseUrl = await createDatabase(stack, options.name);
    const topic = `${options.name}_${randomBytes(3).toString('hex')}`;
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    const system = new BenchSystem(options, stack, databaseUrl, topic, pool);
    try {
      system.stackProcesses = await stackProcesses(stack);
      await system.startApps();
    } catch (error) {
      await system.stop();
      throw error;
    }
    return system;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.api.port}`;
  }

  /** Consumer group of the consumer instances. */
  get groupId(): string {
    return `${this.topic}-consumer`;
  }

  /**
   * Processes whose CPU time a run reports: the apps, the stack's services, this process (the
   * load generator and poller) and `extra`.
   */
  processes(extra: MeteredProcesses = {}): MeteredProcesses {
    const apps = [this.api, ...this.consumers, ...this.others].map((app) => [app.instance, { pid: app.pid }]);
    return { ...Object.fromEntries(apps), ...this.stackProcesses, harness: { pid: process.pid }, ...extra };
  }

  /** Raises an error naming every app that is no longer running. */
  assertRunning(): void {
    const stopped = [this.api, ...this.consumers, ...this.others].filter((app) => app && !app.running);
    if (stopped.length === 0) return;
    const details = stopped.map((app) => `${app.instance}:\n${app.lastLines()}`).join('\n');
    throw new Error(`apps stopped during the benchmark: ${details}`);
  }

  /** Waits until the relay has published every outbox row, so no earlier work overlaps a run. */
  async waitForOutboxDrained(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let unsent = 0;
    while (Date.now() < deadline) {
      const { rows } = await this.pool.query<{ n: number }>(
        'select count(*)::int as n from outbox where sent_at is null',
      );
      unsent = rows[0]?.n ?? 0;
      if (unsent === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`the outbox still had ${unsent} unsent rows after ${timeoutMs} ms`);
  }

  /** Stops the consumers before the API and waits for each app to exit, which writes its CPU profile. */
  async stop(): Promise<void> {
    const apps = [this.api, ...this.consumers, ...this.others].filter(Boolean).reverse();
    for (const app of apps) await app.stop();
    await this.pool.end();
  }

  private async startApps(): Promise<void> {
    // The API migrates the new database first, so the consumers do not wait on its lock.
    this.api = await this.startApp('api', 'api');
    this.apiKey = await benchApiKey(this.databaseUrl);
    if (this.options.consumers === 0) return;

    const starting = Array.from({ length: this.options.consumers }, (_, index) =>
      this.startApp('consumer', `consumer-${index + 1}`),
    );
    this.consumers.push(...(await Promise.all(starting)));
    this.others.push(await this.startApp('retry-consumer', 'retry-consumer'));
    const brokers = this.stack.KAFKA_BROKERS.split(',');
    const expected = { members: this.options.consumers, partitions: this.options.partitions };
    await waitForGroup(brokers, this.groupId, this.topic, expected);
  }

  private startApp(app: AppName, instance: string): Promise<AppProcess> {
    const profile = this.options.profile;
    return AppProcess.start({
      app,
      instance,
      env: this.envFor(app),
      ...(profile?.apps.includes(app) ? { cpuProfileDir: profile.dir } : {}),
    });
  }

  private envFor(app: AppName): Record<string, string> {
    const { FILEFLOW_STACK_DIR: _dir, ...services } = this.stack;
    return {
      PATH: process.env.PATH ?? '',
      ...services,
      DATABASE_URL: this.databaseUrl,
      FILEFLOW_TOPIC: this.topic,
      FILEFLOW_TOPIC_PARTITIONS: String(this.options.partitions),
      FILEFLOW_CONSUMER_GROUP: `${this.topic}-${app}`,
      FILEFLOW_ALLOW_PRIVATE_NETWORKS: '127.0.0.0/8,::1/128',
      FILEFLOW_HEALTH_PORT: '0',
      FILEFLOW_RATE_LIMIT_REQUESTS: NO_RATE_LIMIT,
      // Asks the API for its I/O-free route POST /api/v1/bench/upload, where it has one.
      FILEFLOW_BENCH_ROUTES: '1',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    };
  }
}
