/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The path of a dentry, for hooks where bpf_d_path is not allowed (link, rename, symlink, umount, move_mount):
 * walk up d_parent, crossing mounts at their mount points, until the task's root (as d_path does, so paths
 * are those the container sees) or the top of the mount tree.
 */
#ifndef ARMORKIT_PATH_WALK_H
#define ARMORKIT_PATH_WALK_H

#include "scratch.h"

#define WALK_STEPS 256

/* The walk's callback finds the scratch buffer through this; the walk's state is in s->walk_state. */
struct walker {
	struct scratch *s;
};

static __always_inline __u64 mount_of(__u64 vfsmnt)
{
	return vfsmnt - bpf_core_field_offset(struct mount, mnt);
}

static long walk_step(__u32 i, void *ctx)
{
	struct scratch *s = ((struct walker *)ctx)->s;
	struct walk_state *w = &s->walk_state;
	struct dentry *dentry = (struct dentry *)w->dentry;
	struct vfsmount *vfsmnt = (struct vfsmount *)w->vfsmnt;

	if (w->dentry == w->root_dentry && w->vfsmnt == w->root_mnt) {
		w->done = 1;
		return 1;
	}
	__u64 mnt_root = (__u64)BPF_CORE_READ(vfsmnt, mnt_root);
	__u64 parent = (__u64)BPF_CORE_READ(dentry, d_parent);
	if (w->dentry == mnt_root || w->dentry == parent) {
		struct mount *mnt = (struct mount *)mount_of(w->vfsmnt);
		__u64 mnt_parent = (__u64)BPF_CORE_READ(mnt, mnt_parent);
		if (w->dentry == mnt_root && mnt_parent != (__u64)mnt) {
			w->dentry = (__u64)BPF_CORE_READ(mnt, mnt_mountpoint);
			w->vfsmnt = mnt_parent + bpf_core_field_offset(struct mount, mnt);
			return 0;
		}
		/* The top of the mount tree (or a dentry cut off from it). */
		w->done = 1;
		return 1;
	}
	__u32 length = BPF_CORE_READ(dentry, d_name.len);
	const unsigned char *name = BPF_CORE_READ(dentry, d_name.name);
	__u32 pos = w->pos;
	if (length > 255 || pos < length + 1 || pos > WALK_END) {
		w->failed = 1;
		return 1;
	}
	pos -= length;
	bpf_probe_read_kernel(s->walk + (pos & PATH_MASK), length & 255, name);
	pos -= 1;
	s->walk[pos & PATH_MASK] = '/';
	w->pos = pos;
	if (!w->last)
		w->last = length;
	w->dentry = parent;
	return 0;
}

/*
 * Puts the path of (dentry, vfsmnt) in s->buf at PATH_OFFSET, with s->path_length and s->base (where the file
 * name starts). Returns 0, or -1 when the path is deeper or longer than the buffer holds.
 */
static __always_inline int walk_path(struct scratch *s, __u64 dentry, __u64 vfsmnt)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct walk_state *w = &s->walk_state;
	struct walker walker = { .s = s };

	w->dentry = dentry;
	w->vfsmnt = vfsmnt;
	w->root_dentry = (__u64)BPF_CORE_READ(task, fs, root.dentry);
	w->root_mnt = (__u64)BPF_CORE_READ(task, fs, root.mnt);
	w->pos = WALK_END;
	w->done = 0;
	w->failed = 0;
	w->last = 0;
	bpf_loop(WALK_STEPS, walk_step, &walker, 0);
	if (w->failed || !w->done)
		return -1;
	__u32 length = WALK_END - (w->pos & PATH_MASK);
	if (w->pos == WALK_END) {
		s->buf[PATH_OFFSET] = '/';
		s->path_length = 1;
		s->base = 1;
		return 0;
	}
	bpf_probe_read_kernel(s->buf + PATH_OFFSET, length & PATH_MASK, s->walk + (w->pos & PATH_MASK));
	s->path_length = length;
	s->base = length - w->last;
	return 0;
}

#endif
