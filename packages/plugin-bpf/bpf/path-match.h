/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Path rules, looked up by hash instead of compared one by one. A rule is filed under its anchor: the exact path,
 * its suffix, its prefix, or its file-name prefix, hashed 8 bytes at a time (src/encode/path-hash.ts is the same
 * hash in TypeScript). For a path the programs hash its first and last 63 bytes once; at each length some rule
 * uses they test a bloom filter bit and note the key; then they look up the rules under the noted keys and
 * compare their text. test/support/kernel-model.ts is this algorithm step for step, checked against the
 * reference evaluator. Loops are bpf_loop callbacks so the verifier checks each body once.
 */
#ifndef ARMORKIT_PATH_MATCH_H
#define ARMORKIT_PATH_MATCH_H

#include "scratch.h"

#define HASH_MULTIPLIER 0x9e3779b97f4a7c15ULL
#define FORWARD_SEED 0x243f6a8885a308d3ULL
#define BACKWARD_SEED 0x13198a2e03707344ULL

static __always_inline __u64 mix(__u64 hash, __u64 word)
{
	return (hash ^ word) * HASH_MULTIPLIER;
}

static __always_inline __u64 finish(__u64 hash, __u32 length, __u32 anchor)
{
	hash = (hash ^ (__u64)(length | (anchor << 8))) * HASH_MULTIPLIER;
	return hash ^ (hash >> 31);
}

/* The first r bytes of a word (text read forward), r in 1..8: the low bytes. */
static __always_inline __u64 low_mask(__u32 r)
{
	return ~0ULL >> (8 * (8 - r));
}

/* The last r bytes of a word (text ending at the word's end), r in 1..8: the high bytes. */
static __always_inline __u64 high_mask(__u32 r)
{
	return ~0ULL << (8 * (8 - r));
}

