/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tables user space writes and the programs read. src/encode/layout.ts says the same in TypeScript;
 * test/layout.test.ts checks that the two agree, constant by constant and offset by offset.
 */
#ifndef ARMORKIT_LAYOUT_H
#define ARMORKIT_LAYOUT_H

#define KEY_SIZE 24
#define VALUE_SIZE 256
#define INNER_MAX_ENTRIES 1024
#define PROFILES_MAX 1024
/* Slots of the confined-namespace hint (namespace id modulo this). */
#define CONFINED_SLOTS 4096

#define KEY_HEADER 1
#define KEY_PATH 2
#define KEY_BLOOM 3
#define KEY_SOCKET 4
#define KEY_CONNECT 5
#define KEY_NAME 6

#define TABLE_FILE 0
#define TABLE_EXEC 1
#define TABLE_MOUNT 2
#define PATH_TABLES 3

#define ANCHOR_EXACT 0
#define ANCHOR_PREFIX 1
#define ANCHOR_SUFFIX 2
#define ANCHOR_BASE_PREFIX 3
#define ANCHOR_ANY 4

#define SCOPE_PATH 0
#define SCOPE_BASENAME 1

#define CONNECT_EXACT 0
#define CONNECT_CIDR 1
#define CONNECT_ANY 2
#define CONNECT_POD 3

#define SOCKET_ANY_FAMILY 0xffff
#define SOCKET_CLASSES 5

#define PORTS_ANY 0
#define PORTS_ONE 1
#define PORTS_RANGE 2
#define PORTS_LIST 3

#define PROFILE_COMPLAIN 0x1
#define PROFILE_HAS_SOCKET 0x2
#define PROFILE_HAS_CONNECT 0x4

#define TABLE_HAS_RULES 0x1
#define TABLE_HAS_EXACT 0x2
#define TABLE_HAS_ANY 0x4
#define TABLE_HAS_DENY 0x8

#define CONNECT_HAS_EXACT4 0x1
#define CONNECT_HAS_EXACT6 0x2
#define CONNECT_HAS_ANY4 0x4
#define CONNECT_HAS_ANY6 0x8
#define CONNECT_HAS_POD4 0x10
#define CONNECT_HAS_POD6 0x20

#define PATTERN_BYTES 64
#define FSTYPE_BYTES 16
#define PROFILE_NAME_BYTES 64
#define BLOOM_BITS 2048
#define MAX_SLOTS 64

/* The longest anchor (prefix, suffix, exact path) is 63 bytes: 8 words. */
#define MAX_ANCHOR 63

struct rule_key {
	__u8 kind;
	__u8 table;
	__u8 anchor;
	__u8 slot;
	__u32 length;
	__u64 hash[2];
};

/*
 * Which anchor lengths a table uses (bit L: some anchor of L bytes). Most prefixes end with '/' and most suffixes
 * start with one (`/etc/`, `/mem`): those lengths are in the *_slash masks and are only checked where the path
 * has a '/' at that place; the rest are in the *_free masks and checked at every length.
 */
struct path_table {
	__u64 prefix_free;
	__u64 prefix_slash;
	__u64 suffix_free;
	__u64 suffix_slash;
	__u64 base_prefix_lengths;
	__u32 flags;
	/* The longest anchor of each kind: the hashing passes stop there. */
	__u8 max_prefix;
	__u8 max_suffix;
	__u8 max_base_prefix;
	__u8 pad;
};

struct profile_header {
	__u32 flags;
	__u32 pad;
	__u64 capability_deny;
	__u64 capability_audit;
	__u32 ptrace_deny_outside;
	__u32 ptrace_deny_everywhere;
	__u32 ptrace_audit_outside;
	__u32 ptrace_audit_everywhere;
	struct path_table paths[PATH_TABLES];
	__u64 cidr4_lengths;
	__u64 cidr6_lengths[3];
	__u32 connect_flags;
	__u32 pad2;
};

struct path_rule {
	__u32 deny;
	__u32 audit;
	__u8 scope;
	__u8 prefix_length;
	__u8 suffix_length;
	__u8 more;
	__u32 mount_flags;
	__u32 reverse_mount_flags;
	__u32 pad;
	char fstype[FSTYPE_BYTES];
	char prefix[PATTERN_BYTES];
	char suffix[PATTERN_BYTES];
};

struct connect_rule {
	__u32 deny;
	__u32 audit;
	__u8 port_kind;
	__u8 port_count;
	__u8 more;
	__u8 pad;
	__u16 port;
	__u16 end_port;
	__u16 ports[16];
};

struct socket_rules {
	__u16 deny[SOCKET_CLASSES];
	__u16 audit[SOCKET_CLASSES];
};

struct bloom {
	__u8 bits[BLOOM_BITS / 8];
};

/* Every inner-map value is VALUE_SIZE bytes; the structs above are read from its start. */
struct rule_value {
	__u8 bytes[VALUE_SIZE];
};

/* The pod's own addresses, per mount namespace (for pod-self rules). */
#define POD_HAS_IPV4 0x1
#define POD_HAS_IPV6 0x2
struct pod_addresses {
	__u32 flags;
	__u8 ipv4[4];
	__u8 ipv6[16];
};

/* Global settings written by the loader. */
struct settings {
	/* The host's (init) mount namespace: tools there may always ptrace into containers. */
	__u32 host_mnt_ns;
	__u32 pad;
};

/* Audit events on the ring buffer. */
#define EVENT_DENIED 1
#define EVENT_AUDIT 2
#define EVENT_ALLOWED 4

#define EVENT_CAPABILITY 1
#define EVENT_FILE 2
#define EVENT_EXEC 4
#define EVENT_NETWORK 8
#define EVENT_PTRACE 0x10
#define EVENT_MOUNT 0x20

#define NETWORK_CONNECT 1
#define NETWORK_SOCKET 2

#define EVENT_PATH_MAX 4096

/* The fixed part of an event; path events carry the path after it (path_length bytes and a NUL). */
struct event_head {
	__u32 action;
	__u32 type;
	__u32 mnt_ns;
	__u32 tgid;
	__u32 pid;
	__u32 uid;
	__u64 ktime;
	char comm[16];
	/* file/exec: permissions requested; capability: number; network: NETWORK_*; ptrace: permission; mount: flags */
	__u32 a;
	/* network: domain (socket) or family (connect); ptrace: 1 when the other task is in another mount namespace */
	__u32 b;
	/* network: type (socket) or port (connect) */
	__u32 c;
	/* network: protocol (socket) */
	__u32 d;
	__u8 address[16];
	char fstype[FSTYPE_BYTES];
	__u32 path_length;
	__u32 pad;
};

struct event {
	struct event_head head;
	char path[EVENT_PATH_MAX];
};

#define EVENT_FIXED_SIZE 104

#endif
