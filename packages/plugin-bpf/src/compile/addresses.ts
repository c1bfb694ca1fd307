import ipaddr from 'ipaddr.js';
import type { ConnectAddress } from './profile.js';

/** An address as the kernel compares it: 4 or 16 bytes; v4-mapped IPv6 addresses are IPv4. */
export interface AddressBytes {
  family: 4 | 6;
  bytes: Uint8Array;
}

/** Parses an IPv4 or IPv6 literal; `::ffff:a.b.c.d` becomes the IPv4 address it maps. */
export function addressBytes(text: string): AddressBytes | undefined {
  if (!ipaddr.isValid(text) || text.includes('%')) return undefined;
  if (!text.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
  let address = ipaddr.parse(text);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) address = (address as ipaddr.IPv6).toIPv4Address();
  return address.kind() === 'ipv4' ? { family: 4, bytes: Uint8Array.from(address.toByteArray()) } : { family: 6, bytes: Uint8Array.from(address.toByteArray()) };
}

export function formatAddress(address: AddressBytes): string {
  return ipaddr.fromByteArray([...address.bytes]).toString();
}

/** The network address of `bytes/prefixLength` (host bits cleared). */
export function networkBytes(bytes: Uint8Array, prefixLength: number): Uint8Array {
  return bytes.map((byte, index) => {
    const bits = Math.max(0, Math.min(8, prefixLength - index * 8));
    return byte & ((0xff << (8 - bits)) & 0xff);
  });
}

/** A literal IP as a connect address. */
export function ipAddress(text: string): ConnectAddress | undefined {
  const parsed = addressBytes(text);
  return parsed ? { kind: 'ip', ip: formatAddress(parsed), family: parsed.family } : undefined;
}

/** A CIDR as a connect address: canonical network address; a v4-mapped IPv6 CIDR becomes the IPv4 one. */
export function cidrAddress(text: string): ConnectAddress | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const parsed = addressBytes(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (!parsed || !/^\d{1,3}$/.test(lengthText)) return undefined;
  let prefixLength = Number(lengthText);
  const mapped = parsed.family === 4 && text.slice(0, slash).includes(':');
  if (mapped) {
    if (prefixLength < 96) return undefined;
    prefixLength -= 96;
  }
  if (prefixLength > (parsed.family === 4 ? 32 : 128)) return undefined;
  const network = formatAddress({ family: parsed.family, bytes: networkBytes(parsed.bytes, prefixLength) });
  return { kind: 'cidr', network, prefixLength, family: parsed.family };
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
