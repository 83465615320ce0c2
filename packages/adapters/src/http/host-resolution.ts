import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { UploadFailure } from '@fileflow/domain';
import type { AddressGuard } from './address-guard.ts';
import { blockedAddress, lookupFailure } from './source-failures.ts';

/** Resolves a hostname to all of its addresses. */
export type HostLookup = (hostname: string) => Promise<LookupAddress[]>;

/** Resolves through getaddrinfo, as Node's own clients do, keeping the resolver's order. */
export const systemLookup: HostLookup = (hostname) =>
  lookup(hostname, { all: true, verbatim: true });

/** Returns the URL's hostname without the brackets WHATWG URL keeps around IPv6 literals. */
export function bareHostname(url: URL): string {
  const { hostname } = url;
  return hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
}

/**
 * Resolves the URL's host and checks every address with the guard. A literal IP is checked
 * as it is. Raises SOURCE_BLOCKED when any address is rejected, even if others would pass, so
 * a name cannot mix a public address with an internal one.
 */
export async function resolveCheckedAddresses(
  url: URL,
  resolve: HostLookup,
  guard: AddressGuard,
): Promise<LookupAddress[]> {
  const hostname = bareHostname(url);
  const family = isIP(hostname);
  const addresses =
    family === 0 ? await resolveName(hostname, resolve) : [{ address: hostname, family }];

  for (const { address } of addresses) {
    const reason = guard.check(address);
    if (reason !== null) throw blockedAddress(hostname, reason);
  }
  return addresses;
}

async function resolveName(hostname: string, resolve: HostLookup): Promise<LookupAddress[]> {
  let addresses: LookupAddress[];
  try {
    addresses = await resolve(hostname);
  } catch (error) {
    throw lookupFailure(error, hostname);
  }
  if (addresses.length === 0) {
    const message = `DNS lookup of ${hostname} returned no addresses`;
    throw new UploadFailure('SOURCE_UNREACHABLE', message);
  }
  return addresses;
}
