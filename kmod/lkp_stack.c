// SPDX-License-Identifier: GPL-2.0
/* lkp_stack.c: snapshots of the frozen threads and the stack check (LKP_IOC_STACK_CHECK). */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>

#include "lkp.h"
#include "lkp_freeze.h"

/*
 * A range of the stack check. The ranges are sorted by start, and each
 * entry remembers the largest end up to it, so that a lookup is a binary
 * search plus a short walk back over the ranges that may still cover the
 * value, overlapping ranges included.
 */
struct lkp_range_ent {
	u64 start;
	u64 end;
	u64 max_end;	/* max(end) over this entry and every one before it */
	u32 index;	/* position in the caller's array */
};

/* ------------------------------------------------------------------ */
/* Snapshots                                                          */

struct lkp_snap_fill {
	struct lkp_snapshot *snap;
	unsigned int cap;
};

static int lkp_snap_count(struct task_struct *t, bool in_syscall, void *arg)
{
	unsigned int *count = arg;

	(*count)++;
	return 0;
}

/* Runs under the session's thread walk, which may not sleep. */
static int lkp_snap_fill(struct lkp_twork *w, void *arg)
{
	struct lkp_snap_fill *f = arg;
	struct task_struct *t = w->task;
	struct lkp_thread_snap *th;
	struct pt_regs *regs;
	u64 ip;

	if (f->snap->nr == f->cap)
		return -ENOSPC;
	th = &f->snap->threads[f->snap->nr++];
	/* Stable: the thread cannot return to user mode while frozen. */
	regs = task_pt_regs(t);
	get_task_struct(t);
	th->task = t;
	th->tid = task_pid_vnr(t);
	th->in_syscall = lkp_task_in_syscall(t);
	th->parked = lkp_twork_parked(w);
	ip = regs->ip;
	th->stepping = lkp_uprobe_stepping(t, &ip);
	th->ip = ip;
	th->sp = regs->sp;
	return 0;
}

static void lkp_snapshot_put_threads(struct lkp_snapshot *snap)
{
	unsigned int i;

	for (i = 0; i < snap->nr; i++)
		put_task_struct(snap->threads[i].task);
	kvfree(snap->threads);
	snap->threads = NULL;
	snap->nr = 0;
}

/*
 * Counting first and filling second can race only with threads that a
 * clone() already under way adds while the target is frozen; the slack
 * covers those, and a retry covers a burst.
 */
#define LKP_SNAP_SLACK	64
#define LKP_SNAP_TRIES	4

int lkp_snapshot_take(struct lkp_session *s, struct lkp_snapshot *snap)
{
	struct lkp_snap_fill f = { .snap = snap };
	unsigned int count, tries;
	struct mm_struct *mm;
	int ret = -EAGAIN;

	memset(snap, 0, sizeof(*snap));
	mm = lkp_session_mm(s);
	if (!mm || !mmget_not_zero(mm))
		return -ESRCH;
	snap->mm = mm;

	for (tries = 0; tries < LKP_SNAP_TRIES && ret == -EAGAIN; tries++) {
		count = 0;
		ret = lkp_session_for_each_thread(s, lkp_snap_count, &count);
		if (ret)
			break;
		f.cap = count + LKP_SNAP_SLACK;
		snap->threads = kvcalloc(f.cap, sizeof(*snap->threads),
					 LKP_GFP);
		if (!snap->threads) {
			ret = -ENOMEM;
			break;
		}
		ret = lkp_session_walk_tworks(s, lkp_snap_fill, &f);
		if (ret == -ENOSPC) {
			lkp_snapshot_put_threads(snap);
			ret = -EAGAIN;
		}
	}
	if (!ret && !snap->nr)
		ret = -ESRCH;	/* every thread has exited */
	if (ret)
		lkp_snapshot_free(snap);
	return ret;
}

void lkp_snapshot_free(struct lkp_snapshot *snap)
{
	lkp_snapshot_put_threads(snap);
	if (snap->mm)
		mmput(snap->mm);
	snap->mm = NULL;
}

/* ------------------------------------------------------------------ */
/* Ranges                                                             */

static int lkp_range_cmp(const void *a, const void *b)
{
	const struct lkp_range_ent *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return 0;
}

