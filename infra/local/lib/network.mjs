// Loopback port reservation and the readiness probes for the three services.

import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

const HOST = '127.0.0.1';
const LOWEST_PORT = 20_000;
const FALLBACK_HIGHEST_PORT = 32_767;

/**
 * Returns the first port of Linux's ephemeral range. Ports are picked below it
 * because the kernel hands ephemeral ports to outgoing connections, which could
 * take a service's port while that service is stopped for a fault test.
 */
function readEphemeralRangeStart() {
  try {
    const text = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
    return Number(text.trim().split(/\s+/)[0]);
  } catch {
    return 32_768;
  }
}

/** Resolves to true when nothing listens on HOST:port, checked by binding it. */
export function isPortFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: HOST, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

function ownerIsGone(reservationPath) {
  let owner;
  try {
    owner = fs.readFileSync(reservationPath, 'utf8').trim();
  } catch {
    return false;
  }
  return owner !== '' && !fs.existsSync(owner);
}

/**
 * Claims port for stackDir by creating registryDir/PORT exclusively, so two
 * stacks that start at the same moment never pick the same port. A claim whose
 * stack folder no longer exists is stale and is taken over.
 */
function claimPort(registryDir, port, stackDir) {
  const reservationPath = path.join(registryDir, String(port));
  try {
    fs.writeFileSync(reservationPath, `${stackDir}\n`, { flag: 'wx' });
    return true;
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
  }
  if (!ownerIsGone(reservationPath)) return false;
  fs.rmSync(reservationPath, { force: true });
  try {
    fs.writeFileSync(reservationPath, `${stackDir}\n`, { flag: 'wx' });
    return true;
  } catch (error) {
    // Another stack took over the same stale claim first.
    if (error.code === 'EEXIST') return false;
    throw error;
  }
}

function randomPort(lowest, highest) {
  return lowest + Math.floor(Math.random() * (highest - lowest + 1));
}

/** Claims every port in candidates if all are free, or claims none and returns false. */
async function claimFreePorts(candidates, options) {
  const claimed = [];
  for (const port of candidates) {
    if (!claimPort(options.registryDir, port, options.stackDir)) {
      releasePorts(claimed, options);
      return false;
    }
    claimed.push(port);
    if (!(await isPortFree(port))) {
      releasePorts(claimed, options);
      return false;
    }
  }
  return true;
}

/**
 * Reserves free loopback ports and returns them as { name: port }: one random
 * port for each name in names, and for each [name, baseName, offset] in
 * offsetPairs a port baseName's port plus offset, claimed together with it.
 * Ports lie in [20000, start of the ephemeral range), or in [20000, 32767]
 * where the ephemeral range starts below 32768.
 */
export async function reservePorts(names, { registryDir, stackDir, offsetPairs = [] }) {
  fs.mkdirSync(registryDir, { recursive: true });
  const options = { registryDir, stackDir };
  const highestPort = Math.max(readEphemeralRangeStart() - 1, FALLBACK_HIGHEST_PORT);
  const requests = [
    ...names.map((name) => ({ names: [name], offsets: [0] })),
    ...offsetPairs.map(([name, baseName, offset]) => ({ names: [baseName, name], offsets: [0, offset] })),
  ];
  const ports = {};
  for (const request of requests) {
    const highestBase = highestPort - Math.max(...request.offsets);
    let attempt = 0;
    for (;;) {
      attempt += 1;
      if (attempt > 100) {
        throw new Error(`no free loopback port for ${request.names.join(' and ')} found in ${LOWEST_PORT}-${highestPort} after 100 attempts`);
      }
      const base = randomPort(LOWEST_PORT, highestBase);
      const candidates = request.offsets.map((offset) => base + offset);
      if (await claimFreePorts(candidates, options)) {
        request.names.forEach((name, index) => { ports[name] = candidates[index]; });
        break;
      }
    }
  }
  return ports;
}

/** Deletes the claims that stackDir holds on ports. */
export function releasePorts(ports, { registryDir, stackDir }) {
  for (const port of ports) {
    const reservationPath = path.join(registryDir, String(port));
    try {
      if (fs.readFileSync(reservationPath, 'utf8').trim() === stackDir) fs.rmSync(reservationPath);
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
  }
}

/** Resolves to the HTTP status of GET url, or null when no HTTP response arrives. */
export function fetchHttpStatus(url, timeoutMs = 2_000) {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(null));
  });
}

// Kafka wire protocol constants for the Metadata request (API key 3). Version 4
// predates the compact "flexible" encoding of versions 9 and up, so plain
// fixed-width fields suffice, and Kafka 4.4.0 still serves it.
const METADATA_API_KEY = 3;
const METADATA_VERSION = 4;
const CLIENT_ID = 'fileflow-stack-probe';

function encodeMetadataRequest(correlationId) {
  const clientId = Buffer.from(CLIENT_ID, 'utf8');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4 + 1);
  let offset = 0;
  offset = body.writeInt16BE(METADATA_API_KEY, offset);
  offset = body.writeInt16BE(METADATA_VERSION, offset);
  offset = body.writeInt32BE(correlationId, offset);
  offset = body.writeInt16BE(clientId.length, offset);
  offset += clientId.copy(body, offset);
  // An empty topic array (not null, which means all topics) and no auto-creation.
  offset = body.writeInt32BE(0, offset);
  body.writeInt8(0, offset);
  const sizePrefix = Buffer.alloc(4);
  sizePrefix.writeInt32BE(body.length);
  return Buffer.concat([sizePrefix, body]);
}

/** Parses the broker list of a Metadata v4 response body (after the size prefix). */
function decodeMetadataBrokers(body) {
  let offset = 4 + 4; // correlation id, throttle_time_ms
  const brokerCount = body.readInt32BE(offset);
  offset += 4;
  const brokers = [];
  for (let i = 0; i < brokerCount; i += 1) {
    const nodeId = body.readInt32BE(offset);
    const hostLength = body.readInt16BE(offset + 4);
    const host = body.toString('utf8', offset + 6, offset + 6 + hostLength);
    offset += 6 + hostLength;
    const port = body.readInt32BE(offset);
    const rackLength = body.readInt16BE(offset + 4);
    offset += 6 + Math.max(rackLength, 0);
    brokers.push({ nodeId, host, port });
  }
  return brokers;
}

/**
 * Sends a Kafka Metadata request to HOST:port and resolves to the brokers the
 * cluster lists, or to null when the request fails. A KRaft cluster leaves a
 * broker out of this list until the controller has registered and unfenced it,
 * which is later than the port opening and is when clients can create topics.
 */
export function fetchKafkaBrokers(port, timeoutMs = 2_000) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: HOST });
    let received = Buffer.alloc(0);
    const finish = (result) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => finish(null));
    socket.once('error', () => finish(null));
    socket.once('close', () => finish(null));
    socket.once('connect', () => socket.write(encodeMetadataRequest(1)));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4 || received.length < 4 + received.readInt32BE(0)) return;
      try {
        finish(decodeMetadataBrokers(received.subarray(4)));
      } catch {
        finish(null);
      }
    });
  });
}
