import type { LookupAddress } from 'node:dns';
import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { AddressGuard } from './address-guard.ts';
import type { Connector } from './connector.ts';
import type { Limits } from './download-limits.ts';
import { bareHostname } from './host-resolution.ts';
import { blockedAddress, closedOnConnect, requestFailure, timedOut } from './source-failures.ts';
import type { TransferControl } from './transfer-control.ts';

/** Request headers. Identity encoding, because the stored bytes must be the bytes served. */
const REQUEST_HEADERS = {
  'User-Agent': 'FileFlow/0.1',
  'Accept-Encoding': 'identity',
  Accept: '*/*',
  Connection: 'close',
};

/** Inputs of one request. */
export interface RequestPlan {
  url: URL;
  addresses: readonly LookupAddress[];
  connect: Connector;
  guard: AddressGuard;
  limits: Limits;
  /** Stops the connect timer the caller started before DNS resolution. */
  stopConnectTimer: () => void;
}

/** A response whose headers have arrived, with the request that produced it. */
export interface Exchange {
  request: ClientRequest;
  response: IncomingMessage;
}

/**
 * Sends a GET over a socket the connector opens to a checked address, and resolves when the
 * response headers arrive. Raises UploadFailure.
 */
export function sendRequest(plan: RequestPlan, control: TransferControl): Promise<Exchange> {
  const { url } = plan;
  let stopHeadersTimer = (): void => {};

  return new Promise<Exchange>((resolve, reject) => {
    // http.request serves https too: the connector opens the TLS socket, and with
    // createConnection set Node uses no agent, so each download gets its own socket.
    const request = http.request({
      method: 'GET',
      path: `${url.pathname}${url.search}`,
      headers: { Host: url.host, ...REQUEST_HEADERS },
      createConnection: () =>
        openSocket(plan, control, () => {
          plan.stopConnectTimer();
          stopHeadersTimer = startHeadersTimer(plan, control);
        }),
    });
    control.attach(request);
    request.once('error', (error) => {
      stopHeadersTimer();
      reject(control.failure ?? requestFailure(error, url));
    });
    request.once('response', (response) => {
      stopHeadersTimer();
      resolve({ request, response });
    });
    request.end();
  });
}

function openSocket(plan: RequestPlan, control: TransferControl, onConnect: () => void): Socket {
  const socket = plan.connect({
    hostname: bareHostname(plan.url),
    port: Number(plan.url.port || (plan.url.protocol === 'https:' ? 443 : 80)),
    tls: plan.url.protocol === 'https:',
    addresses: plan.addresses,
  });
  // Checks the address actually connected to, in case a connector ignored the checked list.
  // This listener runs before the request bytes are written, but after a TLS socket has sent
  // its ClientHello, which carries no data of the download.
  socket.once('connect', () => {
    const address = socket.remoteAddress;
    // No address means the peer already reset the connection, so nothing can be sent anyway.
    if (address === undefined) return control.fail(closedOnConnect(plan.url));
    const reason = plan.guard.check(address);
    if (reason !== null) control.fail(blockedAddress(bareHostname(plan.url), reason));
    else onConnect();
  });
  return socket;
}

function startHeadersTimer(plan: RequestPlan, control: TransferControl): () => void {
  const operation = `waiting for response headers from ${plan.url.host}`;
  const { limits } = plan;
  return control.startTimer(limits.values.headersTimeoutMs, () =>
    timedOut(operation, limits, 'headersTimeoutMs'),
  );
}
