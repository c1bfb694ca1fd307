// SPDX-License-Identifier: GPL-2.0
/*
 * armorkit's BPF-LSM enforcer. A profile is one inner hash map per confined mount namespace (the `profiles`
 * map of maps); a task whose mount namespace has none is not confined and each hook costs it one lookup.
 * The profile's header says which tables it has; path rules are found by hash (path-match.h), socket rules
 * by family, connect rules by address. Every matching rule adds its deny and audit bits; the operation is
 * refused when one denies it and reported on the `events` ring buffer when one audits it.
 */
#include <linux/types.h>
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "kernel-types.h"
#include "layout.h"

#define EPERM 1

#define FMODE_READ 0x1
#define FMODE_WRITE 0x2
#define FMODE_EXEC 0x20
#define FMODE_CREATED 0x100000
#define O_TRUNC 01000
#define O_APPEND 02000

#define MAY_EXEC 0x1
#define MAY_WRITE 0x2
#define MAY_READ 0x4
#define MAY_APPEND 0x8
#define MAY_ACCESS (MAY_READ | MAY_WRITE | MAY_APPEND)

#define PTRACE_MODE_READ 0x01
#define PTRACE_TRACE 0x2
#define PTRACE_READ 0x4
#define PTRACE_TRACEBY 0x8
#define PTRACE_READBY 0x10

#define CAP_OPT_NOAUDIT 0x2
#define RENAME_EXCHANGE 0x2

#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_ICMPV6 58
#define IPPROTO_MPTCP 262

#define MS_REMOUNT 0x20
#define MS_BIND 0x1000
#define MS_MOVE 0x2000
#define MS_UNBINDABLE (1 << 17)
#define MS_PRIVATE (1 << 18)
#define MS_SLAVE (1 << 19)
#define MS_SHARED (1 << 20)
#define MAY_UMOUNT 0x200
#define EXISTING_MOUNT_FLAGS (MS_REMOUNT | MS_BIND | MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE | MS_MOVE | MAY_UMOUNT)

char LICENSE[] SEC("license") = "GPL";

_Static_assert(sizeof(struct rule_key) == KEY_SIZE, "rule_key");
_Static_assert(sizeof(struct profile_header) <= VALUE_SIZE, "profile_header");
_Static_assert(sizeof(struct path_rule) <= VALUE_SIZE, "path_rule");
_Static_assert(sizeof(struct event_head) == EVENT_FIXED_SIZE, "event_head");

struct inner_rules {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, INNER_MAX_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(key_size, KEY_SIZE);
	__uint(value_size, VALUE_SIZE);
};

/* mount namespace inode → the profile's inner map. Swapping one entry replaces a whole profile at once. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, PROFILES_MAX);
	__type(key, __u32);
	__array(values, struct inner_rules);
} profiles SEC(".maps");

/*
 * A hint set before a profile is applied: slot (namespace id % CONFINED_SLOTS) is non-zero when some namespace
 * with that slot may be confined. An array lookup is a few instructions, so unconfined tasks rarely pay for the
 * hash lookup in `profiles`. Slots are never cleared while the programs are attached: a stale one costs a lookup.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CONFINED_SLOTS);
	__type(key, __u32);
	__type(value, __u8);
} confined_slots SEC(".maps");

/*
 * Mount namespaces that were freed while they had a profile. The kernel reuses namespace ids at once, so a
 * stale profile would confine an unrelated new namespace; a namespace listed here is not confined until user
 * space applies a profile to it again (which clears the mark).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PROFILES_MAX);
	__type(key, __u32);
	__type(value, __u32);
} retired SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PROFILES_MAX);
	__type(key, __u32);
	__type(value, struct pod_addresses);
} pod_addresses SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct settings);
} settings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

#include "scratch.h"
#include "path-match.h"
#include "path-walk.h"
#include "decision-cache.h"

static __always_inline __u32 task_mnt_ns(struct task_struct *task)
{
	return task->nsproxy->mnt_ns->ns.inum;
}

static __always_inline __u32 current_mnt_ns(void)
{
	return task_mnt_ns(bpf_get_current_task_btf());
}

/* The profile of a mount namespace, unless the namespace it was applied to is gone (see `retired`). */
static __always_inline void *profile_of(__u32 *mnt_ns)
{
	__u32 slot = *mnt_ns & (CONFINED_SLOTS - 1);
	__u8 *hint = bpf_map_lookup_elem(&confined_slots, &slot);
	void *inner;

	if (!hint || !*hint)
		return NULL;
	inner = bpf_map_lookup_elem(&profiles, mnt_ns);
	if (inner && bpf_map_lookup_elem(&retired, mnt_ns))
		return NULL;
	return inner;
}

SEC("fentry/free_mnt_ns")
int BPF_PROG(armorkit_mnt_ns_freed, struct mnt_namespace *ns)
{
	__u32 mnt_ns = ns->ns.inum, one = 1;

	if (bpf_map_lookup_elem(&profiles, &mnt_ns))
		bpf_map_update_elem(&retired, &mnt_ns, &one, BPF_ANY);
	return 0;
}

static __always_inline const struct profile_header *header_of(void *inner)
{
	struct rule_key key = { .kind = KEY_HEADER };
	return bpf_map_lookup_elem(inner, &key);
}

