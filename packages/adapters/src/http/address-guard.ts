import ipaddr from 'ipaddr.js';

type IPAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** A parsed CIDR network: base address and prefix length. */
export type Network = [IPAddress, number];

/**
 * IPv4-compatible IPv6 addresses (::a.b.c.d, deprecated by RFC 4291). ipaddr.js 2.5 labels them
 * 'unicast', but a host with an IPv4 tunnel interface may route them to the embedded IPv4.
 */
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

/** The well-known NAT64 prefix (RFC 6052), the one form of 'rfc6052' with a fixed IPv4 offset. */
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');

/** Byte offset of the embedded IPv4 address in IPv6 ranges that carry one at a fixed place. */
const EMBEDDED_IPV4_OFFSET: Partial<Record<string, number>> = {
  ipv4Mapped: 12,
  rfc6145: 12,
  '6to4': 2,
};

/** Parses CIDR strings such as '127.0.0.0/8', and throws RangeError for an invalid one. */
export function parseNetworks(cidrs: readonly string[]): Network[] {
  return cidrs.map((cidr) => {
    if (!ipaddr.isValidCIDR(cidr)) {
      const message = `allowedPrivateNetworks entry "${cidr}" is not a CIDR network`;
      throw new RangeError(`${message} such as 10.0.0.0/8 or fd00::/8`);
    }
    return ipaddr.parseCIDR(cidr);
  });
}

/**
 * Returns why a download must not connect to the address, or null when it may. Only addresses
 * ipaddr.js labels 'unicast' pass, unless they are in one of the allowed networks. IPv6 forms
 * that embed an IPv4 address at a fixed place (IPv4-mapped, RFC 6145, NAT64 64:ff9b::/96, 6to4)
 * are judged by that IPv4 address. Teredo, local-use NAT64 (64:ff9b:1::/48) and
 * IPv4-compatible addresses are rejected whole.
 */
export function addressRejection(address: string, allowed: readonly Network[] = []): string | null {
  if (!ipaddr.isValid(address)) return `address ${address} is not a valid IP address`;
  const ip = ipaddr.parse(address);
  if (isAllowed(ip, allowed)) return null;

  const range = rangeOf(ip);
  const embedded = embeddedIPv4(ip, range);
  if (embedded) {
    const embeddedRange = rejectedRange(embedded, allowed);
    if (embeddedRange === null) return null;
    return `address ${ip} embeds IPv4 address ${embedded}, which is in the ${embeddedRange} range`;
  }
  return range === 'unicast' ? null : `address ${ip} is in the ${range} range`;
}

/** Decides which IP addresses a download may connect to. */
export class AddressGuard {
  private readonly allowed: Network[];

  /** Takes CIDR networks to allow despite their range, and throws RangeError for an invalid one. */
  constructor(allowedPrivateNetworks: readonly string[] = []) {
    this.allowed = parseNetworks(allowedPrivateNetworks);
  }

  /** Returns why the address is rejected, or null when a download may connect to it. */
  check(address: string): string | null {
    return addressRejection(address, this.allowed);
  }
}

function isAllowed(ip: IPAddress, allowed: readonly Network[]): boolean {
  return allowed.some(([base, bits]) => base.kind() === ip.kind() && ip.match(base, bits));
}

function rangeOf(ip: IPAddress): string {
  const range = ip.range();
  if (ip.kind() === 'ipv6' && range === 'unicast' && ip.match(IPV4_COMPATIBLE)) {
    return 'ipv4Compatible';
  }
  return range;
}

function embeddedIPv4(ip: IPAddress, range: string): ipaddr.IPv4 | null {
  if (ip.kind() !== 'ipv6') return null;
  const isNat64 = range === 'rfc6052' && ip.match(NAT64_WELL_KNOWN);
  const offset = isNat64 ? 12 : EMBEDDED_IPV4_OFFSET[range];
  if (offset === undefined) return null;
  return new ipaddr.IPv4(ip.toByteArray().slice(offset, offset + 4));
}

function rejectedRange(ip: ipaddr.IPv4, allowed: readonly Network[]): string | null {
  if (isAllowed(ip, allowed)) return null;
  const range = ip.range();
  return range === 'unicast' ? null : range;
}
