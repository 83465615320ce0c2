import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Answer of one request: a status and body, or a function that writes the response itself. */
export type Reply =
  | { status: number; body?: Buffer | string; headers?: Record<string, string> }
  | ((req: http.IncomingMessage, res: http.ServerResponse) => void);

/** A file server on 127.0.0.1 whose routes answer from scripts, one reply per request. */
export class ScriptedFileServer {
  private readonly server = http.createServer((req, res) => this.answer(req, res));
  private readonly routes = new Map<string, Reply[]>();
  private readonly prefixes = new Map<string, Reply>();
  /** Requests seen per path. */
  readonly hits = new Map<string, number>();
  /** Times of the requests seen per path, in ms since the epoch. */
  readonly hitTimes = new Map<string, number[]>();

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return this;
  }

  /** URL of `path` on this server. */
  url(path: string): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}${path}`;
  }

  /** Serves `replies` in order on `path`; the last reply repeats. */
  route(path: string, ...replies: Reply[]): string {
    this.routes.set(path, replies);
    return this.url(path);
  }

  /** Serves `reply` on every path that starts with `prefix` and has no route of its own. */
  routePrefix(prefix: string, reply: Reply): void {
    this.prefixes.set(prefix, reply);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const count = (this.hits.get(path) ?? 0) + 1;
    this.hits.set(path, count);
    this.hitTimes.set(path, [...(this.hitTimes.get(path) ?? []), Date.now()]);
    const replies = this.routes.get(path);
    const prefix = [...this.prefixes.keys()].find((p) => path.startsWith(p));
    const reply = replies?.[Math.min(count, replies.length) - 1] ?? (prefix ? this.prefixes.get(prefix) : undefined);
    if (!reply) {
      res.writeHead(404).end('not found');
    } else if (typeof reply === 'function') {
      reply(req, res);
    } else {
      res.writeHead(reply.status, reply.headers).end(reply.body ?? '');
    }
  }
}
