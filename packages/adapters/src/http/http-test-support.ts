import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import http from 'node:http';
import net from 'node:net';
import { UploadFailure, type FailureCode } from '@fileflow/domain';
import { connectToCheckedAddress, type ConnectTarget, type Connector } from './connector.ts';
import type { HostLookup } from './host-resolution.ts';

/** Server on 127.0.0.1 started by a test, with the connections and requests it received. */
export interface TestServer {
  port: number;
  /** Request heads received, in order, as raw text. */
  requests: string[];
  /** Number of TCP connections accepted. */
  connections: number;
  url(path?: string): string;
  close(): Promise<void>;
}

/** Handler of a raw server: gets the socket once the request head has arrived. */
export type RawHandler = (socket: net.Socket, head: string) => void;

/**
 * Starts a TCP server on 127.0.0.1 that hands each socket to the handler after the request
 * head, so a test can write any bytes, stall or reset the connection.
 */
export async function startRawServer(handler: RawHandler): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  const state = { requests: [] as string[], connections: 0 };
  const server = net.createServer((socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    readHead(socket, (head) => {
      state.requests.push(head);
      handler(socket, head);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return describeServer(server, sockets, state);
}

/** Starts an HTTP server on 127.0.0.1. `requests` contains each request line and headers. */
export async function startHttpServer(
  respond: (request: http.IncomingMessage, response: http.ServerResponse) => void,
): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  const state = { requests: [] as string[], connections: 0 };
  const server = http.createServer((request, response) => {
    state.requests.push(formatHead(request));
    respond(request, response);
  });
  server.on('connection', (socket: net.Socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return describeServer(server, sockets, state);
}

/** Returns a port on 127.0.0.1 where nothing listens, by starting and closing a server. */
export async function closedPort(): Promise<number> {
  const server = await startRawServer(() => {});
  await server.close();
  return server.port;
}

/** A lookup that records each hostname and returns addresses from a fixed table. */
export function recordingLookup(table: Record<string, string[]>): HostLookup & { calls: string[] } {
  const calls: string[] = [];
  const lookup = async (hostname: string): Promise<LookupAddress[]> => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (!addresses) {
      throw Object.assign(new Error(`test lookup: ${hostname} unknown`), { code: 'ENOTFOUND' });
    }
    return addresses.map((address) => ({ address, family: net.isIP(address) }));
  };
  return Object.assign(lookup, { calls });
}

/**
 * Builds a connector that records each target. Targets whose addresses are all 127.0.0.1 go to
 * the delegate, and any other target fails without opening a socket.
 */
export function recordingConnector(
  delegate: Connector = connectToCheckedAddress,
): Connector & { targets: ConnectTarget[] } {
  const targets: ConnectTarget[] = [];
  const connect = (target: ConnectTarget): net.Socket => {
    targets.push(target);
    if (target.addresses.every(({ address }) => address === '127.0.0.1')) return delegate(target);
    throw new Error(`test connector: no socket opened to ${target.hostname}`);
  };
  return Object.assign(connect, { targets });
}

/** Reads a body to the end. */
export async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Awaits the promise, asserts it rejects with an UploadFailure of the code, and returns it. */
export async function expectFailure(
  promise: Promise<unknown>,
  code: FailureCode,
): Promise<UploadFailure> {
  const error = await promise.then(
    () => assert.fail(`expected ${code}, but the promise resolved`),
    (rejection: unknown) => rejection,
  );
  assert.ok(error instanceof UploadFailure, `expected UploadFailure, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  return error;
}

/** Runs the function and returns its result with the milliseconds it took. */
export async function timed<T>(run: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await run();
  return { result, ms: performance.now() - started };
}

function readHead(socket: net.Socket, onHead: (head: string) => void): void {
  let head = '';
  const onData = (chunk: Buffer): void => {
    head += chunk.toString('latin1');
    if (!head.includes('\r\n\r\n')) return;
    socket.off('data', onData);
    socket.pause();
    onHead(head);
  };
  socket.on('data', onData);
}

function formatHead(request: http.IncomingMessage): string {
  const lines = [`${request.method} ${request.url} HTTP/${request.httpVersion}`];
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    lines.push(`${request.rawHeaders[index]}: ${request.rawHeaders[index + 1]}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function describeServer(
  server: net.Server,
  sockets: Set<net.Socket>,
  state: { requests: string[]; connections: number },
): TestServer {
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    get requests() {
      return state.requests;
    },
    get connections() {
      return state.connections;
    },
    url: (path = '/') => `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
