// socket(2) arguments as the kernel numbers them (include/linux/socket.h, net.h, in.h), with vArmor's names.

/** Address families by vArmor's domain name (AF_DECnet, 12, has no name there). */
export const SOCKET_DOMAIN_NUMBERS: Readonly<Record<string, number>> = Object.freeze({
  unix: 1,
  inet: 2,
  ax25: 3,
  ipx: 4,
  appletalk: 5,
  netrom: 6,
  bridge: 7,
  atmpvc: 8,
  x25: 9,
  inet6: 10,
  rose: 11,
  netbeui: 13,
  security: 14,
  key: 15,
  netlink: 16,
  packet: 17,
  ash: 18,
  econet: 19,
  atmsvc: 20,
  rds: 21,
  sna: 22,
  irda: 23,
  pppox: 24,
  wanpipe: 25,
  llc: 26,
  ib: 27,
  mpls: 28,
  can: 29,
  tipc: 30,
  bluetooth: 31,
  iucv: 32,
  rxrpc: 33,
  isdn: 34,
  phonet: 35,
  ieee802154: 36,
  caif: 37,
  alg: 38,
  nfc: 39,
  vsock: 40,
  kcm: 41,
  qipcrtr: 42,
  smc: 43,
  xdp: 44,
  mctp: 45,
});

/** AF_MAX on Linux 6.1: families are 0..45. */
export const ADDRESS_FAMILY_MAX = 46;
export const AF_INET = 2;
export const AF_INET6 = 10;

export const SOCKET_TYPE_NUMBERS: Readonly<Record<string, number>> = Object.freeze({
  stream: 1,
  dgram: 2,
  raw: 3,
  rdm: 4,
  seqpacket: 5,
  dccp: 6,
  packet: 10,
});
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
/** Socket types are 0..15 (SOCK_TYPE_MASK). */
export const SOCKET_TYPE_COUNT = 16;

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMPV6 = 58;
/** Multipath TCP: a TCP connection by another protocol number, so TCP rules cover it. */
export const IPPROTO_MPTCP = 262;

/** Protocol names → the protocol numbers they stand for (`icmp` covers ICMP and ICMPv6, as in vArmor). */
export const SOCKET_PROTOCOL_NUMBERS: Readonly<Record<string, readonly number[]>> = Object.freeze({
  icmp: [IPPROTO_ICMP, IPPROTO_ICMPV6],
  tcp: [IPPROTO_TCP],
  udp: [IPPROTO_UDP],
});

/**
 * The protocol a socket() call gets: protocol 0 on an IPv4/IPv6 socket means the type's default, TCP for streams and
 * UDP for datagrams (closes vArmor's Q6: `socket(AF_INET, SOCK_STREAM, 0)` is a TCP socket); MPTCP counts as TCP.
 */
export function effectiveProtocol(domain: number, type: number, protocol: number): number {
  const inet = domain === AF_INET || domain === AF_INET6;
  if (inet && protocol === IPPROTO_MPTCP) return IPPROTO_TCP;
  if (!inet || protocol !== 0) return protocol;
  if (type === SOCK_STREAM) return IPPROTO_TCP;
  if (type === SOCK_DGRAM) return IPPROTO_UDP;
  return 0;
}

const maskOf = (numbers: Iterable<number>) => [...numbers].reduce((mask, n) => mask | (1n << BigInt(n)), 0n);

/** `all` in each list: every family the kernel has (0..AF_MAX-1), every named type and protocol. */
export const ALL_DOMAINS = (1n << BigInt(ADDRESS_FAMILY_MAX)) - 1n;
export const ALL_TYPES = maskOf(Object.values(SOCKET_TYPE_NUMBERS));
export const ALL_PROTOCOLS = maskOf(Object.values(SOCKET_PROTOCOL_NUMBERS).flat());

function namesToMask(names: readonly string[], table: Readonly<Record<string, number | readonly number[]>>, all: bigint): bigint | string {
  let mask = 0n;
  for (const name of names) {
    if (name === 'all' || name === '*') {
      mask |= all;
      continue;
    }
    const value = table[name];
    if (value === undefined) return name;
    mask |= maskOf(typeof value === 'number' ? [value] : value);
  }
  return mask;
}

/** The mask of domain names, or the first unknown name. */
export const domainMask = (names: readonly string[]) => namesToMask(names, SOCKET_DOMAIN_NUMBERS, ALL_DOMAINS);
export const typeMask = (names: readonly string[]) => namesToMask(names, SOCKET_TYPE_NUMBERS, ALL_TYPES);
export const protocolMask = (names: readonly string[]) => namesToMask(names, SOCKET_PROTOCOL_NUMBERS, ALL_PROTOCOLS);

const invert = (table: Readonly<Record<string, number>>) => new Map(Object.entries(table).map(([k, v]) => [v, k] as const));
const domainNames = invert(SOCKET_DOMAIN_NUMBERS);
const typeNames = invert(SOCKET_TYPE_NUMBERS);

/** `AF_INET`, `SOCK_STREAM`, `IPPROTO_TCP` for audit events (vArmor's spelling), the number when unnamed. */
export function domainLabel(domain: number): string {
  const name = domainNames.get(domain);
  return name ? `AF_${name.toUpperCase()}` : String(domain);
}
export function typeLabel(type: number): string {
  const name = typeNames.get(type);
  return name ? `SOCK_${name.toUpperCase()}` : String(type);
}
export function protocolLabel(protocol: number): string {
  const names: Record<number, string> = { 0: 'IPPROTO_IP', 1: 'IPPROTO_ICMP', 6: 'IPPROTO_TCP', 17: 'IPPROTO_UDP', 58: 'IPPROTO_ICMPV6', 255: 'IPPROTO_RAW', 262: 'IPPROTO_MPTCP' };
  return names[protocol] ?? String(protocol);
}