static __always_inline void fill_head(struct event_head *e, __u32 action, __u32 type, __u32 mnt_ns)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	e->action = action;
	e->type = type;
	e->mnt_ns = mnt_ns;
	e->tgid = pid_tgid >> 32;
	e->pid = (__u32)pid_tgid;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->ktime = bpf_ktime_get_boot_ns();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

/* An event without a path (capability, socket, connect, ptrace). */
static __always_inline void emit_small(__u32 action, __u32 type, __u32 mnt_ns, __u32 a, __u32 b, __u32 c, __u32 d, const __u8 *address)
{
	struct event_head *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return;
	fill_head(e, action, type, mnt_ns);
	e->a = a;
	e->b = b;
	e->c = c;
	e->d = d;
	if (address)
		__builtin_memcpy(e->address, address, 16);
	else
		__builtin_memset(e->address, 0, 16);
	__builtin_memset(e->fstype, 0, FSTYPE_BYTES);
	e->path_length = 0;
	e->pad = 0;
	bpf_ringbuf_submit(e, 0);
}

/* An event with the path in the scratch buffer (file, exec, mount); e->a and e->fstype set by the caller. */
static __always_inline void emit_path(struct scratch *s, __u32 action, __u32 type, __u32 mnt_ns)
{
	struct event *e = &s->event;
	__u32 length = s->path_length & PATH_MASK;

	fill_head(&e->head, action, type, mnt_ns);
	e->head.b = 0;
	e->head.c = 0;
	e->head.d = 0;
	__builtin_memset(e->head.address, 0, 16);
	e->head.path_length = length;
	e->head.pad = 0;
	bpf_probe_read_kernel(e->path, length, s->buf + PATH_OFFSET);
	e->path[length] = 0;
	bpf_ringbuf_output(&events, e, EVENT_FIXED_SIZE + length + 1, 0);
}

struct base_scan {
	struct scratch *s;
	__u32 n;
	__u32 base;
};

static long base_step(__u32 i, void *ctx)
{
	struct base_scan *scan = ctx;

	if (i >= scan->n)
		return 1;
	if (scan->s->buf[(PATH_OFFSET + scan->n - 1 - i) & BUF_MASK] == '/') {
		scan->base = scan->n - i;
		return 1;
	}
	return 0;
}

/* Where the file name of the path in s->buf starts: after its last '/' (0 when there is none). */
static __always_inline void find_base(struct scratch *s)
{
	struct base_scan scan = { .s = s, .n = s->path_length & PATH_MASK, .base = 0 };

	bpf_loop(512, base_step, &scan, 0);
	s->base = scan.base;
}

/* A NUL-terminated kernel string into s->buf as the path. */
static __always_inline void read_path_string(struct scratch *s, const char *text)
{
	long length = text ? bpf_probe_read_kernel_str(s->buf + PATH_OFFSET, PATH_ROOM, text) : 0;

	s->path_length = length > 0 ? (length - 1) & PATH_MASK : 0;
	find_base(s);
}

/* 0 or -EPERM for the path in the scratch buffer, and its event when audited. In complain mode, ALLOWED. */
static __always_inline int report_path(struct scratch *s, const struct profile_header *h, __u32 mnt_ns, __u32 deny, __u32 audit,
				       __u32 event_type, __u32 event_a)
{
	if (audit) {
		s->event.head.a = event_a;
		__builtin_memcpy(s->event.head.fstype, s->fstype, FSTYPE_BYTES);
		emit_path(s, h->flags & PROFILE_COMPLAIN ? EVENT_ALLOWED : deny ? EVENT_DENIED : EVENT_AUDIT, event_type, mnt_ns);
	}
	return deny ? -EPERM : 0;
}

/* The verdict on the path in the scratch buffer for one table (see report_path). */
static __always_inline int judge_path(void *inner, const struct profile_header *h, struct scratch *s, __u32 mnt_ns, __u32 table,
				      __u32 requested, __u32 event_type, __u32 event_a)
{
	__u64 verdict;

	s->table = table;
	s->requested = requested;
	if (h->flags & PROFILE_COMPLAIN)
		return report_path(s, h, mnt_ns, 0, 1, event_type, event_a);
	verdict = match_path(inner, s, h);
	return report_path(s, h, mnt_ns, (__u32)verdict, verdict >> 32, event_type, event_a);
}

/* When a path cannot be rebuilt (too long, too deep), a table that denies anything refuses the operation. */
static __always_inline int unresolved(const struct profile_header *h, __u32 table)
{
	if (h->flags & PROFILE_COMPLAIN)
		return 0;
	return h->paths[table & 3].flags & TABLE_HAS_DENY ? -EPERM : 0;
}

static __always_inline bool table_in_use(const struct profile_header *h, __u32 table)
{
	return (h->flags & PROFILE_COMPLAIN) || (h->paths[table & 3].flags & TABLE_HAS_RULES);
}

/* ---- files ---- */

