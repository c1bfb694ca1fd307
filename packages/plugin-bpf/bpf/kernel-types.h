/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel structures the programs read, only the fields used, marked for CO-RE: libbpf relocates each field
 * against the running kernel's BTF when the object is loaded, so no vmlinux.h is generated at build time and the
 * object is not tied to one kernel build.
 */
#ifndef ARMORKIT_KERNEL_TYPES_H
#define ARMORKIT_KERNEL_TYPES_H

#define CORE __attribute__((preserve_access_index))

struct qstr {
	__u32 hash;
	__u32 len;
	const unsigned char *name;
} CORE;

struct hlist_bl_node {
	struct hlist_bl_node *next;
	struct hlist_bl_node **pprev;
} CORE;

struct inode;

struct dentry {
	/* Unhashed (pprev NULL): deleted, or not in the dcache yet; d_path then adds " (deleted)". */
	struct hlist_bl_node d_hash;
	struct dentry *d_parent;
	struct qstr d_name;
} CORE;

struct vfsmount {
	struct dentry *mnt_root;
} CORE;

struct mount {
	struct mount *mnt_parent;
	struct dentry *mnt_mountpoint;
	struct vfsmount mnt;
} CORE;

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
} CORE;

struct file {
	struct path f_path;
	struct inode *f_inode;
	unsigned int f_flags;
	unsigned int f_mode;
} CORE;

struct ns_common {
	unsigned int inum;
} CORE;

struct mnt_namespace {
	struct ns_common ns;
} CORE;

struct nsproxy {
	struct mnt_namespace *mnt_ns;
} CORE;

/* seqcount_spinlock_t without lockdep: the sequence is the first word. */
struct seqcount {
	unsigned int sequence;
} CORE;

struct seqcount_spinlock {
	struct seqcount seqcount;
} CORE;

struct fs_struct {
	/* Bumped (twice) by every change of root or working directory (set_fs_root, set_fs_pwd). */
	struct seqcount_spinlock seq;
	struct path root;
} CORE;

struct bpf_map {
	/* Given at creation from an idr that does not hand an id out again until it wraps at INT_MAX. */
	__u32 id;
} CORE;

struct cred;

struct task_struct {
	int pid;
	int tgid;
	struct nsproxy *nsproxy;
	struct fs_struct *fs;
	const struct cred *real_cred;
	const struct cred *cred;
	char comm[16];
} CORE;

struct linux_binprm {
	struct file *file;
	const char *filename;
	const char *interp;
} CORE;

struct user_namespace;
struct socket;

/* UAPI address layouts (stable ABI, no relocation needed). */
struct sockaddr {
	unsigned short sa_family;
	char sa_data[14];
};

struct sockaddr_in {
	unsigned short sin_family;
	__be16 sin_port;
	__u8 sin_addr[4];
	__u8 pad[8];
};

struct sockaddr_in6 {
	unsigned short sin6_family;
	__be16 sin6_port;
	__u32 sin6_flowinfo;
	__u8 sin6_addr[16];
	__u32 sin6_scope_id;
};

#endif
