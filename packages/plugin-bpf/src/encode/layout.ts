// The binary layout the eBPF programs read (bpf/layout.h says the same in C; test/layout.test.ts checks both agree).
// One inner hash map per confined mount namespace holds the whole profile, keyed by rule_key, each value 256 bytes.

export const KEY_SIZE = 24;
export const VALUE_SIZE = 256;
/** Entries one profile's inner map can hold: header, blooms, path rules, sockets, connect rules. */
export const INNER_MAX_ENTRIES = 1024;
/** Confined mount namespaces (outer map size). */
export const PROFILES_MAX = 1024;
/** Slots of the confined-namespace hint: a namespace id modulo this is set before its profile is applied. */
export const CONFINED_SLOTS = 4096;

// rule_key.kind
export const KEY_HEADER = 1;
export const KEY_PATH = 2;
export const KEY_BLOOM = 3;
export const KEY_SOCKET = 4;
export const KEY_CONNECT = 5;
/** The profile's name (read by user space for events). */
export const KEY_NAME = 6;

// rule_key.table for KEY_PATH / KEY_BLOOM: which operation the path rule is about.
export const TABLE_FILE = 0;
export const TABLE_EXEC = 1;
export const TABLE_MOUNT = 2;
export const PATH_TABLES = 3;

// rule_key.anchor for KEY_PATH: what part of the path the key hashes.
export const ANCHOR_EXACT = 0;
export const ANCHOR_PREFIX = 1;
export const ANCHOR_SUFFIX = 2;
export const ANCHOR_BASE_PREFIX = 3;
export const ANCHOR_ANY = 4;

// path_rule.scope
export const SCOPE_PATH = 0;
export const SCOPE_BASENAME = 1;

// rule_key.table for KEY_CONNECT: how the address is matched; rule_key.anchor is the family (4 or 6).
export const CONNECT_EXACT = 0;
export const CONNECT_CIDR = 1;
export const CONNECT_ANY = 2;
export const CONNECT_POD = 3;

// rule_key.length for KEY_SOCKET: the address family, or this for rules of any family.
export const SOCKET_ANY_FAMILY = 0xffff;
/** Protocol classes of the socket table: other, ICMP, TCP, UDP, ICMPv6. */
export const SOCKET_CLASSES = 5;

// connect_rule.port_kind
export const PORTS_ANY = 0;
export const PORTS_ONE = 1;
export const PORTS_RANGE = 2;
export const PORTS_LIST = 3;

// profile_header.flags
export const PROFILE_COMPLAIN = 0x1;
export const PROFILE_HAS_SOCKET = 0x2;
export const PROFILE_HAS_CONNECT = 0x4;

// path_table.flags
export const TABLE_HAS_RULES = 0x1;
export const TABLE_HAS_EXACT = 0x2;
export const TABLE_HAS_ANY = 0x4;
/** Some rule of the table denies: a path that cannot be resolved (too long, too deep) is then refused. */
export const TABLE_HAS_DENY = 0x8;

// profile_header.connect_flags (bit per family: IPv4 then IPv6)
export const CONNECT_HAS_EXACT4 = 0x1;
export const CONNECT_HAS_EXACT6 = 0x2;
export const CONNECT_HAS_ANY4 = 0x4;
export const CONNECT_HAS_ANY6 = 0x8;
export const CONNECT_HAS_POD4 = 0x10;
export const CONNECT_HAS_POD6 = 0x20;

/** Longest prefix, suffix or exact path: 63 bytes and a NUL. */
export const PATTERN_BYTES = 64;
export const FSTYPE_BYTES = 16;
export const PROFILE_NAME_BYTES = 64;
export const BLOOM_BITS = 2048;
/** Rules that share one key (same anchor and text) are chained in slots 0..63. */
export const MAX_SLOTS = 64;

// Offsets of struct profile_header.
export const HEADER = {
  flags: 0,
  capabilityDeny: 8,
  capabilityAudit: 16,
  ptraceDenyOutside: 24,
  ptraceDenyEverywhere: 28,
  ptraceAuditOutside: 32,
  ptraceAuditEverywhere: 36,
  /** struct path_table[3]. */
  paths: 40,
  pathTableSize: 48,
  cidr4Lengths: 184,
  /** Three u64 words: bits 0..128. */
  cidr6Lengths: 192,
  connectFlags: 216,
} as const;

/**
 * Offsets in struct path_table: anchor-length masks (u64; prefixes ending with '/' and suffixes starting with '/'
 * apart, as the programs check those only where the path has a '/'), flags (u32), longest anchors (u8 each).
 */
export const PATH_TABLE = {
  prefixFree: 0,
  prefixSlash: 8,
  suffixFree: 16,
  suffixSlash: 24,
  basePrefixLengths: 32,
  flags: 40,
  maxPrefix: 44,
  maxSuffix: 45,
  maxBasePrefix: 46,
} as const;

// Offsets of struct path_rule.
export const PATH_RULE = {
  deny: 0,
  audit: 4,
  scope: 8,
  prefixLength: 9,
  suffixLength: 10,
  more: 11,
  mountFlags: 12,
  reverseMountFlags: 16,
  fstype: 24,
  prefix: 40,
  suffix: 104,
} as const;

// Offsets of struct connect_rule.
export const CONNECT_RULE = {
  deny: 0,
  audit: 4,
  portKind: 8,
  portCount: 9,
  more: 10,
  port: 12,
  endPort: 14,
  ports: 16,
} as const;

// Offsets of struct socket_rules: deny masks (u16 per protocol class: bit = socket type), then audit masks.
export const SOCKET_RULES = { deny: 0, audit: 10 } as const;

// Offsets of struct rule_key.
export const RULE_KEY = { kind: 0, table: 1, anchor: 2, slot: 3, length: 4, hash: 8 } as const;
