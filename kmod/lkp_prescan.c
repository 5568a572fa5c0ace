// SPDX-License-Identifier: GPL-2.0
/* lkp_prescan.c: the stack check of sleeping threads, done before the transaction's freeze. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

/*
 * Why a sleeping thread's stack can be checked before the freeze.
 *
 * Reading the stacks is most of a transaction's pause: about 20 us per
 * thread under emulation, 20 ms at 1000 threads, while a server's threads
 * mostly sleep in epoll_wait() or futex_wait() and their stacks do not move.
 * So before freezing, each thread seen off a CPU is checked in place, and
 * its context-switch count (nvcsw + nivcsw) is kept. Under the freeze, a
 * thread whose count is unchanged and which did not park in its work has
 * not executed one user instruction since that look:
 *
 *  - seen off a CPU (->on_cpu read with acquire, so the count of its last
 *    switch-out is visible), it had to be switched in to run user code;
 *  - once on a CPU it stays there until it leaves, which counts a switch;
 *  - it counts as frozen only once it parked in its work (which it reaches
 *    before any return to user mode, and in default mode may spin there
 *    without a switch: a parked thread is always checked again) or was
 *    seen off a CPU again, or switched out, both of which count a switch.
 *
 * Its saved registers and the stack above its sp are then those of the
 * look, and so is the result. The check under the freeze still compares ip
 * and sp and checks every ip against the ranges; only the stack reading is
 * saved. What this relies on: a thread's stack above its sp is written by
 * that thread only. Memory that another thread writes there (a coroutine
 * whose stack sits inside this thread's stack mapping) is not seen if it
 * is written between the look and the freeze; the check never looked at
 * suspended coroutine stacks elsewhere either (docs/uapi.md).
 */

#include <linux/bsearch.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "lkp.h"
#include "lkp_freeze.h"

static bool lkp_txn_prescan = true;
module_param_named(txn_prescan, lkp_txn_prescan, bool, 0644);
MODULE_PARM_DESC(txn_prescan,
		 "check the stacks of sleeping threads before a transaction's freeze (default: on)");

/*
 * For tests: a delay between the look and the freeze, so that a test can
 * wake a thread in between and prove that it is checked again.
 */
#define LKP_PRESCAN_GAP_MAX_US	(10 * USEC_PER_SEC)
static unsigned int lkp_prescan_gap_us;

static int lkp_prescan_gap_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 0, LKP_PRESCAN_GAP_MAX_US);
}

static const struct kernel_param_ops lkp_prescan_gap_ops = {
	.set = lkp_prescan_gap_set,
	.get = param_get_uint,
};
module_param_cb(txn_prescan_gap_us, &lkp_prescan_gap_ops, &lkp_prescan_gap_us, 0644);
MODULE_PARM_DESC(txn_prescan_gap_us,
		 "for tests: microseconds between the stack look and the freeze of a transaction (default 0, at most 10000000)");

struct lkp_prescan_ent {
	struct lkp_thread_snap th;	/* task referenced */
	unsigned long switches;
	bool clean;			/* nothing of the ranges on its stack */
};

/* Threads the target may add between the count and the walk. */
#define LKP_PRESCAN_SLACK	16

static int lkp_prescan_cmp(const void *a, const void *b)
{
	const struct lkp_prescan_ent *x = a, *y = b;

	if (x->th.task == y->th.task)
		return 0;
	return x->th.task < y->th.task ? -1 : 1;
}

/* The thread, if it is off a CPU now: its registers and count are then stable. */
static bool lkp_prescan_one(struct task_struct *t, struct lkp_prescan_ent *e)
{
	const struct pt_regs *regs;

	if (lkp_task_skipped(t) || (t->flags & PF_EXITING))
		return false;
	/* Pairs with the release in finish_task(): the last switch is counted. */
	if (smp_load_acquire(&t->on_cpu))
		return false;
	e->switches = lkp_task_switches(t);
	regs = task_pt_regs(t);
	e->th.ip = READ_ONCE(regs->ip);
	e->th.sp = READ_ONCE(regs->sp);
	e->th.tid = task_pid_vnr(t);
	get_task_struct(t);
	e->th.task = t;
	return true;
}

