import { type AddressProblem, type IpAddress, formatIp, ipv4Bytes, parseIp } from './ip-address.js';

/**
 * A CIDR as Go's `net.ParseCIDR` reads it (src/net/ip.go): the address is netip.ParseAddr's without a zone, the prefix
 * length is read by dtoi (decimal digits only, leading zeros allowed: "/08" is 8) and bounded by the address's BitLen,
 * so a v4-mapped `::ffff:a.b.c.d` takes 0..128 and the mask is applied to all 16 bytes.
 */
export interface IpNetwork {
  /** The address as written, before masking. */
  address: IpAddress;
  prefixLength: number;
  /** The network number: the address's 16 bytes with the host bits (of `bitLength - prefixLength`) cleared. */
  network: Uint8Array;
}

/** The network as Go's IPNet.String and vArmor's family test (`ipNet.IP.To4() != nil`) see it. */
export interface FamilyNetwork {
  family: 4 | 6;
  /** 4 or 16 bytes. */
  bytes: Uint8Array;
  prefixLength: number;
}

export function parseCidr(text: string): IpNetwork | AddressProblem {
  const slash = text.indexOf('/');
  if (slash < 0) return { problem: 'a CIDR needs a /prefix-length (e.g. 10.0.0.0/8)' };
  const addressText = text.slice(0, slash);
  const lengthText = text.slice(slash + 1);
  const address = parseIp(addressText);
  if ('problem' in address) return { problem: `${JSON.stringify(addressText)} is not an IP address: ${address.problem}` };
  if (!/^[0-9]+$/.test(lengthText)) return { problem: `prefix length ${JSON.stringify(lengthText)} is not a decimal number` };
  // Number() of a digit string is exact below 2^53, and anything that large is out of range either way.
  const prefixLength = Number(lengthText);
  if (prefixLength > address.bitLength) {
    const mapped = address.bitLength === 128 && ipv4Bytes(address.bytes) ? ' (a v4-mapped address takes an IPv6 prefix length)' : '';
    return { problem: `prefix length ${lengthText} is larger than ${address.bitLength}${mapped}` };
  }
  const hostBitsFrom = prefixLength + (address.bitLength === 32 ? 96 : 0);
  return { address, prefixLength, network: maskBytes(address.bytes, hostBitsFrom) };
}

/** `bytes` with every bit from `prefixLength` on cleared. */
export function maskBytes(bytes: Uint8Array, prefixLength: number): Uint8Array {
  return bytes.map((byte, index) => {
    const kept = Math.max(0, Math.min(8, prefixLength - index * 8));
    return byte & ((0xff << (8 - kept)) & 0xff);
  });
}

/**
 * Go's networkNumberAndMask: a network number that is still v4-mapped after masking (only possible with a prefix of
 * 96 or more) is the IPv4 network of the last 32 bits; any other is IPv6 — so `::ffff:1.2.3.4/120` is 1.2.3.0/24 and
 * `::ffff:1.2.3.4/80` is ::/80.
 */
export function familyNetwork(network: IpNetwork): FamilyNetwork {
  const v4 = ipv4Bytes(network.network);
  if (!v4) return { family: 6, bytes: network.network, prefixLength: network.prefixLength };
  const prefixLength = network.address.bitLength === 32 ? network.prefixLength : network.prefixLength - 96;
  return { family: 4, bytes: v4, prefixLength };
}

/** Go's IPNet.String of ParseCIDR's network, e.g. `192.168.1.0/24` for 192.168.1.1/24. */
export function formatCidr(network: IpNetwork): string {
  const family = familyNetwork(network);
  return `${formatIp(family.bytes)}/${family.prefixLength}`;
}
