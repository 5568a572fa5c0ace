// SPDX-License-Identifier: GPL-2.0
/* lkp_map.c: private anonymous mappings near an address in the target (LKP_IOC_MAP, LKP_IOC_UNMAP). */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "lkp.h"

/*
 * Nothing is mapped below this, whatever vm.mmap_min_addr says: the mapping
 * is made from a kernel worker, whose capabilities would let it go lower.
 */
#define LKP_MAP_FLOOR		(1UL << 20)
/* Room left below a stack that grows down (the kernel's default guard gap). */
#define LKP_MAP_STACK_GAP	(256UL << PAGE_SHIFT)
/* Room left above the program break, where the heap grows with brk(). */
#define LKP_MAP_BRK_ROOM	(64UL << 20)
/* Tries when the target maps something where lkp was about to. */
#define LKP_MAP_TRIES		4

/*
 * What lkp mapped, per target mm, so that LKP_IOC_UNMAP removes nothing
 * else. Records outlive sessions (patches outlive the tool that applied
 * them); each holds an mmgrab() so that its mm pointer cannot be reused by
 * another process, and is dropped once that mm has no users left.
 */
struct lkp_mapping {
	struct list_head node;
	struct mm_struct *mm;
	unsigned long addr;
	unsigned long len;
};

/* Protects lkp_mappings. */
static DEFINE_MUTEX(lkp_mappings_lock);
static LIST_HEAD(lkp_mappings);

static void lkp_mapping_free(struct lkp_mapping *m)
{
	list_del(&m->node);
	mmdrop(m->mm);
	kfree(m);
}

/* Forget the mappings of processes that have exited or exec'd. */
static void lkp_mappings_prune(void)
{
	struct lkp_mapping *m, *tmp;

	lockdep_assert_held(&lkp_mappings_lock);
	list_for_each_entry_safe(m, tmp, &lkp_mappings, node)
		if (!atomic_read(&m->mm->mm_users))
			lkp_mapping_free(m);
}

void lkp_map_exit(void)
{
	struct lkp_mapping *m, *tmp;

	mutex_lock(&lkp_mappings_lock);
	list_for_each_entry_safe(m, tmp, &lkp_mappings, node)
		lkp_mapping_free(m);
	mutex_unlock(&lkp_mappings_lock);
}

/*
 * vm_mmap() and vm_munmap() work on current->mm: run them from a kernel
 * worker that borrows the target's mm, so that no target thread has to run.
 * One trip makes all the parts of an LKP_IOC_MAP (or undoes one mapping):
 * each trip is two context switches, which under emulation were a good
 * part of patching a small process.
 */
#define LKP_MAP_PARTS	(LKP_MAP_MAX_BELOW + 1)

struct lkp_mm_work {
	struct work_struct work;
	struct mm_struct *mm;
	unsigned long addr[LKP_MAP_PARTS];
	unsigned long len[LKP_MAP_PARTS];
	unsigned long prot[LKP_MAP_PARTS];
	unsigned int nr;
	bool unmap;
	long ret;
};

static void lkp_mm_work_fn(struct work_struct *work)
{
	struct lkp_mm_work *w = container_of(work, struct lkp_mm_work, work);
	unsigned int i;
	long addr;

	kthread_use_mm(w->mm);
	w->ret = 0;
	for (i = 0; i < w->nr; i++) {
		if (w->unmap) {
			w->ret = vm_munmap(w->addr[i], w->len[i]);
			continue;
		}
		addr = vm_mmap(NULL, w->addr[i], w->len[i], w->prot[i],
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, 0);
		if (IS_ERR_VALUE(addr)) {
			/* All or none: take back the parts made. */
			while (i--)
				vm_munmap(w->addr[i], w->len[i]);
			w->ret = addr;
			break;
		}
	}
	kthread_unuse_mm(w->mm);
}

/*
 * On the caller's CPU, from the high-priority pool: the caller sleeps in
 * flush_work() and the worker takes its CPU at once. An unbound worker
 * woke on another CPU, which under emulation took 5 to 20 ms a call.
 */
