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
 */
struct lkp_mm_work {
	struct work_struct work;
	struct mm_struct *mm;
	unsigned long addr;
	unsigned long len;
	unsigned long prot;
	bool unmap;
	long ret;
};

static void lkp_mm_work_fn(struct work_struct *work)
{
	struct lkp_mm_work *w = container_of(work, struct lkp_mm_work, work);

	kthread_use_mm(w->mm);
	if (w->unmap)
		w->ret = vm_munmap(w->addr, w->len);
	else
		w->ret = vm_mmap(NULL, w->addr, w->len, w->prot,
				 MAP_PRIVATE | MAP_ANONYMOUS |
				 MAP_FIXED_NOREPLACE, 0);
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
				  u64 len, u32 prot)
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
	if ((prot & PROT_WRITE) && READ_ONCE(mm->data_vm) + npages > data)
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

int lkp_ioc_map(struct file *file, void *karg)
{
	struct lkp_session *s = file->private_data;
	struct lkp_map_window w = { 0 };
	struct lkp_map *mp = karg;
	struct lkp_mm_work work;
	struct lkp_mapping *m;
	struct mm_struct *mm;
	int tries, ret;
	long addr;

	mp->addr = 0;
	if (mp->flags || mp->prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC) ||
	    !mp->len || !PAGE_ALIGNED(mp->len) || !PAGE_ALIGNED(mp->hint) ||
	    mp->len > TASK_SIZE_MAX)
		return -EINVAL;
	ret = lkp_map_get_mm(s, &mm);
	if (ret)
		return ret;

	/* Starts within max_distance of hint, page aligned, saturating. */
	w.hint = mp->hint;
	w.len = mp->len;
	w.lo = mp->hint > mp->max_distance ? mp->hint - mp->max_distance : 0;
	w.lo = max_t(u64, PAGE_ALIGN(w.lo), LKP_MAP_FLOOR);
	w.hi = mp->hint + mp->max_distance < mp->hint ?
	       U64_MAX : mp->hint + mp->max_distance;
	w.hi &= PAGE_MASK;
	/*
	 * As mmap() does: memory above the 47-bit window (5-level paging)
	 * only for a hint above it.
	 */
	w.ceil = mp->hint > DEFAULT_MAP_WINDOW ? mm->task_size :
						 DEFAULT_MAP_WINDOW;

	ret = lkp_map_within_rlimits(s, mm, mp->len, mp->prot);
	if (ret)
		goto put_mm;
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m) {
		ret = -ENOMEM;
		goto put_mm;
	}
	for (tries = 0; tries < LKP_MAP_TRIES; tries++) {
		ret = lkp_map_find(mm, &w);
		if (ret)
			break;
		work = (struct lkp_mm_work){
			.mm = mm, .addr = w.best, .len = w.len,
			.prot = mp->prot,
		};
		addr = lkp_mm_run(&work);
		/* EEXIST: something got mapped there since the search. */
		ret = IS_ERR_VALUE(addr) ? addr : 0;
		if (ret != -EEXIST)
			break;
	}
	if (ret == -EEXIST)
		ret = -ENOMEM;
	if (ret) {
		kfree(m);
		goto put_mm;
	}

	mmgrab(mm);
	m->mm = mm;
	m->addr = addr;
	m->len = mp->len;
	mutex_lock(&lkp_mappings_lock);
	lkp_mappings_prune();
	list_add(&m->node, &lkp_mappings);
	mutex_unlock(&lkp_mappings_lock);
	mp->addr = addr;
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
			.mm = mm, .addr = found->addr, .len = found->len,
			.unmap = true,
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