/*
 * Looks at the stack of every thread of the target's group that is off a
 * CPU, without freezing anything. Best effort: a thread it misses or finds
 * in the way is simply checked under the freeze. Returns 0 or -ENOMEM,
 * -EINTR (caller killed), -ESRCH.
 */
int lkp_prescan_take(struct lkp_session *s, const struct lkp_ranges *r,
		     u32 max_stack, struct lkp_prescan *ps)
{
	struct mm_struct *mm = lkp_session_mm(s);
	u64 limit = lkp_stack_limit(max_stack);
	struct task_struct *leader, *t;
	struct lkp_blocker scratch;
	unsigned int cap, i;
	int ret = 0;

	memset(ps, 0, sizeof(*ps));
	if (!READ_ONCE(lkp_txn_prescan) || !r->nr)
		return 0;
	if (!mm || !mmget_not_zero(mm))
		return -ESRCH;

	rcu_read_lock();
	leader = pid_task(s->pid, PIDTYPE_TGID);
	cap = leader ? get_nr_threads(leader) + LKP_PRESCAN_SLACK : 0;
	rcu_read_unlock();
	if (!cap) {
		ret = -ESRCH;
		goto put_mm;
	}
	ps->ents = kvcalloc(cap, sizeof(*ps->ents), LKP_GFP);
	if (!ps->ents) {
		ret = -ENOMEM;
		goto put_mm;
	}

	rcu_read_lock();
	leader = pid_task(s->pid, PIDTYPE_TGID);
	if (leader) {
		for_each_thread(leader, t) {
			if (ps->nr == cap)
				break;	/* the rest is checked under the freeze */
			if (READ_ONCE(t->mm) == mm &&
			    lkp_prescan_one(t, &ps->ents[ps->nr]))
				ps->nr++;
		}
	}
	rcu_read_unlock();

	if (mmap_read_lock_killable(mm)) {
		ret = -EINTR;
		goto out;
	}
	for (i = 0; i < ps->nr; i++) {
		struct lkp_prescan_ent *e = &ps->ents[i];

		/* Its ip is checked under the freeze, with every thread's. */
		e->clean = !lkp_stack_scan(mm, &e->th, r, limit, &scratch);
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
	}
	mmap_read_unlock(mm);
	sort(ps->ents, ps->nr, sizeof(*ps->ents), lkp_prescan_cmp, NULL);
out:
	if (ret)
		lkp_prescan_free(ps);
put_mm:
	mmput(mm);
	return ret;
}

void lkp_prescan_free(struct lkp_prescan *ps)
{
	unsigned int i;

	for (i = 0; i < ps->nr; i++)
		put_task_struct(ps->ents[i].th.task);
	kvfree(ps->ents);
	ps->ents = NULL;
	ps->nr = 0;
}

/* Whether @th, frozen, was found clean before the freeze and has not run since. */
bool lkp_prescan_covers(const struct lkp_prescan *ps,
			const struct lkp_thread_snap *th)
{
	const struct lkp_prescan_ent *e;
	struct lkp_prescan_ent key;

	if (!ps || !ps->nr || th->parked)
		return false;
	key.th.task = th->task;
	e = bsearch(&key, ps->ents, ps->nr, sizeof(*e), lkp_prescan_cmp);
	return e && e->clean && e->th.ip == th->ip && e->th.sp == th->sp &&
	       e->switches == lkp_task_switches(th->task);
}

/* The test delay between the look and the freeze, killable. */
void lkp_prescan_gap(void)
{
	unsigned int us = READ_ONCE(lkp_prescan_gap_us);

	if (us)
		msleep_interruptible(DIV_ROUND_UP(us, USEC_PER_MSEC));
}
