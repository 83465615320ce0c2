import type { LookupAddress, LookupOptions } from 'node:dns';
import net from 'node:net';
import tls from 'node:tls';

/** Destination of one request's socket. Every address in it has passed the address guard. */
export interface ConnectTarget {
  /** Hostname from the URL without IPv6 brackets, which TLS verifies the certificate against. */
  hostname: string;
  port: number;
  tls: boolean;
  addresses: readonly LookupAddress[];
}

/** Opens the socket for one request. It may throw or emit 'error' to fail the request. */
export type Connector = (target: ConnectTarget) => net.Socket;

/**
 * Opens a TCP or TLS socket to one of the target's addresses and to no other. Node tries the
 * addresses in order and falls back between IPv6 and IPv4 (autoSelectFamily, on by default
 * since Node 20).
 */
export const connectToCheckedAddress: Connector = (target) => {
  const options = {
    host: target.hostname,
    port: target.port,
    // net calls this function instead of DNS, so no second lookup can return another address
    // and the socket reaches only an address the guard checked.
    lookup: fixedLookup(target.addresses),
  };
  if (!target.tls) return net.connect(options);
  // tls sets the SNI server name from `host` unless it is an IP literal (RFC 6066 forbids that).
  return tls.connect({ ...options, ALPNProtocols: ['http/1.1'] });
};

/** Builds a net lookup function that returns the given addresses and never queries DNS. */
export function fixedLookup(addresses: readonly LookupAddress[]): net.LookupFunction {
  return (hostname, options: LookupOptions, callback) => {
    const family = options.family === 4 || options.family === 6 ? options.family : 0;
    const matching = addresses.filter((entry) => family === 0 || entry.family === family);
    const first = matching[0];
    if (first === undefined) {
      const error = Object.assign(new Error(`no checked IPv${family} address for ${hostname}`), {
        code: 'ENOTFOUND',
      });
      callback(error, '');
      return;
    }
    if (options.all === true) callback(null, matching.map((entry) => ({ ...entry })));
    else callback(null, first.address, first.family);
  };
}
