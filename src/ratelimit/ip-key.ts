import ipaddr from 'ipaddr.js';

/**
 * The rate-limit key of a client address. An IPv4 address counts on its own (an IPv4-mapped IPv6 address as that
 * IPv4 address); an IPv6 address counts by its /64, the block one subscriber or host is given: anyone can pick
 * from 2^64 addresses of their own /64, so per-address counting would not limit them at all.
 */
export function ipKey(ip: string): string {
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.parse(ip);
  } catch {
    return ip;
  }
  if (address.kind() === 'ipv4') return address.toString();
  const v6 = address as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  return `${v6.parts.slice(0, 4).map((p) => p.toString(16)).join(':')}::/64`;
}
