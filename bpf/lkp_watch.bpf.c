// SPDX-License-Identifier: GPL-2.0
/* lkp_watch.bpf.c: reports execs and executable file mappings of watched objects to lkpd through a ring buffer. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "lkp_watch.h"

/*
 * Every exec and every PROT_EXEC file mapping in the system passes through
 * here, so the path for an object nobody watches is one hash lookup and no
 * ring buffer traffic. The key is the inode of the struct file at hand: for
 * an exec on overlayfs the overlay's inode and superblock, for a mapping the
 * layer's (see docs/lkpd.md).
 */

#define LKP_VM_EXEC		0x4

char LICENSE[] SEC("license") = "GPL";

/* Filled by userspace (lkpd): the objects that have an installed patch. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LKP_WATCH_MAX_OBJECTS);
	__type(key, struct lkp_watch_key);
	__type(value, struct lkp_watch_value);
} watched SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, LKP_WATCH_RINGBUF_SIZE);
} events SEC(".maps");

/* Events lost to a full ring buffer; userspace sums the CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} dropped SEC(".maps");

/* file comes from a probe read (not a BTF pointer): read through it the same way. */
static __always_inline void lkp_file_key(struct file *file, struct lkp_watch_key *key)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);

	key->ino = BPF_CORE_READ(inode, i_ino);
	key->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	key->pad = 0;
}

static __always_inline void lkp_report(__u32 kind, const struct lkp_watch_key *key,
				       const struct lkp_watch_value *val,
				       __u64 addr, __u64 len, __u64 pgoff)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct lkp_watch_event *e;
	__u32 zero = 0;
	__u64 *lost;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		lost = bpf_map_lookup_elem(&dropped, &zero);
		if (lost)
			*lost += 1;
		return;
	}
	e->kind = kind;
	e->pid = (__u32)id;
	e->tgid = id >> 32;
	e->dev = key->dev;
	e->ino = key->ino;
	e->cookie = val->cookie;
	e->addr = addr;
	e->len = len;
	e->pgoff = pgoff;
	bpf_ringbuf_submit(e, 0);
}

/*
 * After the new image is set up, before it runs a user instruction. For a
 * script, bprm->file is the interpreter by now: the object that will run.
 */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(lkp_watch_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct inode *inode = bprm->file->f_inode;	/* BTF pointers: plain loads */
	struct lkp_watch_key key = {
		.ino = inode->i_ino,
		.dev = inode->i_sb->s_dev,
	};
	struct lkp_watch_value *val;

	val = bpf_map_lookup_elem(&watched, &key);
	if (val)
		lkp_report(LKP_WATCH_EXEC, &key, val, 0, 0, 0);
	return 0;
}

/*
 * Every store into a maple tree. Neither fentry/fexit (BPF trampolines) nor
 * kprobes are available on every kernel lkp runs on (the development
 * machines' kernel refuses trampolines and has no kprobes), and no mm
 * tracepoint names the new VMA on both 6.1 and later kernels; ma_write does,
 * on both: mmap_region() stores the VMA once it is set up, after the
 * file's ->mmap() (on overlayfs, vm_file is then the layer's file, which is
 * why userspace adds a second key for mappings). Writes to other maple trees,
 * removals and non-executable mappings leave after a compare or two.
 * Mappings made by exec itself (the executable and its ELF interpreter,
 * while in_execve) are left to the exec event.
 */
SEC("tp_btf/ma_write")
int BPF_PROG(lkp_watch_mmap, const char *fn, struct ma_state *mas, unsigned long piv, void *val)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vm_area_struct *vma = val;
	struct lkp_watch_value *wv;
	struct lkp_watch_key key;
	struct mm_struct *mm;
	struct file *file;
	__u64 start;

	if (!vma)
		return 0;
	/* task and mas are BTF pointers: plain loads, cheaper than probe reads. */
	mm = task->mm;
	if (!mm || (unsigned long)mas->tree != (unsigned long)&mm->mm_mt)
		return 0;
	if (!(BPF_CORE_READ(vma, vm_flags) & LKP_VM_EXEC))
		return 0;
	file = BPF_CORE_READ(vma, vm_file);
	if (!file)
		return 0;
	lkp_file_key(file, &key);
	wv = bpf_map_lookup_elem(&watched, &key);
	if (!wv || BPF_CORE_READ_BITFIELD_PROBED(task, in_execve))
		return 0;
	start = BPF_CORE_READ(vma, vm_start);
	lkp_report(LKP_WATCH_MMAP, &key, wv, start, BPF_CORE_READ(vma, vm_end) - start,
		   BPF_CORE_READ(vma, vm_pgoff));
	return 0;
}
