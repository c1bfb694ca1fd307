/**
 * IP address literals read exactly as Go's `net.ParseIP` reads them, because vArmor (written in Go) decides with it
 * which policies are valid and what an address means. The rules follow Go's source, not a guess:
 * `src/net/ip.go` (ParseIP = netip.ParseAddr without a zone, To4, IP.String) and `src/net/netip/netip.go`
 * (parseIPv4Fields, parseIPv6) as of golang/go d7a0c456 (Go 1.23+), where an IPv4 field may not have a leading zero
 * (since Go 1.17) and an IPv6 group may not have more than 4 hex digits.
 */

/** An address as Go holds it after ParseIP: 16 bytes (IPv4 in the v4-mapped form) and netip's BitLen of the text. */
export interface IpAddress {
  bytes: Uint8Array;
  /** 32 for a dotted quad, 128 for any IPv6 text (a v4-mapped one too): what Go's ParseCIDR bounds the prefix by. */
  bitLength: 32 | 128;
}

/** Why a text is not an address, in words a policy author can act on. */
export interface AddressProblem {
  problem: string;
}

const IPV4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** Go's IP.To4: the 4 bytes of an IPv4 address, a v4-mapped one included; undefined for every other IPv6 address. */
export function ipv4Bytes(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.length === 4) return bytes;
  if (bytes.length !== 16 || IPV4_MAPPED_PREFIX.some((byte, index) => bytes[index] !== byte)) return undefined;
  return bytes.slice(12);
}

/** Parses `text` as Go's net.ParseIP does; a zone (`%eth0`) is refused, as ParseIP refuses it. */
export function parseIp(text: string): IpAddress | AddressProblem {
  for (const character of text) {
    if (character === '.') return parseIpv4(text);
    if (character === ':') return parseIpv6(text);
    if (character === '%') return { problem: 'a zone (%...) needs an IPv6 address before it, and Go\'s net.ParseIP refuses zones anyway' };
  }
  return { problem: 'it has neither the dots of an IPv4 address nor the colons of an IPv6 one' };
}

function parseIpv4(text: string): IpAddress | AddressProblem {
  const fields = ipv4Fields(text);
  if ('problem' in fields) return fields;
  return { bytes: Uint8Array.from([...IPV4_MAPPED_PREFIX, ...fields]), bitLength: 32 };
}

/** Four decimal fields 0..255, each "0" or without a leading zero (Go refuses `010`, which C's inet_aton reads as octal). */
function ipv4Fields(text: string): number[] | AddressProblem {
  const parts = text.split('.');
  if (parts.includes('')) return { problem: `an IPv4 field of ${JSON.stringify(text)} is empty` };
  if (parts.length !== 4) return { problem: `an IPv4 address has 4 fields; ${JSON.stringify(text)} has ${parts.length}` };
  const fields: number[] = [];
  for (const part of parts) {
    if (!/^[0-9]+$/.test(part)) return { problem: `the IPv4 field ${JSON.stringify(part)} is not a decimal number (no hex, no signs, no spaces)` };
    if (part.length > 1 && part.startsWith('0')) return { problem: `the IPv4 field ${JSON.stringify(part)} has a leading zero, which Go's net.ParseIP refuses` };
    const value = Number(part);
    if (value > 255) return { problem: `the IPv4 field ${part} is above 255` };
    fields.push(value);
  }
  return fields;
}

/** RFC 4291 text: hex groups of 1..4 digits, at most one `::` standing for at least one zero group, an IPv4 tail. */
function parseIpv6(text: string): IpAddress | AddressProblem {
  if (text.includes('%')) return { problem: 'it has a zone (%...); Go\'s net.ParseIP refuses zones' };
  const halves = text.split('::');
  if (halves.length > 2) return { problem: 'it has more than one "::"' };
  const head = groups(halves[0] ?? '');
  if ('problem' in head) return head;
  const compressed = halves.length === 2;
  const tail = compressed ? groups(halves[1] ?? '') : { words: [], ipv4: undefined };
  if ('problem' in tail) return tail;
  if (head.ipv4 && compressed) return { problem: 'an embedded IPv4 address must end the address' };
  const ipv4 = compressed ? tail.ipv4 : head.ipv4;
  const words = [...head.words, ...tail.words].length + (ipv4 ? 2 : 0);
  if (compressed ? words > 7 : words !== 8) {
    return { problem: compressed ? 'with "::" it must have at most 7 groups, since "::" stands for at least one' : `it has ${words} groups of 16 bits; an IPv6 address has 8` };
  }
  const bytes = new Uint8Array(16);
  const write = (list: readonly number[], at: number) => list.forEach((word, index) => bytes.set([word >> 8, word & 0xff], at + 2 * index));
  write(head.words, 0);
  const tailBytes = 2 * tail.words.length + (ipv4 ? 4 : 0);
  write(tail.words, 16 - tailBytes);
  if (ipv4) bytes.set(ipv4, 12);
  return { bytes, bitLength: 128 };
}

/** The groups of one side of `::` (empty text: none); the last one may be an embedded IPv4 address. */
function groups(text: string): { words: number[]; ipv4: number[] | undefined } | AddressProblem {
  if (text === '') return { words: [], ipv4: undefined };
  const parts = text.split(':');
  const words: number[] = [];
  let ipv4: number[] | undefined;
  for (const [index, part] of parts.entries()) {
    if (part.includes('.') && index === parts.length - 1) {
      const fields = ipv4Fields(part);
      if ('problem' in fields) return { problem: `its embedded IPv4 address is not valid: ${fields.problem}` };
      ipv4 = fields;
      continue;
    }
    if (part === '') return { problem: 'it has an empty group (a lone ":" at an end, or ":::")' };
    if (!/^[0-9a-fA-F]+$/.test(part)) return { problem: `the group ${JSON.stringify(part)} is not hexadecimal` };
    if (part.length > 4) return { problem: `the group ${JSON.stringify(part)} has more than 4 hex digits` };
    words.push(Number.parseInt(part, 16));
  }
  return { words, ipv4 };
}

/** Go's IP.String: dotted decimal for IPv4 (v4-mapped too), else lowercase RFC 5952 (the first longest zero run as `::`). */
export function formatIp(bytes: Uint8Array): string {
  const v4 = ipv4Bytes(bytes);
  if (v4) return [...v4].join('.');
  const words = Array.from({ length: 8 }, (_, index) => ((bytes[2 * index] ?? 0) << 8) | (bytes[2 * index + 1] ?? 0));
  let runStart = -1;
  let runLength = 0;
  for (let start = 0; start < 8; ) {
    let end = start;
    while (end < 8 && words[end] === 0) end++;
    if (end - start > runLength) [runStart, runLength] = [start, end - start];
    start = end > start ? end : start + 1;
  }
  const hex = (list: number[]) => list.map((word) => word.toString(16)).join(':');
  // A single zero group is written out: "::" must stand for at least two (RFC 5952 §4.2.2).
  if (runLength < 2) return hex(words);
  return `${hex(words.slice(0, runStart))}::${hex(words.slice(runStart + runLength))}`;
}
