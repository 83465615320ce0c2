import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { DrizzleApiKeyStore, createDatabase } from '@fileflow/adapters';
import { createDatabaseBeside } from '@fileflow/db';
import pg from 'pg';
import { registerApiKey } from './api-client.ts';
import { stackEnv } from './stack-env.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The three apps. */
export type AppName = 'api' | 'consumer' | 'retry-consumer';
export const APP_NAMES: AppName[] = ['api', 'consumer', 'retry-consumer'];

/** One line of an app's JSON log, with the app that wrote it. */
export interface LogLine {
  app: AppName;
  raw: string;
  json: Record<string, unknown> | null;
}

interface Running {
  child: ChildProcess;
  port: number;
}

/**
 * The three apps started as child processes against the test stack, on their own topics,
 * consumer groups and database, so systems do not see each other's messages. A database of
 * its own matters because an outbox relay publishes every unsent row of its database to its
 * own topic: two systems on one database would take each other's uploads.
 */
export class TestSystem {
  readonly logs: LogLine[] = [];
  readonly topic = `upload_file_topic_${randomBytes(4).toString('hex')}`;
  /** URL of this system's database, which `start` creates. */
  readonly databaseUrl: string;
  private databaseCreated = false;
  private readonly running = new Map<AppName, Running>();
  private key: string | undefined;
  apiUrl = '';

  constructor(private readonly overrides: Partial<Record<AppName | 'all', Record<string, string>>> = {}) {
    const url = new URL(stackEnv().DATABASE_URL);
    url.pathname = `/e2e_${this.topic.slice(-8)}`;
    this.databaseUrl = url.toString();
  }

  /** Environment of one app. */
  envFor(app: AppName): Record<string, string> {
    return {
      ...(process.env as Record<string, string>),
      ...stackEnv(),
      DATABASE_URL: this.databaseUrl,
      FILEFLOW_TOPIC: this.topic,
      FILEFLOW_CONSUMER_GROUP: `${this.topic}-${app}`,
      FILEFLOW_ALLOW_PRIVATE_NETWORKS: '127.0.0.0/8,::1/128',
      FILEFLOW_RETRY_BASE_DELAY_MS: '300',
      FILEFLOW_RETRY_MAX_DELAY_MS: '5000',
      FILEFLOW_OUTBOX_POLL_MS: '100',
      FILEFLOW_HEALTH_PORT: '0',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      // Bursts of uploads from one key would otherwise meet the per-key rate limit.
      FILEFLOW_RATE_LIMIT_REQUESTS: '1000000',
      ...this.overrides.all,
      ...this.overrides[app],
    };
  }

  async start(apps: AppName[] = APP_NAMES): Promise<void> {
    await this.createDatabase();
    // The API migrates first, so the consumers do not wait on its lock.
    for (const app of apps) await this.startApp(app);
  }

  /** Starts one app and waits until it listens. */
  async startApp(app: AppName): Promise<number> {
    await this.createDatabase();
    const firstLine = this.logs.length;
    const child = spawn(process.execPath, ['--import', 'tsx', `apps/${app}/src/main.ts`], {
      cwd: ROOT,
      env: this.envFor(app),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const port = await this.capture(app, child);
    this.running.set(app, { child, port });
    if (app === 'api') {
      this.apiUrl = `http://127.0.0.1:${port}`;
      registerApiKey(this.apiUrl, await this.apiKey());
    }
    if (app !== 'api') await this.waitForLine(app, 'consumer started', 60_000, () => true, firstLine);
    return port;
  }

  /** Creates this system's empty database once; the apps migrate it when they start. */
  private async createDatabase(): Promise<void> {
    if (this.databaseCreated) return;
    await createDatabaseBeside(stackEnv().DATABASE_URL, new URL(this.databaseUrl).pathname.slice(1));
    this.databaseCreated = true;
  }

  /** Creates this system's API key once, allowed every bucket; later calls return it. */
  async apiKey(): Promise<string> {
    if (this.key) return this.key;
    const pool = new pg.Pool({ connectionString: this.databaseUrl, max: 1 });
    try {
      const { token } = await new DrizzleApiKeyStore(createDatabase(pool)).create(`e2e-${this.topic}`, ['*']);
      this.key = token;
      return token;
    } finally {
      await pool.end();
    }
  }

  /** Health port of a consumer app or the API port. */
  port(app: AppName): number {
    return this.running.get(app)?.port ?? 0;
  }

  /** Sends `signal` to an app and waits for it to exit; returns its exit code. */
  async signal(app: AppName, signal: NodeJS.Signals): Promise<number | null> {
    const running = this.running.get(app);
    if (!running || running.child.exitCode !== null) return running?.child.exitCode ?? null;
    const exited = once(running.child, 'exit');
    running.child.kill(signal);
    const [code] = (await exited) as [number | null];
    this.running.delete(app);
    return code;
  }

  /** Stops every app and keeps their log lines in test-artifacts/logs for later reading. */
  async stop(): Promise<void> {
    await Promise.all([...this.running.keys()].map((app) => this.signal(app, 'SIGTERM')));
    const folder = new URL('../../../../test-artifacts/logs/', import.meta.url);
    await mkdir(folder, { recursive: true });
    const text = this.logs.map((line) => `${line.app} ${line.raw}`).join('\n');
    await writeFile(new URL(`${this.topic}.log`, folder), `${text}\n`);
  }

  /** Waits until an app logged a line whose `msg` is `message` and that matches `where`. */
  async waitForLine(
    app: AppName,
    message: string,
    timeoutMs = 30_000,
    where: (json: Record<string, unknown>) => boolean = () => true,
    fromLine = 0,
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const line = this.logs
        .slice(fromLine)
        .find((l) => l.app === app && l.json?.msg === message && where(l.json));
      if (line?.json) return line.json;
      const running = this.running.get(app);
      if (running && running.child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const tail = this.logs.filter((l) => l.app === app).slice(-20).map((l) => l.raw).join('\n');
    throw new Error(`${app} did not log "${message}" within ${timeoutMs} ms; last lines:\n${tail}`);
  }

  /** True while the app's process runs. */
  isRunning(app: AppName): boolean {
    return this.running.has(app);
  }

  private capture(app: AppName, child: ChildProcess): Promise<number> {
    const lines = createInterface({ input: child.stdout! });
    const errors = createInterface({ input: child.stderr! });
    errors.on('line', (raw) => this.logs.push({ app, raw, json: null }));
    return new Promise((resolve, reject) => {
      lines.on('line', (raw) => {
        const json = parseJson(raw);
        this.logs.push({ app, raw, json });
        const listening = json?.msg === 'api listening' || json?.msg === 'health server listening';
        if (listening) resolve(Number(json.port));
      });
      child.once('exit', (code) => {
        const tail = this.logs.filter((l) => l.app === app).slice(-20).map((l) => l.raw).join('\n');
        reject(new Error(`${app} exited with code ${code} before listening:\n${tail}`));
      });
    });
  }
}

function parseJson(raw: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(raw) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