/* The opened file's path (bpf_d_path) in the scratch buffer, with where its file name starts; -1 when it has none. */
static __always_inline int open_path(struct scratch *s, struct file *file)
{
	__u32 name_length;
	long length;

	length = bpf_d_path(&file->f_path, s->buf + PATH_OFFSET, SHORT_PATH_ROOM);
	if (length <= 0)
		length = bpf_d_path(&file->f_path, s->buf + PATH_OFFSET, PATH_ROOM);
	if (length <= 0)
		return -1;
	s->path_length = (length - 1) & PATH_MASK;
	name_length = file->f_path.dentry->d_name.len;
	/* The file name is the dentry's name when it follows a '/'; otherwise (the root, " (deleted)") look for it. */
	if (name_length < s->path_length && s->buf[(PATH_OFFSET + s->path_length - name_length - 1) & BUF_MASK] == '/')
		s->base = s->path_length - name_length;
	else
		find_base(s);
	s->fstype[0] = 0;
	return 0;
}

/* An open decided from its path alone, without the cache (complain mode: every open is reported). */
static __noinline int file_open_judged(void *inner, const struct profile_header *h, __u32 mnt_ns, struct file *file, __u32 requested)
{
	__u32 slot;
	struct scratch *s;
	int verdict;

	s = claim_scratch(&slot);
	if (!s)
		return unresolved(h, TABLE_FILE);
	verdict = open_path(s, file) < 0 ? unresolved(h, TABLE_FILE) : judge_path(inner, h, s, mnt_ns, TABLE_FILE, requested, EVENT_FILE, requested);
	release_scratch(slot);
	return verdict;
}

/* The cached verdict on this open: 0 or -EPERM, or 1 when there is none (no entry, a stale one, or an event due). */
static __noinline int open_cached(void *inner, struct file *file, __u32 requested)
{
	struct open_decision *cached = bpf_inode_storage_get(&open_decisions, file->f_inode, 0, 0);
	struct path_state now;
	int masks;

	if (!cached || !dentry_hashed(file->f_path.dentry))
		return 1;
	read_path_state(&now, bpf_get_current_task_btf());
	masks = cached_masks(cached, profile_id(inner), file, &now);
	/* A request the rules report needs the path for its event: it is decided again. */
	if (masks < 0 || (masks >> 8) & requested)
		return 1;
	return masks & requested ? -EPERM : 0;
}

/* The verdict from the open's path, kept in the file's inode for the next open. */
static __noinline int open_decided(void *inner, const struct profile_header *h, __u32 mnt_ns, struct file *file, __u32 requested)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct scratch *s;
	__u32 slot;
	__u64 masks;
	int verdict;

	s = claim_scratch(&slot);
	if (!s)
		return unresolved(h, TABLE_FILE);
	/* Before the path is built: a change while it is built leaves the entry stale from the start. */
	read_path_state(&s->path_state, task);
	if (open_path(s, file) < 0) {
		verdict = unresolved(h, TABLE_FILE);
	} else {
		/* The masks for every access, so the entry answers any later request. */
		s->table = TABLE_FILE;
		s->requested = MAY_ACCESS;
		masks = match_path(inner, s, h);
		store_decision(file, task, profile_id(inner), &s->path_state, (__u32)masks, masks >> 32);
		verdict = report_path(s, h, mnt_ns, (__u32)masks & requested, (masks >> 32) & requested, EVENT_FILE, requested);
	}
	release_scratch(slot);
	return verdict;
}

static __noinline int file_open_confined(void *inner, __u32 mnt_ns, struct file *file)
{
	struct task_struct *task = bpf_get_current_task_btf();
	const struct profile_header *h = header_of(inner);
	__u32 fmode, flags, requested = 0;
	int verdict;

	if (!h || !table_in_use(h, TABLE_FILE))
		return 0;
	/*
	 * The kernel opening a file with borrowed credentials (overlayfs opening the real file under the one the
	 * task opened, which was checked already) is not the task's request.
	 */
	if ((__u64)task->cred != (__u64)task->real_cred)
		return 0;
	fmode = file->f_mode;
	flags = file->f_flags;
	/* The executable itself is checked by the exec rules. */
	if (fmode & FMODE_EXEC)
		return 0;
	if (fmode & FMODE_WRITE)
		requested |= flags & O_APPEND ? MAY_APPEND : MAY_WRITE;
	if (fmode & FMODE_READ)
		requested |= MAY_READ;
	if (flags & O_TRUNC || fmode & FMODE_CREATED)
		requested |= MAY_WRITE;
	if (!requested)
		return 0;
	/* Complain mode reports every open with its path: it has nothing to cache. */
	if (h->flags & PROFILE_COMPLAIN)
		return file_open_judged(inner, h, mnt_ns, file, requested);
	verdict = open_cached(inner, file, requested);
	if (verdict <= 0)
		return verdict;
	return open_decided(inner, h, mnt_ns, file, requested);
}

SEC("lsm/file_open")
int BPF_PROG(armorkit_file_open, struct file *file, int ret)
{
	__u32 mnt_ns;
	void *inner;

	if (ret)
		return ret;
	mnt_ns = current_mnt_ns();
	inner = profile_of(&mnt_ns);
	if (!inner)
		return 0;
	return file_open_confined(inner, mnt_ns, file);
}

/* A dentry gets its inode: an earlier dentry of that inode may have had this address, so its entry goes. */
SEC("lsm/d_instantiate")
int BPF_PROG(armorkit_d_instantiate, struct dentry *dentry, struct inode *inode)
{
	if (inode)
		bpf_inode_storage_delete(&open_decisions, inode);
	return 0;
}