int lkp_ranges_copy(struct lkp_ranges *r, u64 uptr, u32 nr)
{
	struct lkp_range *in;
	u64 max_end = 0;
	u32 i;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	if (!nr || nr > LKP_MAX_RANGES)
		return -EINVAL;
	in = kvmalloc_array(nr, sizeof(*in), LKP_GFP);
	r->ents = kvmalloc_array(nr, sizeof(*r->ents), LKP_GFP);
	if (!in || !r->ents) {
		ret = -ENOMEM;
		goto free;
	}
	if (copy_from_user(in, u64_to_user_ptr(uptr), nr * sizeof(*in))) {
		ret = -EFAULT;
		goto free;
	}
	for (i = 0; i < nr; i++) {
		if (in[i].start >= in[i].end) {
			ret = -EINVAL;
			goto free;
		}
		r->ents[i].start = in[i].start;
		r->ents[i].end = in[i].end;
		r->ents[i].index = i;
	}
	sort(r->ents, nr, sizeof(*r->ents), lkp_range_cmp, NULL);
	for (i = 0; i < nr; i++) {
		max_end = max(max_end, r->ents[i].end);
		r->ents[i].max_end = max_end;
	}
	r->nr = nr;
free:
	kvfree(in);
	if (ret)
		lkp_ranges_free(r);
	return ret;
}

void lkp_ranges_free(struct lkp_ranges *r)
{
	kvfree(r->ents);
	r->ents = NULL;
	r->nr = 0;
}

/*
 * Whether @v is within the hull of the ranges. Most stack words are
 * nowhere near them: two compares spare them the search, which for every
 * word made the stack check of 1000 threads take 25 ms under emulation.
 */
static inline bool lkp_ranges_hull_has(const struct lkp_ranges *r, u64 v)
{
	return r->nr && v >= r->ents[0].start && v < r->ents[r->nr - 1].max_end;
}

/*
 * The range holding @v. A return address is never the first byte of the
 * function it returns into (the call instruction comes before it), so a
 * stack word equal to a range's start is a function pointer and is skipped.
 */
static const struct lkp_range_ent *
lkp_ranges_find(const struct lkp_ranges *r, u64 v, bool retaddr)
{
	const struct lkp_range_ent *e;
	u32 lo = 0, hi = r->nr, mid;

	if (!lkp_ranges_hull_has(r, v))
		return NULL;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r->ents[mid].start <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* ents[0..lo) start at or below v; walk back while one may cover it. */
	while (lo > 0 && r->ents[lo - 1].max_end > v) {
		e = &r->ents[--lo];
		if (v < e->end && !(retaddr && v == e->start))
			return e;
	}
	return NULL;
}

/* Whether @v, an instruction pointer, is in one of the ranges. */
bool lkp_ranges_has(const struct lkp_ranges *r, u64 v)
{
	return lkp_ranges_find(r, v, false);
}

/* ------------------------------------------------------------------ */
/* The stack check                                                    */

static void lkp_blocker_set(struct lkp_blocker *b,
			    const struct lkp_thread_snap *th, u32 kind,
			    u64 addr, u64 stack_addr, u32 index)
{
	b->tid = th->tid;
	b->kind = kind;
	b->addr = addr;
	b->stack_addr = stack_addr;
	b->index = index;
	b->reserved = 0;
}

/* Scan [addr, end), within one page of the target's memory. */
static int lkp_stack_scan_page(const struct lkp_thread_snap *th,
			       const struct lkp_ranges *r, struct page *page,
			       unsigned long addr, unsigned long end,
			       struct lkp_blocker *b)
{
	const u64 *words = kmap_local_page(page);
	const struct lkp_range_ent *e;
	int ret = 0;
	u64 v;

	for (; addr + 8 <= end; addr += 8) {
		v = words[offset_in_page(addr) / 8];
		if (!lkp_ranges_hull_has(r, v))
			continue;
		e = lkp_ranges_find(r, v, true);
		if (e) {
			lkp_blocker_set(b, th, LKP_BLOCKER_RETADDR, v, addr,
					e->index);
			ret = -EBUSY;
			break;
		}
	}
	kunmap_local(words);
	return ret;
}

/*
 * Scan one thread's stack from sp to the end of the mapping holding sp:
 * that is the [stack] VMA for ordinary threads, and whatever mapping a
 * thread running on its own stack (sigaltstack, coroutines) uses. The
 * caller holds the mmap lock; pages are read in place, not copied.
 */