/* Byte i of the word is '/' → bit 0 of byte i (a byte '.' right after a '/' may show too: only a check more). */
static __always_inline __u64 slash_bytes(__u64 word)
{
	__u64 x = word ^ 0x2f2f2f2f2f2f2f2fULL;
	return ((x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL) >> 7;
}

/* Bit i set when byte i of the word (text read forward) is '/'. */
static __always_inline __u32 slashes_forward(__u64 word)
{
	return (__u32)((slash_bytes(word) * 0x0102040810204080ULL) >> 56);
}

/* Bit 7 - i set when byte i is '/': for a word read backward, bit r - 1 is the byte a suffix of r bytes starts at. */
static __always_inline __u32 slashes_backward(__u64 word)
{
	return (__u32)((slash_bytes(word) * 0x8040201008040201ULL) >> 56);
}

/*
 * What match_path's bpf_loop callbacks need to find: the profile's map and the scratch buffer (pointers, so on
 * the stack; the verifier allows 512 bytes of it for all frames together), and the bloom filter. The rest of the
 * state is in s->match.
 */
struct matcher {
	void *inner;
	struct scratch *s;
	const struct bloom *bloom;
};

/*
 * Whether the path bytes at `offset` are `text` (length bytes, at most 63; the rule's text is zero-padded).
 * Branch-free: every word is compared and masked to the bytes that count.
 */
static __always_inline bool equal_text(struct scratch *s, __u32 offset, const char *text, __u32 length)
{
	__u64 diff = 0;

#pragma unroll
	for (int i = 0; i < 8; i++) {
		__u64 a = load_word(s, PATH_OFFSET + offset + 8 * i);
		__u64 b = *(const __u64 *)(text + 8 * i);
		/* Bytes of this word that belong to the text: 8, fewer in the last word, none after it. */
		__s64 left = (__s64)length - 8 * i;
		__u64 keep = left >= 8 ? ~0ULL : left <= 0 ? 0 : ~0ULL >> (8 * (8 - left));
		diff |= (a ^ b) & keep;
	}
	return diff == 0;
}

static __always_inline bool verify_rule(struct scratch *s, const struct path_rule *rule, __u32 anchor)
{
	__u32 p = rule->prefix_length & 63;
	__u32 suffix = rule->suffix_length & 63;
	__u32 n = s->match.n & PATH_MASK;
	__u32 start = anchor == ANCHOR_EXACT || anchor == ANCHOR_PREFIX || rule->scope != SCOPE_BASENAME ? 0 : s->match.base & PATH_MASK;

	switch (anchor) {
	case ANCHOR_EXACT:
		return n == p && equal_text(s, 0, rule->prefix, p);
	case ANCHOR_PREFIX:
		return n >= p && equal_text(s, 0, rule->prefix, p);
	case ANCHOR_SUFFIX:
		if (start > n || n - start < p + suffix)
			return false;
		return equal_text(s, n - suffix, rule->suffix, suffix) && equal_text(s, start, rule->prefix, p);
	case ANCHOR_BASE_PREFIX:
		if (start > n || n - start < p)
			return false;
		return equal_text(s, start, rule->prefix, p);
	default:
		return true;
	}
}

/* Mount rules also need the flags and filesystem type of the operation (kept in the scratch buffer). */
static __always_inline bool mount_applies(struct scratch *s, const struct path_rule *rule)
{
	__u32 flags = s->mount_flags;
	bool flag_match = (flags & rule->mount_flags) || (s->new_mount && (~flags & rule->reverse_mount_flags));
	if (!flag_match)
		return false;
	if (rule->fstype[0] == '*' && rule->fstype[1] == 0)
		return true;
	const __u64 *a = (const __u64 *)rule->fstype;
	const __u64 *b = (const __u64 *)s->fstype;
	return a[0] == b[0] && a[1] == b[1];
}

static long chain_step(__u32 slot, void *ctx)
{
	struct matcher *m = ctx;
	struct scratch *s = m->s;
	struct match_state *st = &s->match;
	const struct path_rule *rule;

	st->key.slot = slot;
	rule = bpf_map_lookup_elem(m->inner, &st->key);
	if (!rule)
		return 1;
	if (verify_rule(s, rule, st->key.anchor) && (st->table != TABLE_MOUNT || mount_applies(s, rule))) {
		st->deny |= rule->deny & s->requested;
		st->audit |= rule->audit & s->requested;
	}
	return rule->more ? 0 : 1;
}

/* Looks up the rules under each noted key. */
static long candidate_step(__u32 i, void *ctx)
{
	struct matcher *m = ctx;
	struct scratch *s = m->s;
	const struct candidate *c;

	if (i >= s->candidate_count)
		return 1;
	c = &s->candidates[i & (MAX_CANDIDATES - 1)];
	s->match.key.kind = KEY_PATH;
	s->match.key.table = s->match.table;
	s->match.key.anchor = c->anchor;
	s->match.key.slot = 0;
	s->match.key.length = c->length;
	s->match.key.hash[0] = c->hash;
	s->match.key.hash[1] = 0;
	bpf_loop(MAX_SLOTS, chain_step, m, 0);
	return 0;
}

/* Notes a key when the bloom filter says rules may be filed under it. */
static __always_inline void note(struct matcher *m, __u32 anchor, __u32 length, __u64 hash)
{
	struct scratch *s = m->s;
	__u32 bit = (hash >> 53) & (BLOOM_BITS - 1);
	__u32 index;

	if (anchor != ANCHOR_ANY && (!m->bloom || !(m->bloom->bits[bit >> 3] & (1 << (bit & 7)))))
		return;
	index = s->candidate_count;
	if (index >= MAX_CANDIDATES)
		return;
	s->candidates[index].hash = hash;
	s->candidates[index].length = length;
	s->candidates[index].anchor = anchor;
	s->candidate_count = index + 1;
}

/*
 * Forward over the text from st->start, one word per call: the prefix lengths of st->lengths that end in this
 * word are noted, and the exact path when it ends here.
 */
static long forward_word(__u32 q, void *ctx)
{
	struct matcher *m = ctx;
	struct match_state *st = &m->s->match;
	__u32 done = 8 * q;
	__u64 word, bits;
	__u32 exact;

	if (done >= st->limit)
		return 1;
	word = load_word(m->s, PATH_OFFSET + st->start + done);
	bits = (st->lengths >> ((done + 1) & 63)) & 0xff;
	bits |= (st->slash_lengths >> ((done + 1) & 63)) & slashes_forward(word);
	exact = st->want_exact && st->n > done && st->n <= done + 8 ? st->n - done : 0;
	if (bits || exact) {
#pragma unroll
		for (__u32 r = 1; r <= 8; r++) {
			__u32 length = done + r;
			bool prefix = (bits >> (r - 1)) & 1;
			if (length <= st->limit && (prefix || exact == r)) {
				__u64 partial = mix(st->hash, word & low_mask(r));
				if (prefix)
					note(m, st->anchor, length, finish(partial, length, st->anchor));
				if (exact == r)
					note(m, ANCHOR_EXACT, length, finish(partial, length, ANCHOR_EXACT));
			}
		}
	}
	st->hash = mix(st->hash, word);
	return 0;
}

/* Backward from the end of the path, one word per call: the suffix lengths of st->lengths noted. */
static long backward_word(__u32 q, void *ctx)
{
	struct matcher *m = ctx;
	struct match_state *st = &m->s->match;
	__u32 done = 8 * q;
	__u64 word, bits;

	if (done >= st->limit)
		return 1;
	word = load_word(m->s, PATH_OFFSET + st->n - done - 8);
	bits = (st->lengths >> ((done + 1) & 63)) & 0xff;
	bits |= (st->slash_lengths >> ((done + 1) & 63)) & slashes_backward(word);
	if (bits) {
#pragma unroll
		for (__u32 r = 1; r <= 8; r++) {
			__u32 length = done + r;
			if (length <= st->limit && ((bits >> (r - 1)) & 1))
				note(m, ANCHOR_SUFFIX, length, finish(mix(st->hash, word & high_mask(r)), length, ANCHOR_SUFFIX));
		}
	}
	st->hash = mix(st->hash, word);
	return 0;
}

static __always_inline __u32 min_u32(__u32 a, __u32 b)
{
	return a < b ? a : b;
}

/*
 * The permission bits of s->requested that the rules of table s->table deny (low 32 bits) and audit (high 32
 * bits) for the path in s->buf (s->path_length bytes, its file name starting at s->base).
 */
static __noinline __u64 match_path(void *inner, struct scratch *s, const struct profile_header *header)
{
	struct match_state *st = &s->match;
	struct matcher m = { .inner = inner, .s = s };
	__u32 table = s->table;
	const struct path_table *info;

	if (table >= PATH_TABLES)
		return 0;
	info = &header->paths[table];
	__builtin_memset(st, 0, sizeof(*st));
	st->table = table;
	st->n = s->path_length & PATH_MASK;
	st->base = s->base & PATH_MASK;
	st->key.kind = KEY_BLOOM;
	st->key.table = table;
	m.bloom = bpf_map_lookup_elem(inner, &st->key);
	s->candidate_count = 0;

	if (info->flags & TABLE_HAS_ANY)
		note(&m, ANCHOR_ANY, 0, 0);

	/* Each pass stops at the longest anchor of its kind; the exact path needs the whole (short) path. */
	st->lengths = info->prefix_free;
	st->slash_lengths = info->prefix_slash;
	st->want_exact = (info->flags & TABLE_HAS_EXACT) && st->n <= MAX_ANCHOR;
	st->limit = st->want_exact ? st->n : min_u32(st->n, info->max_prefix & 63);
	if (st->limit) {
		st->hash = FORWARD_SEED;
		st->start = 0;
		st->anchor = ANCHOR_PREFIX;
		bpf_loop(8, forward_word, &m, 0);
	}

	st->lengths = info->suffix_free;
	st->slash_lengths = info->suffix_slash;
	st->limit = min_u32(st->n, info->max_suffix & 63);
	if (st->limit) {
		st->hash = BACKWARD_SEED;
		bpf_loop(8, backward_word, &m, 0);
	}

	st->lengths = info->base_prefix_lengths;
	st->slash_lengths = 0;
	st->limit = st->base <= st->n ? min_u32(st->n - st->base, info->max_base_prefix & 63) : 0;
	if (st->limit) {
		st->hash = FORWARD_SEED;
		st->start = st->base;
		st->anchor = ANCHOR_BASE_PREFIX;
		st->want_exact = 0;
		bpf_loop(8, forward_word, &m, 0);
	}

	if (s->candidate_count)
		bpf_loop(MAX_CANDIDATES, candidate_step, &m, 0);
	return (__u64)st->deny | ((__u64)st->audit << 32);
}

#endif