static __always_inline void count_root_change(void)
{
	__u32 zero = 0, *changes = bpf_map_lookup_elem(&root_changes, &zero);

	if (changes)
		__sync_fetch_and_add(changes, 1);
}

SEC("lsm/path_chroot")
int BPF_PROG(armorkit_path_chroot, const struct path *path, int ret)
{
	count_root_change();
	return ret;
}

SEC("lsm/sb_pivotroot")
int BPF_PROG(armorkit_sb_pivotroot, const struct path *old_path, const struct path *new_path, int ret)
{
	count_root_change();
	return ret;
}

/* Checks a dentry's path (walked) against the file rules with `requested`. */
static __always_inline int judge_dentry(void *inner, const struct profile_header *h, struct scratch *s, __u32 mnt_ns, __u64 dentry,
					__u64 vfsmnt, __u32 requested)
{
	if (walk_path(s, dentry, vfsmnt) < 0)
		return unresolved(h, TABLE_FILE);
	s->fstype[0] = 0;
	return judge_path(inner, h, s, mnt_ns, TABLE_FILE, requested, EVENT_FILE, requested);
}

/* The dentries of a link, rename or symlink (BPF functions take at most five arguments). */
struct renaming {
	__u64 old_dentry;
	__u64 old_mnt;
	__u64 new_dentry;
	__u64 new_mnt;
	__u32 new_requested;
	__u32 mnt_ns;
};

/*
 * A new name for a file (link, rename): its old path counts as read, written and appended (the content
 * becomes reachable under a name no rule covers), its new path as written. A symlink has only the new path.
 */
static __noinline int two_paths(void *inner, const struct renaming *r)
{
	const struct profile_header *h = header_of(inner);
	struct scratch *s;
	__u32 slot;
	int old_verdict, new_verdict;

	if (!h || !table_in_use(h, TABLE_FILE))
		return 0;
	s = claim_scratch(&slot);
	if (!s)
		return unresolved(h, TABLE_FILE);
	old_verdict = r->old_dentry ? judge_dentry(inner, h, s, r->mnt_ns, r->old_dentry, r->old_mnt, MAY_ACCESS) : 0;
	new_verdict = judge_dentry(inner, h, s, r->mnt_ns, r->new_dentry, r->new_mnt, r->new_requested);
	release_scratch(slot);
	return old_verdict ? old_verdict : new_verdict;
}

SEC("lsm/path_symlink")
int BPF_PROG(armorkit_path_symlink, const struct path *dir, struct dentry *dentry, const char *old_name, int ret)
{
	struct renaming r = {};
	void *inner;

	if (ret)
		return ret;
	r.mnt_ns = current_mnt_ns();
	inner = profile_of(&r.mnt_ns);
	if (!inner)
		return 0;
	r.new_dentry = (__u64)dentry;
	r.new_mnt = (__u64)dir->mnt;
	r.new_requested = MAY_WRITE;
	return two_paths(inner, &r);
}

SEC("lsm/path_link")
int BPF_PROG(armorkit_path_link, struct dentry *old_dentry, const struct path *new_dir, struct dentry *new_dentry, int ret)
{
	struct renaming r = {};
	void *inner;

	if (ret)
		return ret;
	r.mnt_ns = current_mnt_ns();
	inner = profile_of(&r.mnt_ns);
	if (!inner)
		return 0;
	/* A hard link stays within one mount: the old dentry is under new_dir's mount. */
	r.old_dentry = (__u64)old_dentry;
	r.old_mnt = (__u64)new_dir->mnt;
	r.new_dentry = (__u64)new_dentry;
	r.new_mnt = (__u64)new_dir->mnt;
	r.new_requested = MAY_WRITE;
	return two_paths(inner, &r);
}

SEC("lsm/path_rename")
int BPF_PROG(armorkit_path_rename, const struct path *old_dir, struct dentry *old_dentry, const struct path *new_dir,
	     struct dentry *new_dentry, unsigned int flags, int ret)
{
	struct renaming r = {};
	void *inner;

	if (ret)
		return ret;
	r.mnt_ns = current_mnt_ns();
	inner = profile_of(&r.mnt_ns);
	if (!inner)
		return 0;
	r.old_dentry = (__u64)old_dentry;
	r.old_mnt = (__u64)old_dir->mnt;
	r.new_dentry = (__u64)new_dentry;
	r.new_mnt = (__u64)new_dir->mnt;
	/* RENAME_EXCHANGE moves the new path's file to the old name too. */
	r.new_requested = flags & RENAME_EXCHANGE ? MAY_ACCESS : MAY_WRITE;
	return two_paths(inner, &r);
}

/*
 * Creating (open with O_CREAT, mknod), making a directory, deleting and truncating by path write to that
 * path: checked before the kernel does it, so a refused create leaves nothing behind.
 */
static __always_inline int one_path(__u64 dentry, __u64 mnt)
{
	struct renaming r = {};
	void *inner;

	r.mnt_ns = current_mnt_ns();
	inner = profile_of(&r.mnt_ns);
	if (!inner)
		return 0;
	r.new_dentry = dentry;
	r.new_mnt = mnt;
	r.new_requested = MAY_WRITE;
	return two_paths(inner, &r);
}