static long lkp_mm_run(struct lkp_mm_work *w)
{
	INIT_WORK_ONSTACK(&w->work, lkp_mm_work_fn);
	queue_work_on(raw_smp_processor_id(), system_highpri_wq, &w->work);
	flush_work(&w->work);
	destroy_work_on_stack(&w->work);
	return w->ret;
}

/* The target's address space, mmget() held, if it is still the attached image. */
static int lkp_map_get_mm(struct lkp_session *s, struct mm_struct **mmp)
{
	struct mm_struct *mm;
	int ret;

	ret = lkp_session_check_target(s);
	if (ret)
		return ret;
	mm = lkp_session_mm(s);
	if (!mm || !mmget_not_zero(mm))
		return -ESRCH;
	*mmp = mm;
	return 0;
}

/*
 * The target's own address-space limits, which vm_mmap() cannot see: it
 * checks those of current, here a kernel worker with no limits. As
 * may_expand_vm() does: RLIMIT_AS for every mapping, RLIMIT_DATA for a
 * private writable one. A mapping the target makes meanwhile may still
 * take it past them by one mapping: the check is not under its mmap lock.
 */
static int lkp_map_within_rlimits(struct lkp_session *s, struct mm_struct *mm,
				  u64 len, u64 writable)
{
	unsigned long npages = len >> PAGE_SHIFT, as, data;
	struct task_struct *t;

	rcu_read_lock();
	t = pid_task(s->pid, PIDTYPE_TGID);
	if (!t) {
		rcu_read_unlock();
		return -ESRCH;
	}
	as = task_rlimit(t, RLIMIT_AS) >> PAGE_SHIFT;
	data = task_rlimit(t, RLIMIT_DATA) >> PAGE_SHIFT;
	rcu_read_unlock();

	if (READ_ONCE(mm->total_vm) + npages > as)
		return -ENOMEM;
	if (writable && READ_ONCE(mm->data_vm) + (writable >> PAGE_SHIFT) > data)
		return -ENOMEM;
	return 0;
}

/* Where the search may put the start of the mapping. */
struct lkp_map_window {
	u64 lo;		/* lowest start */
	u64 hi;		/* highest start */
	u64 ceil;	/* the mapping ends at or below this */
	u64 brk;	/* the target's program break, page aligned */
	u64 len;
	u64 hint;
	u64 best;
	u64 best_dist;	/* U64_MAX: nothing found yet */
};

/* Consider the free gap [start, end). */
static void lkp_map_gap(struct lkp_map_window *w, u64 start, u64 end)
{
	u64 a, d;

	/* The gap the heap grows into keeps room for it. */
	if (start <= w->brk && w->brk < end)
		start = w->brk + LKP_MAP_BRK_ROOM;
	start = max(start, w->lo);
	end = min(end, w->ceil);
	if (end < w->len || end - w->len < start)
		return;
	end = min(end - w->len, w->hi);	/* now the highest start */
	if (end < start)
		return;
	a = clamp(w->hint, start, end);
	d = a > w->hint ? a - w->hint : w->hint - a;
	if (d < w->best_dist) {
		w->best = a;
		w->best_dist = d;
	}
}

/* The free address closest to the hint, or -ENOMEM. */
static int lkp_map_find(struct mm_struct *mm, struct lkp_map_window *w)
{
	VMA_ITERATOR(vmi, mm, 0);
	u64 prev_end = 0, start;
	struct vm_area_struct *vma;

	w->best_dist = U64_MAX;
	mmap_read_lock(mm);
	w->brk = PAGE_ALIGN(mm->brk);
	for_each_vma(vmi, vma) {
		start = vma->vm_start;
		if (vma->vm_flags & VM_GROWSDOWN)
			start = start > LKP_MAP_STACK_GAP ?
				start - LKP_MAP_STACK_GAP : 0;
		lkp_map_gap(w, prev_end, start);
		prev_end = vma->vm_end;
		if (prev_end > w->hi)
			break;	/* no later gap can hold an acceptable start */
	}
	if (!vma)
		lkp_map_gap(w, prev_end, mm->task_size);
	mmap_read_unlock(mm);
	return w->best_dist == U64_MAX ? -ENOMEM : 0;
}

