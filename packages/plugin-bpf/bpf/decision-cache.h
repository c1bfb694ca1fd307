/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The decision cache of file_open. Each inode keeps (in inode storage, which dies with the inode) the deny and
 * audit masks of the last path a confined task opened it through, and everything that path and verdict depend
 * on: the profile's inner map id, the (mount, dentry) opened, the task's root, and three counters that move
 * whenever the path of an existing (mount, dentry) can change. A hit costs no bpf_d_path and no rule lookup.
 *
 * What the path depends on, and what catches each change:
 * - d_parent and d_name: they change only in __d_move (rename, and d_splice_alias moving a directory alias,
 *   also for renames done by a remote or FUSE server), always under write_seqlock(&rename_lock);
 * - the mount tree: every attach, detach, move, umount (propagated ones too), and every mount allocated or
 *   freed, is done under lock_mount_hash(), the write side of mount_lock. d_path itself relies on exactly
 *   these two counters (fs/d_path.c, prepend_path) to know that the path it built is consistent;
 * - the root it is relative to: kept in the entry; chroot and pivot_root bump `root_changes`, so a new root
 *   dentry allocated where an old one was cannot meet an entry made under the old one;
 * - " (deleted)": an unhashed dentry is never cached and never hits;
 * - a dentry freed and another one of the same inode (a hard link's other name) allocated at its address:
 *   every dentry gets its inode through security_d_instantiate (d_instantiate, d_instantiate_new, d_add,
 *   d_splice_alias, __d_instantiate_anon), whose program drops the inode's entry;
 * - the profile: its inner map's id, which the idr does not reuse (until it wraps at INT_MAX).
 * The counters are read before the path is built: a change that lands while it is built moves them past the
 * values stored, so such an entry never hits.
 *
 * Entries are written by several CPUs at once: a seqcount in the entry, taken by a writer with cmpxchg (one
 * writer at a time, others skip storing) and released with an atomic add. A reader takes the masks only when
 * the count is even and the same before and after it compared the identity, so it never pairs one writer's
 * identity with another's masks. This relies on the JIT's plain loads and stores keeping their order, which
 * x86-64 (TSO, the only architecture built) guarantees; the atomics are full barriers there.
 */
#ifndef ARMORKIT_DECISION_CACHE_H
#define ARMORKIT_DECISION_CACHE_H

struct open_decision {
	/* Even: stable; odd: a writer is filling the entry. */
	__u32 seq;
	__u32 profile;
	__u64 mnt;
	__u64 dentry;
	__u64 root_mnt;
	__u64 root_dentry;
	__u32 rename_seq;
	__u32 mount_seq;
	__u32 root_changes;
	/* MAY_READ | MAY_WRITE | MAY_APPEND bits the profile denies and audits for the path. */
	__u8 deny;
	__u8 audit;
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct open_decision);
} open_decisions SEC(".maps");

/* Bumped by chroot and pivot_root (lsm/path_chroot, lsm/sb_pivotroot). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} root_changes SEC(".maps");

/* The kernel's seqlocks around dentry moves and mount-tree changes (the sequence is their first word). */
extern const void rename_lock __ksym;
extern const void mount_lock __ksym;

static __always_inline __u32 read_seq(const void *lock)
{
	__u32 sequence = 1;

	bpf_probe_read_kernel(&sequence, sizeof(sequence), lock);
	return sequence;
}

static __always_inline void read_path_state(struct path_state *p, struct task_struct *task)
{
	struct fs_struct *fs = task->fs;
	__u32 zero = 0, *changes = bpf_map_lookup_elem(&root_changes, &zero);

	p->fs_seq = fs->seq.seqcount.sequence;
	asm volatile("" ::: "memory");
	p->root_mnt = (__u64)fs->root.mnt;
	p->root_dentry = (__u64)fs->root.dentry;
	p->root_changes = changes ? *(volatile __u32 *)changes : 1;
	p->rename_seq = read_seq(&rename_lock);
	p->mount_seq = read_seq(&mount_lock);
	asm volatile("" ::: "memory");
	p->root_stable = !(p->fs_seq & 1) && fs->seq.seqcount.sequence == p->fs_seq;
}

static __always_inline bool dentry_hashed(struct dentry *dentry)
{
	return dentry->d_hash.pprev != 0;
}

/* The inner map's id: it names one filling of one profile, as applying a profile always makes a new map. */
static __always_inline __u32 profile_id(void *inner)
{
	return ((struct bpf_map *)inner)->id;
}

/*
 * The cached masks for this open, as deny | audit << 8, or -1 when there are none that apply. Only the
 * identity is compared here; the counters are compared against `now`.
 */
static __always_inline int cached_masks(struct open_decision *e, __u32 profile, struct file *file, const struct path_state *now)
{
	__u32 seq = *(volatile __u32 *)&e->seq;
	int masks;

	if ((seq & 1) || !now->root_stable)
		return -1;
	asm volatile("" ::: "memory");
	if (e->profile != profile || e->mnt != (__u64)file->f_path.mnt || e->dentry != (__u64)file->f_path.dentry ||
	    e->root_mnt != now->root_mnt || e->root_dentry != now->root_dentry || e->rename_seq != now->rename_seq ||
	    e->mount_seq != now->mount_seq || e->root_changes != now->root_changes)
		return -1;
	masks = e->deny | (e->audit << 8);
	asm volatile("" ::: "memory");
	if (*(volatile __u32 *)&e->seq != seq)
		return -1;
	return masks;
}

/* Stores a decision made with the state `before` (read before the path was built), if that state held still. */
static __always_inline void store_decision(struct file *file, struct task_struct *task, __u32 profile, const struct path_state *before,
					   __u32 deny, __u32 audit)
{
	struct open_decision *e;
	__u32 seq;

	/* The root was changed (or the working directory) while the path was built: which root d_path used is unknown. */
	if (!before->root_stable || task->fs->seq.seqcount.sequence != before->fs_seq)
		return;
	/* A dentry move or mount change was in progress: its counter is odd, which no later state matches anyway. */
	if ((before->rename_seq | before->mount_seq) & 1)
		return;
	if (!dentry_hashed(file->f_path.dentry))
		return;
	e = bpf_inode_storage_get(&open_decisions, file->f_inode, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!e)
		return;
	seq = *(volatile __u32 *)&e->seq;
	if ((seq & 1) || __sync_val_compare_and_swap(&e->seq, seq, seq + 1) != seq)
		return;
	e->profile = profile;
	e->mnt = (__u64)file->f_path.mnt;
	e->dentry = (__u64)file->f_path.dentry;
	e->root_mnt = before->root_mnt;
	e->root_dentry = before->root_dentry;
	e->rename_seq = before->rename_seq;
	e->mount_seq = before->mount_seq;
	e->root_changes = before->root_changes;
	e->deny = deny;
	e->audit = audit;
	__sync_fetch_and_add(&e->seq, 1);
}

#endif