SEC("lsm/path_mknod")
int BPF_PROG(armorkit_path_mknod, const struct path *dir, struct dentry *dentry, unsigned short mode, unsigned int dev, int ret)
{
	return ret ? ret : one_path((__u64)dentry, (__u64)dir->mnt);
}

SEC("lsm/path_mkdir")
int BPF_PROG(armorkit_path_mkdir, const struct path *dir, struct dentry *dentry, unsigned short mode, int ret)
{
	return ret ? ret : one_path((__u64)dentry, (__u64)dir->mnt);
}

SEC("lsm/path_unlink")
int BPF_PROG(armorkit_path_unlink, const struct path *dir, struct dentry *dentry, int ret)
{
	return ret ? ret : one_path((__u64)dentry, (__u64)dir->mnt);
}

SEC("lsm/path_rmdir")
int BPF_PROG(armorkit_path_rmdir, const struct path *dir, struct dentry *dentry, int ret)
{
	return ret ? ret : one_path((__u64)dentry, (__u64)dir->mnt);
}

SEC("lsm/path_truncate")
int BPF_PROG(armorkit_path_truncate, const struct path *path, int ret)
{
	return ret ? ret : one_path((__u64)path->dentry, (__u64)path->mnt);
}

/* ---- exec ---- */

static __noinline int exec_confined(void *inner, __u32 mnt_ns, struct linux_binprm *bprm)
{
	const struct profile_header *h = header_of(inner);
	struct scratch *s;
	__u64 invoked = 0, resolved;
	__u32 slot, deny, audit;
	long length;

	if (!h || !table_in_use(h, TABLE_EXEC))
		return 0;
	s = claim_scratch(&slot);
	if (!s)
		return unresolved(h, TABLE_EXEC);
	s->fstype[0] = 0;
	s->table = TABLE_EXEC;
	s->requested = MAY_EXEC;
	/* The name it was invoked by (or the interpreter named by a #! line), when absolute. */
	read_path_string(s, bprm->interp);
	if (s->path_length > 0 && s->buf[PATH_OFFSET] == '/' && !(h->flags & PROFILE_COMPLAIN))
		invoked = match_path(inner, s, h);
	/* The file actually executed, whatever it was called (closes vArmor's Q2: ./curl). */
	length = bpf_d_path(&bprm->file->f_path, s->buf + PATH_OFFSET, SHORT_PATH_ROOM);
	if (length <= 0)
		length = bpf_d_path(&bprm->file->f_path, s->buf + PATH_OFFSET, PATH_ROOM);
	if (length <= 0) {
		int verdict = invoked & 0xffffffff ? -EPERM : unresolved(h, TABLE_EXEC);
		release_scratch(slot);
		return verdict;
	}
	s->path_length = (length - 1) & PATH_MASK;
	find_base(s);
	s->event.head.a = MAY_EXEC;
	__builtin_memset(s->event.head.fstype, 0, FSTYPE_BYTES);
	if (h->flags & PROFILE_COMPLAIN) {
		emit_path(s, EVENT_ALLOWED, EVENT_EXEC, mnt_ns);
		release_scratch(slot);
		return 0;
	}
	resolved = match_path(inner, s, h);
	deny = (__u32)(invoked | resolved);
	audit = (invoked | resolved) >> 32;
	if (audit)
		emit_path(s, deny ? EVENT_DENIED : EVENT_AUDIT, EVENT_EXEC, mnt_ns);
	release_scratch(slot);
	return deny ? -EPERM : 0;
}

SEC("lsm/bprm_check_security")
int BPF_PROG(armorkit_bprm_check_security, struct linux_binprm *bprm, int ret)
{
	__u32 mnt_ns;
	void *inner;

	if (ret)
		return ret;
	mnt_ns = current_mnt_ns();
	inner = profile_of(&mnt_ns);
	if (!inner)
		return 0;
	return exec_confined(inner, mnt_ns, bprm);
}

/* ---- sockets ---- */

static __always_inline __u32 protocol_class(int family, int type, int protocol)
{
	bool inet = family == AF_INET || family == AF_INET6;

	/* Closes vArmor's Q6: protocol 0 is the type's default protocol; MPTCP is TCP. */
	if (inet && protocol == IPPROTO_MPTCP)
		protocol = IPPROTO_TCP;
	if (inet && protocol == 0)
		protocol = type == SOCK_STREAM ? IPPROTO_TCP : type == SOCK_DGRAM ? IPPROTO_UDP : 0;
	switch (protocol) {
	case IPPROTO_ICMP:
		return 1;
	case IPPROTO_TCP:
		return 2;
	case IPPROTO_UDP:
		return 3;
	case IPPROTO_ICMPV6:
		return 4;
	default:
		return 0;
	}
}