static bool lkp_map_len_ok(u64 len)
{
	return len && PAGE_ALIGNED(len) && len <= TASK_SIZE_MAX;
}

/* The request's parts, top (the main mapping) first; -EINVAL for a bad one. */
static int lkp_map_parts(const struct lkp_map *mp, struct lkp_mm_work *work,
			 u64 *total, u64 *writable)
{
	const u32 prots = PROT_READ | PROT_WRITE | PROT_EXEC;
	unsigned int i;

	if (mp->flags || mp->reserved || mp->prot & ~prots || !lkp_map_len_ok(mp->len) ||
	    !PAGE_ALIGNED(mp->hint) || mp->nr_below > LKP_MAP_MAX_BELOW)
		return -EINVAL;
	work->nr = mp->nr_below + 1;
	work->len[0] = mp->len;
	work->prot[0] = mp->prot;
	for (i = 0; i < LKP_MAP_MAX_BELOW; i++) {
		const struct lkp_map_part *b = &mp->below[i];

		if (i >= mp->nr_below) {
			if (b->len || b->prot || b->reserved || b->addr)
				return -EINVAL;
			continue;
		}
		if (b->reserved || b->prot & ~prots || !lkp_map_len_ok(b->len))
			return -EINVAL;
		work->len[i + 1] = b->len;
		work->prot[i + 1] = b->prot;
	}
	*total = 0;
	*writable = 0;
	for (i = 0; i < work->nr; i++) {
		*total += work->len[i];
		if (work->prot[i] & PROT_WRITE)
			*writable += work->len[i];
	}
	return *total <= TASK_SIZE_MAX ? 0 : -EINVAL;
}

int lkp_ioc_map(struct file *file, void *karg)
{
	struct lkp_session *s = file->private_data;
	struct lkp_mapping *m[LKP_MAP_PARTS] = { NULL };
	struct lkp_map_window w = { 0 };
	struct lkp_map *mp = karg;
	struct lkp_mm_work work = { 0 };
	struct mm_struct *mm;
	u64 total, writable, below, hint;
	unsigned int i;
	int tries, ret;

	ret = lkp_map_parts(mp, &work, &total, &writable);
	mp->addr = 0;
	for (i = 0; i < LKP_MAP_MAX_BELOW; i++)
		mp->below[i].addr = 0;
	if (ret)
		return ret;
	ret = lkp_map_get_mm(s, &mm);
	if (ret)
		return ret;

	/*
	 * The search places the block of all parts: its start at or near the
	 * hint less the parts below, within max_distance, page aligned,
	 * saturating.
	 */
	below = total - mp->len;
	hint = mp->hint > below ? mp->hint - below : 0;
	w.hint = hint;
	w.len = total;
	w.lo = hint > mp->max_distance ? hint - mp->max_distance : 0;
	w.lo = max_t(u64, PAGE_ALIGN(w.lo), LKP_MAP_FLOOR);
	w.hi = hint + mp->max_distance < hint ? U64_MAX : hint + mp->max_distance;
	w.hi &= PAGE_MASK;
	/*
	 * As mmap() does: memory above the 47-bit window (5-level paging)
	 * only for a hint above it.
	 */
	w.ceil = mp->hint > DEFAULT_MAP_WINDOW ? mm->task_size :
						 DEFAULT_MAP_WINDOW;

	ret = lkp_map_within_rlimits(s, mm, total, writable);
	if (ret)
		goto put_mm;
	for (i = 0; i < work.nr; i++) {
		m[i] = kzalloc(sizeof(*m[i]), GFP_KERNEL);
		if (!m[i]) {
			ret = -ENOMEM;
			goto free;
		}
	}
	work.mm = mm;
	for (tries = 0; tries < LKP_MAP_TRIES; tries++) {
		ret = lkp_map_find(mm, &w);
		if (ret)
			break;
		work.addr[0] = w.best + below;
		for (i = 1; i < work.nr; i++)
			work.addr[i] = work.addr[i - 1] - work.len[i];
		/* EEXIST: something got mapped there since the search. */
		ret = lkp_mm_run(&work);
		if (ret != -EEXIST)
			break;
	}
	if (ret == -EEXIST)
		ret = -ENOMEM;
	if (ret)
		goto free;

	mutex_lock(&lkp_mappings_lock);
	lkp_mappings_prune();
	for (i = 0; i < work.nr; i++) {
		mmgrab(mm);
		m[i]->mm = mm;
		m[i]->addr = work.addr[i];
		m[i]->len = work.len[i];
		list_add(&m[i]->node, &lkp_mappings);
		m[i] = NULL;
	}
	mutex_unlock(&lkp_mappings_lock);
	mp->addr = work.addr[0];
	for (i = 1; i < work.nr; i++)
		mp->below[i - 1].addr = work.addr[i];
free:
	for (i = 0; i < LKP_MAP_PARTS; i++)
		kfree(m[i]);
put_mm:
	mmput(mm);
	return ret;
}