int lkp_stack_scan(struct mm_struct *mm, const struct lkp_thread_snap *th,
		   const struct lkp_ranges *r, u64 limit, struct lkp_blocker *b)
{
	unsigned long addr = th->sp & ~7UL, end, next;
	struct vm_area_struct *vma;
	struct page *page;
	int ret;

	vma = find_vma(mm, addr);
	if (!vma || vma->vm_start > addr)
		return 0;	/* sp points at no mapping: nothing to scan */
	end = vma->vm_end;
	if (end - addr > limit)
		end = addr + limit;

	for (; addr < end; addr = next) {
		next = min(end, (addr & PAGE_MASK) + PAGE_SIZE);
		if (get_user_pages_remote(mm, addr, 1, FOLL_FORCE, &page,
					  NULL, NULL) != 1)
			break;	/* a hole (or a userfaultfd page): stop here */
		ret = lkp_stack_scan_page(th, r, page, addr, next, b);
		put_page(page);
		if (ret)
			return ret;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

struct lkp_uret_arg {
	const struct lkp_ranges *r;
	const struct lkp_thread_snap *th;
	struct lkp_blocker *b;
};

static int lkp_uret_hit(u64 ret, u64 stack, void *arg)
{
	struct lkp_uret_arg *a = arg;
	const struct lkp_range_ent *e = lkp_ranges_find(a->r, ret, true);

	if (!e)
		return 0;
	lkp_blocker_set(a->b, a->th, LKP_BLOCKER_URETPROBE, ret, stack,
			e->index);
	return -EBUSY;
}

/*
 * The return addresses a uretprobe took off @th's stack (lkp_uprobe.c):
 * -EBUSY and *b when one is in a range, or when they could not all be
 * read (then *b's addr is 0).
 */
int lkp_uret_check(const struct lkp_thread_snap *th,
		   const struct lkp_ranges *r, struct lkp_blocker *b)
{
	struct lkp_uret_arg a = { .r = r, .th = th, .b = b };
	int ret = lkp_uprobe_for_each_ret(th->task, lkp_uret_hit, &a);

	if (ret == -EOVERFLOW) {
		lkp_blocker_set(b, th, LKP_BLOCKER_URETPROBE, 0, 0, 0);
		ret = -EBUSY;
	}
	return ret;
}

u64 lkp_stack_limit(u32 max_stack)
{
	return max_stack ? min(max_stack, LKP_MAX_STACK_SCAN) :
			   LKP_MAX_STACK_SCAN;
}

int lkp_stack_check(const struct lkp_snapshot *snap,
		    const struct lkp_ranges *r, u32 max_stack,
		    const struct lkp_prescan *ps, struct lkp_blocker *b)
{
	u64 limit = lkp_stack_limit(max_stack);
	const struct lkp_thread_snap *th;
	const struct lkp_range_ent *e;
	unsigned int i;
	int ret = 0;

	if (!r->nr)
		return 0;
	/*
	 * Instruction pointers first: no memory to read. A thread parked in a
	 * system call resumes at ip - 2 when the call restarts, so that byte
	 * counts as its ip too.
	 */
	for (i = 0; i < snap->nr; i++) {
		th = &snap->threads[i];
		e = lkp_ranges_find(r, th->ip, false);
		if (!e && th->in_syscall)
			e = lkp_ranges_find(r, th->ip - 2, false);
		if (e) {
			lkp_blocker_set(b, th, LKP_BLOCKER_IP, th->ip, 0,
					e->index);
			return -EBUSY;
		}
	}

	/*
	 * Then what uretprobes hold: before the stack words, so that a
	 * return address no word shows is what the caller is told of, not
	 * a stale word its own unwinding could dismiss.
	 */
	for (i = 0; i < snap->nr; i++) {
		ret = lkp_uret_check(&snap->threads[i], r, b);
		if (ret)
			return ret;
	}

	/* One lock for every stack: the target is frozen, nobody waits long. */
	if (mmap_read_lock_killable(snap->mm))
		return -EINTR;
	for (i = 0; i < snap->nr && !ret; i++) {
		th = &snap->threads[i];
		if (!lkp_prescan_covers(ps, th))
			ret = lkp_stack_scan(snap->mm, th, r, limit, b);
	}
	mmap_read_unlock(snap->mm);
	return ret;
}

int lkp_ioc_stack_check(struct file *file, void *karg)
{
	struct lkp_session *s = file->private_data;
	struct lkp_stack_check *sc = karg;
	struct lkp_snapshot snap;
	struct lkp_ranges r;
	int ret;

	memset(&sc->blocker, 0, sizeof(sc->blocker));
	if (sc->flags || sc->reserved)
		return -EINVAL;
	ret = lkp_ranges_copy(&r, sc->ranges, sc->nr_ranges);
	if (ret)
		return ret;
	if (!lkp_session_frozen(s)) {
		ret = -EBADFD;
		goto free_ranges;
	}
	ret = lkp_session_check_target(s);
	if (ret)
		goto free_ranges;
	ret = lkp_snapshot_take(s, &snap);
	if (ret)
		goto free_ranges;
	ret = lkp_stack_check(&snap, &r, sc->max_stack, NULL, &sc->blocker);
	lkp_snapshot_free(&snap);
free_ranges:
	lkp_ranges_free(&r);
	return ret;
}