static __noinline int socket_confined(void *inner, __u32 mnt_ns, int family, int type, int protocol)
{
	const struct profile_header *h = header_of(inner);
	struct rule_key key = { .kind = KEY_SOCKET };
	const struct socket_rules *rules;
	__u32 klass, deny = 0, audit = 0;

	if (!h)
		return 0;
	if (h->flags & PROFILE_COMPLAIN) {
		emit_small(EVENT_ALLOWED, EVENT_NETWORK, mnt_ns, NETWORK_SOCKET, family, type, protocol, 0);
		return 0;
	}
	if (!(h->flags & PROFILE_HAS_SOCKET))
		return 0;
	klass = protocol_class(family, type, protocol);
	if (klass >= SOCKET_CLASSES)
		return 0;
	type &= 15;
	key.length = family;
	rules = bpf_map_lookup_elem(inner, &key);
	if (rules) {
		deny |= (rules->deny[klass] >> type) & 1;
		audit |= (rules->audit[klass] >> type) & 1;
	}
	key.length = SOCKET_ANY_FAMILY;
	rules = bpf_map_lookup_elem(inner, &key);
	if (rules) {
		deny |= (rules->deny[klass] >> type) & 1;
		audit |= (rules->audit[klass] >> type) & 1;
	}
	if (audit)
		emit_small(deny ? EVENT_DENIED : EVENT_AUDIT, EVENT_NETWORK, mnt_ns, NETWORK_SOCKET, family, type, protocol, 0);
	return deny ? -EPERM : 0;
}

SEC("lsm/socket_create")
int BPF_PROG(armorkit_socket_create, int family, int type, int protocol, int kern, int ret)
{
	__u32 mnt_ns;
	void *inner;

	if (ret)
		return ret;
	/* Sockets the kernel makes for itself are not the task's doing. */
	if (kern)
		return 0;
	mnt_ns = current_mnt_ns();
	inner = profile_of(&mnt_ns);
	if (!inner)
		return 0;
	return socket_confined(inner, mnt_ns, family, type, protocol);
}

/* ---- connect ---- */

struct connector {
	void *inner;
	struct rule_key key;
	__u64 lengths[3];
	__u32 port;
	__u32 deny;
	__u32 audit;
	__u32 family;
	__u8 address[16];
};

static __always_inline bool port_matches(const struct connect_rule *rule, __u32 port)
{
	switch (rule->port_kind) {
	case PORTS_ANY:
		return true;
	case PORTS_ONE:
		return port == rule->port;
	case PORTS_RANGE:
		return port >= rule->port && port <= rule->end_port;
	case PORTS_LIST:
		for (int i = 0; i < 16; i++) {
			if (i >= rule->port_count)
				break;
			if (rule->ports[i] == port)
				return true;
		}
		return false;
	default:
		return false;
	}
}

static long connect_step(__u32 slot, void *ctx)
{
	struct connector *c = ctx;
	const struct connect_rule *rule;

	c->key.slot = slot;
	rule = bpf_map_lookup_elem(c->inner, &c->key);
	if (!rule)
		return 1;
	if (port_matches(rule, c->port)) {
		c->deny |= rule->deny;
		c->audit |= rule->audit;
	}
	return rule->more ? 0 : 1;
}

/* The rules under one address key: the address bytes are in c->key already. */
static __always_inline void connect_chain(struct connector *c, __u32 table, __u32 length)
{
	c->key.kind = KEY_CONNECT;
	c->key.table = table;
	c->key.anchor = c->family;
	c->key.length = length;
	bpf_loop(MAX_SLOTS, connect_step, c, 0);
}

static __always_inline void set_address(struct connector *c, __u32 prefix)
{
	__u8 *key = (__u8 *)c->key.hash;

	for (int i = 0; i < 16; i++) {
		__u32 bits = prefix > 8 * i ? prefix - 8 * i : 0;
		__u8 mask = bits >= 8 ? 0xff : (__u8)(0xff << (8 - bits));
		key[i] = c->address[i] & mask;
	}
}

static long cidr_step(__u32 length, void *ctx)
{
	struct connector *c = ctx;
	__u32 limit = c->family == 4 ? 32 : 128;

	if (length > limit)
		return 1;
	__u32 word = length >> 6;
	if (word > 2)
		return 1;
	if (!((c->lengths[word] >> (length & 63)) & 1))
		return 0;
	set_address(c, length);
	connect_chain(c, CONNECT_CIDR, length);
	return 0;
}

