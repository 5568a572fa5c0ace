/* SPDX-License-Identifier: GPL-2.0 */
/* lkp_freeze.h: the freezer's state, shared by lkp_freeze.c and lkp_threads.c. */
#ifndef _LKP_FREEZE_H
#define _LKP_FREEZE_H

#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#define LKP_FREEZER_HASH_BITS	10

struct lkp_twork_chunk;

/**
 * struct lkp_freezer - one freeze of one target, from LKP_IOC_FREEZE to the thaw.
 * @rcu:	the probe may still look at a freezer that was just freed.
 * @mm:		the target's mm (identity only; the session holds it).
 * @ref:	the session's reference plus one per queued work not yet run.
 * @thawed:	set once, by the thaw; parked works wait for it.
 * @park_wq:	where the parked threads wait.
 * @flags:	LKP_FREEZE_*.
 * @notify:	TWA_RESUME, or TWA_SIGNAL for LKP_FREEZE_PARK_ALL.
 * @lock:	protects @hash, @fresh, @lost, and @thawed against the fork
 *		probe; taken by the probe and by the controller.
 * @hash:	every task in the freeze, by task pointer, so that a child seen
 *		both by the probe and by the enumeration is frozen once. Freed
 *		at the thaw: a freezer lives on, small, as long as a sleeper
 *		has not run its work.
 * @fresh:	works the fork probe added, not yet on @works.
 * @lost:	the fork probe could not allocate a work: a child runs free.
 * @list:	on lkp_freezers while not thawed (RCU, for the fork probe).
 * @works:	every work; owned by the controller (session lock).
 * @pending:	works not yet known frozen, by ->pnode (controller only).
 * @nr_frozen:	threads found frozen and alive, for nr_threads.
 * @reap:	frees, after the thaw, what the controller held.
 * @ctl:	the task that froze the target (referenced): a parked thread
 *		stops spinning when it waits for a CPU.
 * @spin_jiffies: how long a parked thread may spin (park_spin_us); 0 in
 *		LKP_FREEZE_PARK_ALL mode.
 * @publish_ns: when the fork probe started to see this freezer.
 * @start_ns, @frozen_ns: first work queued; last thread known frozen.
 */
struct lkp_freezer {
	struct rcu_head rcu;
	struct mm_struct *mm;
	refcount_t ref;
	bool thawed;
	wait_queue_head_t park_wq;
	u32 flags;
	int notify;
	spinlock_t lock;
	struct hlist_head *hash;
	struct list_head fresh;
	bool lost;
	struct list_head list;
	struct list_head works;
	struct list_head pending;
	unsigned int nr_frozen;
	struct work_struct reap;
	struct task_struct *ctl;
	unsigned long spin_jiffies;
	u64 publish_ns, start_ns, frozen_ns;
};

/**
 * struct lkp_twork - the freeze of one task.
 * @cb:		the task_work.
 * @ref:	one for the freezer's list, one while queued.
 * @state:	LKP_TW_* (see lkp_freeze.c).
 * @task:	referenced while on the freezer's list.
 * @frz:	the freeze this work belongs to.
 * @hnode:	in frz->hash.
 * @node:	in frz->works or frz->fresh.
 * @pnode:	on the controller's list of works not yet known frozen.
 * @chunk:	the chunk the work was allocated in, or NULL (the probe's).
 * @switches, @switches_taken: the task's context switch count when first
 *		seen on a CPU after the queuing (controller only).
 */
struct lkp_twork {
	struct callback_head cb;
	refcount_t ref;
	atomic_t state;
	struct task_struct *task;
	struct lkp_freezer *frz;
	struct hlist_node hnode;
	struct list_head node;
	struct list_head pnode;
	struct lkp_twork_chunk *chunk;
	bool switches_taken;
	unsigned long switches;
};

bool lkp_freezer_lost(struct lkp_freezer *f);
bool lkp_twork_live(struct lkp_twork *w);
bool lkp_twork_parked(struct lkp_twork *w);
bool lkp_task_in_syscall(struct task_struct *t);

/* Context switches of @t so far: one is counted each time it leaves a CPU. */
static inline unsigned long lkp_task_switches(struct task_struct *t)
{
	return READ_ONCE(t->nvcsw) + READ_ONCE(t->nivcsw);
}

/* Tasks that are part of the target but must not, or cannot, be frozen. */
static inline bool lkp_task_skipped(struct task_struct *t)
{
	return t->flags & (PF_KTHREAD | PF_IO_WORKER);
}
int lkp_session_walk_tworks(struct lkp_session *s,
			       int (*fn)(struct lkp_twork *w, void *arg), void *arg);

#endif /* _LKP_FREEZE_H */
