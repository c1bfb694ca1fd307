/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU working memory: the path being checked, the dentry walk, the event being built. A program can be
 * preempted on a fully preemptible kernel and another task's program can then run on the same CPU, so each
 * run claims one of a few slots with an atomic bit instead of assuming it owns the CPU's buffer.
 */
#ifndef ARMORKIT_SCRATCH_H
#define ARMORKIT_SCRATCH_H

#define SCRATCH_SLOTS 4

/*
 * The path lives at PATH_OFFSET in buf, with room on both sides for the word reads around it. Offsets are
 * masked with BUF_MASK and buf has 8 bytes more, so a word read never needs a bounds check.
 */
#define BUF_MASK 8191
#define BUF_SIZE (BUF_MASK + 1 + 8)
#define PATH_OFFSET 64
#define PATH_ROOM 4096
#define PATH_MASK (PATH_ROOM - 1)
/* d_path builds the path from the end of the room it is given: most paths fit in this much, tried first. */
#define SHORT_PATH_ROOM 256

/* The dentry walk builds the path right to left, one component (at most NAME_MAX bytes) at a time. */
#define WALK_SIZE (PATH_ROOM + 512)
#define WALK_END PATH_ROOM

/* Keys a path may be filed under, found by the hashing passes, checked afterwards. */
#define MAX_CANDIDATES 256

struct candidate {
	__u64 hash;
	__u32 length;
	__u32 anchor;
};

/* State of a path-table lookup (path-match.h). */
struct match_state {
	__u64 hash;
	__u64 word;
	__u64 lengths;
	/* Lengths checked only where the path has a '/' (see struct path_table). */
	__u64 slash_lengths;
	__u32 table;
	__u32 anchor;
	__u32 start;
	__u32 limit;
	__u32 n;
	__u32 base;
	__u32 deny;
	__u32 audit;
	__u32 want_exact;
	__u32 pad;
	struct rule_key key;
};

/* State of a dentry walk (path-walk.h). */
struct walk_state {
	__u64 dentry;
	__u64 vfsmnt;
	__u64 root_dentry;
	__u64 root_mnt;
	__u32 pos;
	__u32 done;
	__u32 failed;
	__u32 last;
};

/* What the path of a (mount, dentry) depends on besides the two pointers, read before the path is built
 * (decision-cache.h). */
struct path_state {
	__u64 root_mnt;
	__u64 root_dentry;
	__u32 rename_seq;
	__u32 mount_seq;
	__u32 root_changes;
	__u32 fs_seq;
	/* The root pointers were read while no root or working-directory change was in progress. */
	__u32 root_stable;
};

/*
 * Small, often used fields first and the big buffers after, in the order a lookup touches them, so a check that
 * finds nothing touches as few cache lines (and pages) as it can.
 */
struct scratch {
	struct match_state match;
	/* The lookup in progress. */
	__u32 table;
	__u32 path_length;
	__u32 base;
	__u32 requested;
	/* Mount lookups: the operation's flags and filesystem type. */
	__u32 mount_flags;
	__u32 new_mount;
	char fstype[FSTYPE_BYTES];
	__u32 candidate_count;
	__u32 candidate_overflow;
	struct path_state path_state;
	char buf[BUF_SIZE];
	struct candidate candidates[MAX_CANDIDATES];
	struct walk_state walk_state;
	char walk[WALK_SIZE];
	struct event event;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SCRATCH_SLOTS);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} scratch_claims SEC(".maps");

/* Takes slot `i` if its bit was clear. */
static __always_inline struct scratch *try_slot(__u32 *claims, __u32 i, __u32 *slot)
{
	__u32 bit = 1U << i;
	struct scratch *s;

	if (__sync_fetch_and_or(claims, bit) & bit)
		return NULL;
	s = bpf_map_lookup_elem(&scratch, &i);
	if (!s) {
		__sync_fetch_and_and(claims, ~bit);
		return NULL;
	}
	*slot = i;
	return s;
}

static __always_inline struct scratch *claim_scratch(__u32 *slot)
{
	__u32 zero = 0;
	__u32 *claims = bpf_map_lookup_elem(&scratch_claims, &zero);
	struct scratch *s;

	if (!claims)
		return NULL;
	/* Written out: the verifier takes a loop around the atomic for an infinite one. */
	if ((s = try_slot(claims, 0, slot)))
		return s;
	if ((s = try_slot(claims, 1, slot)))
		return s;
	if ((s = try_slot(claims, 2, slot)))
		return s;
	return try_slot(claims, 3, slot);
}

static __always_inline void release_scratch(__u32 slot)
{
	__u32 zero = 0;
	__u32 *claims = bpf_map_lookup_elem(&scratch_claims, &zero);

	if (claims)
		__sync_fetch_and_and(claims, ~(1U << (slot & (SCRATCH_SLOTS - 1))));
}

/* 8 bytes of buf at any offset; what lies outside the text is masked off by the callers. */
static __always_inline __u64 load_word(const struct scratch *s, __u32 offset)
{
	return *(const __u64 *)(s->buf + (offset & BUF_MASK));
}

#endif