static __noinline int connect_confined(void *inner, __u32 mnt_ns, struct sockaddr *address, int addrlen)
{
	const struct profile_header *h = header_of(inner);
	struct connector c = {};
	struct sockaddr_in6 sa = {};
	struct sockaddr_in *sin = (struct sockaddr_in *)&sa;
	const struct pod_addresses *pod;
	__u32 family, flags;

	if (!h)
		return 0;
	if (!(h->flags & (PROFILE_HAS_CONNECT | PROFILE_COMPLAIN)))
		return 0;
	bpf_probe_read_kernel(&sa, sizeof(sa), address);
	if (sa.sin6_family == AF_INET && addrlen >= (int)sizeof(struct sockaddr_in)) {
		c.family = 4;
		__builtin_memcpy(c.address, sin->sin_addr, 4);
		c.port = bpf_ntohs(sin->sin_port);
	} else if (sa.sin6_family == AF_INET6 && addrlen >= 24) {
		const __u32 *words = (const __u32 *)sa.sin6_addr;
		c.port = bpf_ntohs(sa.sin6_port);
		/* ::ffff:a.b.c.d reaches the IPv4 address a.b.c.d: IPv4 rules apply. */
		if (words[0] == 0 && words[1] == 0 && words[2] == bpf_htonl(0xffff)) {
			c.family = 4;
			__builtin_memcpy(c.address, sa.sin6_addr + 12, 4);
		} else {
			c.family = 6;
			__builtin_memcpy(c.address, sa.sin6_addr, 16);
		}
	} else {
		return 0;
	}
	family = c.family == 4 ? AF_INET : AF_INET6;
	if (h->flags & PROFILE_COMPLAIN) {
		emit_small(EVENT_ALLOWED, EVENT_NETWORK, mnt_ns, NETWORK_CONNECT, family, c.port, 0, c.address);
		return 0;
	}
	c.inner = inner;
	flags = h->connect_flags;
	if (flags & (c.family == 4 ? CONNECT_HAS_EXACT4 : CONNECT_HAS_EXACT6)) {
		set_address(&c, 128);
		connect_chain(&c, CONNECT_EXACT, 0);
	}
	if (c.family == 4) {
		c.lengths[0] = h->cidr4_lengths;
		c.lengths[1] = 0;
		c.lengths[2] = 0;
	} else {
		c.lengths[0] = h->cidr6_lengths[0];
		c.lengths[1] = h->cidr6_lengths[1];
		c.lengths[2] = h->cidr6_lengths[2];
	}
	if (c.lengths[0] | c.lengths[1] | c.lengths[2])
		bpf_loop(129, cidr_step, &c, 0);
	if (flags & (c.family == 4 ? CONNECT_HAS_ANY4 : CONNECT_HAS_ANY6)) {
		__builtin_memset(c.key.hash, 0, 16);
		connect_chain(&c, CONNECT_ANY, 0);
	}
	if (flags & (c.family == 4 ? CONNECT_HAS_POD4 : CONNECT_HAS_POD6)) {
		pod = bpf_map_lookup_elem(&pod_addresses, &mnt_ns);
		if (pod) {
			bool same = c.family == 4 ? (pod->flags & POD_HAS_IPV4) && *(const __u32 *)pod->ipv4 == *(const __u32 *)c.address
						  : (pod->flags & POD_HAS_IPV6) && *(const __u64 *)pod->ipv6 == *(const __u64 *)c.address &&
							    *(const __u64 *)(pod->ipv6 + 8) == *(const __u64 *)(c.address + 8);
			if (same) {
				__builtin_memset(c.key.hash, 0, 16);
				connect_chain(&c, CONNECT_POD, 0);
			}
		}
	}
	if (c.audit)
		emit_small(c.deny ? EVENT_DENIED : EVENT_AUDIT, EVENT_NETWORK, mnt_ns, NETWORK_CONNECT, family, c.port, 0, c.address);
	return c.deny ? -EPERM : 0;
}

SEC("lsm/socket_connect")
int BPF_PROG(armorkit_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen, int ret)
{
	__u32 mnt_ns;
	void *inner;

	if (ret)
		return ret;
	mnt_ns = current_mnt_ns();
	inner = profile_of(&mnt_ns);
	if (!inner)
		return 0;
	return connect_confined(inner, mnt_ns, address, addrlen);
}

/* ---- ptrace ---- */

/* One side's rule: `permission` against the profile of mount namespace `mnt_ns`; `outside` = the other task is elsewhere. */
static __always_inline int ptrace_side(__u32 mnt_ns, __u32 permission, bool outside)
{
	void *inner = profile_of(&mnt_ns);
	const struct profile_header *h;
	__u32 deny, audit;

	if (!inner)
		return 0;
	h = header_of(inner);
	if (!h)
		return 0;
	if (h->flags & PROFILE_COMPLAIN) {
		emit_small(EVENT_ALLOWED, EVENT_PTRACE, mnt_ns, permission, outside, 0, 0, 0);
		return 0;
	}
	deny = (h->ptrace_deny_everywhere | (outside ? h->ptrace_deny_outside : 0)) & permission;
	audit = (h->ptrace_audit_everywhere | (outside ? h->ptrace_audit_outside : 0)) & permission;
	if (audit)
		emit_small(deny ? EVENT_DENIED : EVENT_AUDIT, EVENT_PTRACE, mnt_ns, permission, outside, 0, 0, 0);
	return deny ? -EPERM : 0;
}

SEC("lsm/ptrace_access_check")
int BPF_PROG(armorkit_ptrace_access_check, struct task_struct *child, unsigned int mode, int ret)
{
	__u32 current_ns, child_ns, zero = 0;
	const struct settings *config;
	bool read = mode & PTRACE_MODE_READ;
	int verdict;

	if (ret)
		return ret;
	current_ns = current_mnt_ns();
	child_ns = task_mnt_ns(child);
	verdict = ptrace_side(current_ns, read ? PTRACE_READ : PTRACE_TRACE, current_ns != child_ns);
	/* Tools on the host may always look into containers. */
	config = bpf_map_lookup_elem(&settings, &zero);
	if (config && config->host_mnt_ns == current_ns)
		return verdict;
	if (!verdict)
		verdict = ptrace_side(child_ns, read ? PTRACE_READBY : PTRACE_TRACEBY, current_ns != child_ns);
	else
		ptrace_side(child_ns, read ? PTRACE_READBY : PTRACE_TRACEBY, current_ns != child_ns);
	return verdict;
}

/* ---- capabilities ---- */

