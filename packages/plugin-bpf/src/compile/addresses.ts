import { familyNetwork, formatIp, ipv4Bytes, maskBytes, parseCidr, parseIp } from '@armorkit/core/address';
import type { ConnectAddress } from './profile.js';

/** An address as the kernel compares it: 4 or 16 bytes; v4-mapped IPv6 addresses are IPv4 (Go's To4, as vArmor). */
export interface AddressBytes {
  family: 4 | 6;
  bytes: Uint8Array;
}

/**
 * Parses an address as Go's net.ParseIP; `::ffff:a.b.c.d` becomes the IPv4 address it maps, while the
 * IPv4-compatible `::a.b.c.d` and every other IPv6 address stays IPv6.
 */
export function addressBytes(text: string): AddressBytes | undefined {
  const parsed = parseIp(text);
  if ('problem' in parsed) return undefined;
  const v4 = ipv4Bytes(parsed.bytes);
  return v4 ? { family: 4, bytes: v4 } : { family: 6, bytes: parsed.bytes };
}

export function formatAddress(address: AddressBytes): string {
  return formatIp(address.bytes);
}

/** The network address of `bytes/prefixLength` (host bits cleared). */
export const networkBytes = maskBytes;

/** A literal IP as a connect address. */
export function ipAddress(text: string): ConnectAddress | undefined {
  const parsed = addressBytes(text);
  return parsed ? { kind: 'ip', ip: formatAddress(parsed), family: parsed.family } : undefined;
}

/**
 * A CIDR as a connect address, as vArmor makes it (`net.ParseCIDR`, then `ipNet.IP.To4()` for the family): the
 * network number; a v4-mapped CIDR whose network is still v4-mapped (prefix ≥ 96) is the IPv4 network of its last
 * 32 bits, any other stays IPv6.
 */
export function cidrAddress(text: string): ConnectAddress | undefined {
  const parsed = parseCidr(text);
  if ('problem' in parsed) return undefined;
  const network = familyNetwork(parsed);
  return { kind: 'cidr', network: formatIp(network.bytes), prefixLength: network.prefixLength, family: network.family };
}

/** Whether an address (IPv4 or IPv6 bytes) is in the rule's address. `podAddresses` are the pod's own. */
export function matchAddress(rule: ConnectAddress, address: AddressBytes, podAddresses: readonly AddressBytes[] = []): boolean {
  const equal = (a: AddressBytes, b: AddressBytes) => a.family === b.family && a.bytes.every((byte, i) => byte === b.bytes[i]);
  switch (rule.kind) {
    case 'any':
      return true;
    case 'ip': {
      const ruleBytes = addressBytes(rule.ip);
      return ruleBytes !== undefined && equal(ruleBytes, address);
    }
    case 'cidr': {
      const network = addressBytes(rule.network);
      return network !== undefined && network.family === address.family && equal(network, { family: address.family, bytes: networkBytes(address.bytes, rule.prefixLength) });
    }
    case 'pod-self':
      return podAddresses.some((pod) => equal(pod, address));
    case 'unspecified':
      return address.bytes.every((byte) => byte === 0);
  }
}
