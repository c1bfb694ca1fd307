import { familyNetwork, formatCidr, ipv4Bytes, parseCidr, parseIp } from '@armorkit/core/address';

/** An address as the L4 index keys it: IPv4 as a 32-bit number, IPv6 as a 128-bit bigint. */
export type AddressKey = { family: 4; key: number } | { family: 6; key: bigint };

/** A network as an interval of keys: [start, end) in its family. */
export type NetworkRange = { family: 4; start: number; end: number } | { family: 6; start: bigint; end: bigint };

function bytesToBigint(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function bytesToNumber(bytes: Uint8Array): number {
  return (((bytes[0] ?? 0) << 24) >>> 0) + ((bytes[1] ?? 0) << 16) + ((bytes[2] ?? 0) << 8) + (bytes[3] ?? 0);
}

/** Dotted-quad text → key, without allocating; undefined unless it is exactly four decimal fields 0..255. */
export function fastIpv4(text: string): number | undefined {
  let value = 0;
  let field = 0;
  let digits = 0;
  let fields = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 46) {
      if (digits === 0 || fields === 3) return undefined;
      value = value * 256 + field;
      field = 0;
      digits = 0;
      fields++;
    } else if (code >= 48 && code <= 57) {
      if (digits > 0 && field === 0) return undefined;
      field = field * 10 + code - 48;
      if (++digits > 3 || field > 255) return undefined;
    } else {
      return undefined;
    }
  }
  if (digits === 0 || fields !== 3) return undefined;
  return value * 256 + field;
}

/**
 * The key of a destination address. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is the IPv4 address: a dual-stack
 * socket sends IPv4 packets to it, so IPv4 rules are the ones that apply.
 */
export function addressKey(text: string): AddressKey | undefined {
  const fast = fastIpv4(text);
  if (fast !== undefined) return { family: 4, key: fast };
  const parsed = parseIp(text);
  if ('problem' in parsed) return undefined;
  const v4 = ipv4Bytes(parsed.bytes);
  return v4 ? { family: 4, key: bytesToNumber(v4) } : { family: 6, key: bytesToBigint(parsed.bytes) };
}

/**
 * A network's key interval. A v4-mapped network of prefix 96 or more is the IPv4 network of its last 32 bits, as Go's
 * ParseCIDR (and so vArmor) reads it; any other IPv6 network matches IPv6 destinations only.
 */
export function networkRange(text: string): NetworkRange | undefined {
  const parsed = parseCidr(text);
  if ('problem' in parsed) return undefined;
  const network = familyNetwork(parsed);
  if (network.family === 4) {
    const start = bytesToNumber(network.bytes);
    return { family: 4, start, end: start + 2 ** (32 - network.prefixLength) };
  }
  const start = bytesToBigint(network.bytes);
  return { family: 6, start, end: start + (1n << BigInt(128 - network.prefixLength)) };
}

/** `text` (an IP or a CIDR) as the table writes a network: `address/length`, host bits cleared (Go's IPNet.String). */
export function normalizeNetwork(text: string): string | undefined {
  const parsed = parseCidr(text.includes('/') ? text : `${text}/${text.includes(':') ? 128 : 32}`);
  return 'problem' in parsed ? undefined : formatCidr(parsed);
}