/*
 * The recorded range must still hold only private anonymous memory: if the
 * target unmapped it and mapped a file there, that file is not lkp's.
 */
static bool lkp_mapping_intact(struct lkp_mapping *m)
{
	VMA_ITERATOR(vmi, m->mm, m->addr);
	struct vm_area_struct *vma;
	bool intact = true;

	mmap_read_lock(m->mm);
	for_each_vma_range(vmi, vma, m->addr + m->len)
		if (vma->vm_file || (vma->vm_flags & VM_MAYSHARE))
			intact = false;
	mmap_read_unlock(m->mm);
	return intact;
}

int lkp_ioc_unmap(struct file *file, void *karg)
{
	struct lkp_session *s = file->private_data;
	struct lkp_unmap *um = karg;
	struct lkp_mapping *m, *found = NULL;
	struct lkp_mm_work work;
	struct mm_struct *mm;
	int ret;

	if (um->flags || um->reserved)
		return -EINVAL;
	ret = lkp_map_get_mm(s, &mm);
	if (ret)
		return ret;

	mutex_lock(&lkp_mappings_lock);
	lkp_mappings_prune();
	list_for_each_entry(m, &lkp_mappings, node) {
		if (m->mm == mm && m->addr == um->addr && m->len == um->len) {
			found = m;
			break;
		}
	}
	ret = -ENOENT;
	if (found && !lkp_mapping_intact(found))
		lkp_mapping_free(found);
	else if (found) {
		work = (struct lkp_mm_work){
			.mm = mm, .addr[0] = found->addr, .len[0] = found->len,
			.nr = 1, .unmap = true,
		};
		ret = lkp_mm_run(&work);
		if (!ret)
			lkp_mapping_free(found);
	}
	mutex_unlock(&lkp_mappings_lock);
	mmput(mm);
	return ret;
}

/*
 * 0 when @addr is in an executable mapping lkp made in the session's
 * target and still holds; -ENOENT otherwise (LKP_IOC_CALL's stub).
 */
int lkp_map_check_exec(struct lkp_session *s, u64 addr)
{
	struct vm_area_struct *vma;
	struct lkp_mapping *m;
	struct mm_struct *mm;
	bool found = false;
	int ret;

	ret = lkp_map_get_mm(s, &mm);
	if (ret)
		return ret;
	mutex_lock(&lkp_mappings_lock);
	list_for_each_entry(m, &lkp_mappings, node)
		if (m->mm == mm && addr >= m->addr && addr < m->addr + m->len) {
			found = true;
			break;
		}
	mutex_unlock(&lkp_mappings_lock);
	ret = -ENOENT;
	if (found && !mmap_read_lock_killable(mm)) {
		vma = find_vma(mm, addr);
		if (vma && vma->vm_start <= addr && (vma->vm_flags & VM_EXEC) &&
		    !vma->vm_file && !(vma->vm_flags & VM_MAYSHARE))
			ret = 0;
		mmap_read_unlock(mm);
	}
	mmput(mm);
	return ret;
}