SEC("lsm/capable")
int BPF_PROG(armorkit_capable, const struct cred *cred, struct user_namespace *ns, int cap, unsigned int opts, int ret)
{
	struct task_struct *task;
	const struct profile_header *h;
	__u32 mnt_ns, deny, audit;
	void *inner;

	if (ret)
		return ret;
	task = bpf_get_current_task_btf();
	mnt_ns = task_mnt_ns(task);
	inner = profile_of(&mnt_ns);
	if (!inner)
		return 0;
	/* The kernel acting with borrowed credentials (overlayfs copy-up, access(2)) is not the task's request. */
	if ((__u64)task->cred != (__u64)task->real_cred)
		return 0;
	h = header_of(inner);
	if (!h || cap < 0 || cap > 63)
		return 0;
	if (h->flags & PROFILE_COMPLAIN) {
		if (!(opts & CAP_OPT_NOAUDIT))
			emit_small(EVENT_ALLOWED, EVENT_CAPABILITY, mnt_ns, cap, 0, 0, 0, 0);
		return 0;
	}
	deny = (h->capability_deny >> cap) & 1;
	audit = (h->capability_audit >> cap) & 1;
	if (audit && !(opts & CAP_OPT_NOAUDIT))
		emit_small(deny ? EVENT_DENIED : EVENT_AUDIT, EVENT_CAPABILITY, mnt_ns, cap, 0, 0, 0, 0);
	return deny ? -EPERM : 0;
}

/* ---- mounts ---- */

static __always_inline void set_fstype_none(struct scratch *s)
{
	__builtin_memset(s->fstype, 0, FSTYPE_BYTES);
	s->fstype[0] = 'n';
	s->fstype[1] = 'o';
	s->fstype[2] = 'n';
	s->fstype[3] = 'e';
}

static __noinline int mount_confined(void *inner, __u32 mnt_ns, const char *dev_name, const char *type, __u32 flags)
{
	const struct profile_header *h = header_of(inner);
	struct scratch *s;
	__u32 slot;
	int verdict;

	if (!h || !table_in_use(h, TABLE_MOUNT))
		return 0;
	s = claim_scratch(&slot);
	if (!s)
		return unresolved(h, TABLE_MOUNT);
	read_path_string(s, dev_name);
	/* Bind, move, remount and propagation changes work on an existing mount: its type does not matter. */
	if (flags & EXISTING_MOUNT_FLAGS || !type) {
		set_fstype_none(s);
	} else {
		__builtin_memset(s->fstype, 0, FSTYPE_BYTES);
		bpf_probe_read_kernel_str(s->fstype, FSTYPE_BYTES, type);
	}
	s->mount_flags = flags;
	s->new_mount = 1;
	verdict = judge_path(inner, h, s, mnt_ns, TABLE_MOUNT, 1, EVENT_MOUNT, flags);
	release_scratch(slot);
	return verdict;
}

SEC("lsm/sb_mount")
int BPF_PROG(armorkit_sb_mount, const char *dev_name, const struct path *path, const char *type, unsigned long flags, void *data, int ret)
{
	__u32 mnt_ns;
	void *inner;

	if (ret)
		return ret;
	mnt_ns = current_mnt_ns();
	inner = profile_of(&mnt_ns);
	if (!inner)
		return 0;
	return mount_confined(inner, mnt_ns, dev_name, type, (__u32)flags);
}

/* umount and move_mount: the path of an existing mount, checked as flags MAY_UMOUNT or MS_MOVE, type none. */
static __noinline int existing_mount(void *inner, __u32 mnt_ns, __u64 dentry, __u64 vfsmnt, __u32 flags)
{
	const struct profile_header *h = header_of(inner);
	struct scratch *s;
	__u32 slot;
	int verdict;

	if (!h || !table_in_use(h, TABLE_MOUNT))
		return 0;
	s = claim_scratch(&slot);
	if (!s)
		return unresolved(h, TABLE_MOUNT);
	if (walk_path(s, dentry, vfsmnt) < 0) {
		verdict = unresolved(h, TABLE_MOUNT);
	} else {
		set_fstype_none(s);
		s->mount_flags = flags;
		s->new_mount = 0;
		verdict = judge_path(inner, h, s, mnt_ns, TABLE_MOUNT, 1, EVENT_MOUNT, flags);
	}
	release_scratch(slot);
	return verdict;
}

SEC("lsm/sb_umount")
int BPF_PROG(armorkit_sb_umount, struct vfsmount *mnt, int flags, int ret)
{
	__u32 mnt_ns;
	void *inner;

	if (ret)
		return ret;
	mnt_ns = current_mnt_ns();
	inner = profile_of(&mnt_ns);
	if (!inner)
		return 0;
	return existing_mount(inner, mnt_ns, (__u64)mnt->mnt_root, (__u64)mnt, MAY_UMOUNT);
}

SEC("lsm/move_mount")
int BPF_PROG(armorkit_move_mount, const struct path *from_path, const struct path *to_path, int ret)
{
	__u32 mnt_ns;
	void *inner;

	if (ret)
		return ret;
	mnt_ns = current_mnt_ns();
	inner = profile_of(&mnt_ns);
	if (!inner)
		return 0;
	return existing_mount(inner, mnt_ns, (__u64)from_path->dentry, (__u64)from_path->mnt, MS_MOVE);
}
