// SPDX-License-Identifier: GPL-2.0
/* lkp_freeze.c: freezing and thawing a target with task_work, LKP_IOC_FREEZE and LKP_IOC_THAW. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

/*
 * How a target is frozen.
 *
 * Every thread of the target (and every task sharing its mm: vfork children)
 * gets a task_work, queued with TWA_RESUME: the thread runs it before it next
 * returns to user mode, and the work parks it until the thaw. A thread that
 * sleeps in the kernel is left asleep: once its work is queued it can no
 * longer reach user mode without parking first, so it counts as frozen as
 * soon as it is known to have been off a CPU since (nothing wakes it, nobody
 * sees EINTR); so does a runnable thread waiting for a CPU. A thread running
 * in user mode is kicked with an IPI and parks on the way back.
 * LKP_FREEZE_PARK_ALL queues with TWA_SIGNAL instead, which wakes
 * interruptible sleepers so that every thread that can be woken parks.
 *
 * How a thread parks. In default mode a thread that reaches its work was
 * on a CPU: it spins there, in the kernel, on the thaw flag, for at most
 * lkp_park_spin_us, and only then sleeps. A thaw within that time is one
 * store for it, not a wakeup: at 4000 threads, 2000 of them spinning,
 * waking each took the thaw 5 ms under emulation. The CPU it keeps is
 * the one it had: it yields at every reschedule (a sibling that gets the
 * CPU parks the same way), and it sleeps at once when the controller
 * waits for that CPU, so that the freeze never starves whoever is patching.
 * LKP_FREEZE_PARK_ALL does not spin: every woken sleeper must get a CPU
 * to park, and spinners would hold them.
 *
 * Threads created while the target is frozen are caught by a probe on the
 * sched_process_fork tracepoint, which queues the work on the child before
 * the child first runs.
 *
 * Lifetime. task_work_cancel() is not exported, so a queued work always runs,
 * maybe long after the thaw (a thread asleep in read() runs it when the data
 * comes). Each queued work therefore holds a reference on its lkp_twork (and
 * so on its chunk) and on the lkp_freezer (whose ->thawed it reads), and
 * drops them when it runs; each freezer holds a reference on the module until
 * it is freed: rmmod is refused while any work is pending. The cost: a
 * thread that sleeps through K freezes holds K works (K chunks, at worst)
 * and K small freezers until it wakes.
 *
 * States of a lkp_twork (->state):
 *
 *   NEW ----queued----> QUEUED ---callback, not thawed---> PARKED
 *                          |                                  |
 *                          +-- callback after thaw, or by ----+--> DONE
 *                              an exiting or exec'd thread
 */

#include <linux/hash.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/rculist.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/tracepoint.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "lkp.h"
#include "lkp_freeze.h"

enum {
	LKP_TW_NEW,
	LKP_TW_QUEUED,
	LKP_TW_PARKED,
	LKP_TW_DONE,
};

/*
 * 50 ms: well above a transaction's pause (milliseconds on hardware, tens
 * under emulation), and the CPU it costs is what the thread would have
 * used running. At most 10 s: beyond that a frozen thread should sleep.
 */
#define LKP_PARK_SPIN_MAX_US	(10 * USEC_PER_SEC)
static unsigned int lkp_park_spin_us = 50000;

static int lkp_park_spin_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 0, LKP_PARK_SPIN_MAX_US);
}

static const struct kernel_param_ops lkp_park_spin_ops = {
	.set = lkp_park_spin_set,
	.get = param_get_uint,
};
module_param_cb(park_spin_us, &lkp_park_spin_ops, &lkp_park_spin_us, 0644);
MODULE_PARM_DESC(park_spin_us,
		 "how long a parked thread spins before it sleeps, in microseconds, rounded up to a tick (0: it sleeps at once; at most 10000000)");

/* The active freezes, for the fork probe. RCU readers; writers take the lock. */
static LIST_HEAD(lkp_freezers);
static DEFINE_SPINLOCK(lkp_freezers_lock);
static atomic_t lkp_nr_freezers = ATOMIC_INIT(0);

static struct tracepoint *lkp_fork_tp;

/*
 * The works of the fork probe come one at a time from their own cache. The
 * works of the threads found at the freeze come in page-sized chunks, from
 * a cache of chunks: at 4000 threads one kmalloc() each made collecting the
 * target cost more than freezing it. A chunk is freed with its last work,
 * so a thread asleep through the freeze keeps a page, not a work, until it
 * wakes. Both caches are destroyed at unload, which waits for every work to
 * have run.
 */
static struct kmem_cache *lkp_twork_cache;
static struct kmem_cache *lkp_chunk_cache;

struct lkp_twork_chunk {
	refcount_t ref;		/* one per work of the chunk not yet freed */
	struct lkp_twork w[];
};

/*
 * A chunk and the pointer the slab allocator keeps after each object of a
 * cache with a constructor fit in a page: a whole page per chunk made
 * every chunk take two.
 */
#define LKP_CHUNK_SIZE	(PAGE_SIZE - L1_CACHE_BYTES)
#define LKP_CHUNK_WORKS \
	((LKP_CHUNK_SIZE - sizeof(struct lkp_twork_chunk)) / sizeof(struct lkp_twork))

static void lkp_twork_fn(struct callback_head *cb);

/*
 * Sets what never changes in the works of a chunk, once, when its slab is
 * made. It also spares a recycled chunk the init_on_alloc zeroing of each
 * allocation (Debian's default; caches with a constructor are exempt): a
 * chunk is 4 KB, a freeze of 4000 threads takes 113 of them, and zeroing
 * costs about 4 ns a byte under emulation. (The pages of a new slab are still
 * zeroed by the page allocator.) lkp_twork_init() sets everything else.
 */
static void lkp_chunk_ctor(void *p)
{
	struct lkp_twork_chunk *ch = p;
	unsigned int i;

	for (i = 0; i < LKP_CHUNK_WORKS; i++) {
		init_task_work(&ch->w[i].cb, lkp_twork_fn);
		ch->w[i].chunk = ch;
	}
}

/* Drops @n works of @ch: their last reference, or works never used. */
static void lkp_chunk_put(struct lkp_twork_chunk *ch, unsigned int n)
{
	if (refcount_sub_and_test(n, &ch->ref))
		kmem_cache_free(lkp_chunk_cache, ch);
}

/* Frees what thawed freezers held; drained at unload. */
static struct workqueue_struct *lkp_reap_wq;

/*
 * Frees @f, whose last reference is gone, and drops the module reference it
 * held: the works hold the freezer, the freezer holds the module. Inlined so
 * that module_put() stays a tail call in lkp_twork_fn().
 */
static __always_inline void lkp_freezer_release(struct lkp_freezer *f)
{
	put_task_struct(f->ctl);
	kfree_rcu(f, rcu);
	module_put(THIS_MODULE);
}

static void lkp_freezer_put_many(struct lkp_freezer *f, unsigned int n)
{
	if (refcount_sub_and_test(n, &f->ref))
		lkp_freezer_release(f);
}

static void lkp_twork_put(struct lkp_twork *w)
{
	if (!refcount_dec_and_test(&w->ref))
		return;
	if (w->chunk)
		lkp_chunk_put(w->chunk, 1);
	else
		kmem_cache_free(lkp_twork_cache, w);
}

static bool lkp_freezer_is_thawed(struct lkp_freezer *f)
{
	/* Pairs with the smp_store_release() in lkp_freezer_thaw(). */
	return smp_load_acquire(&f->thawed);
}

/*
 * Whether the controller waits for this very CPU, and the scheduler is not
 * about to hand it over: then the spinner sleeps to let it run. A spinner
 * on another CPU does not help it by sleeping, and one with a reschedule
 * pending gives the CPU up in its next cond_resched(). The reads race
 * with the scheduler; a wrong answer only makes a thread sleep early (and
 * cost a wakeup at the thaw) or spin on (until the next tick).
 */
static bool lkp_controller_waits(struct lkp_freezer *f)
{
	struct task_struct *ctl = f->ctl;

	return READ_ONCE(ctl->__state) == TASK_RUNNING &&
	       !READ_ONCE(ctl->on_cpu) &&
	       task_cpu(ctl) == raw_smp_processor_id() && !need_resched();
}

/*
 * Spins until the thaw (true), or until the budget is spent, SIGKILL
 * comes or the controller waits for a CPU (false: the caller sleeps).
 * cond_resched() first: preempted by the controller, a spinner must not
 * see it waiting and go to sleep for nothing. The budget is counted in
 * jiffies: a clock read per pass is an HPET access under some hypervisors,
 * and 2000 spinners reading it slowed the whole VM.
 */
static bool lkp_park_spin(struct lkp_freezer *f)
{
	unsigned long end;

	if (!f->spin_jiffies)
		return false;
	end = jiffies + f->spin_jiffies;
	for (;;) {
		cond_resched();
		if (lkp_freezer_is_thawed(f))
			return true;
		if (fatal_signal_pending(current) || lkp_controller_waits(f) ||
		    time_after(jiffies, end))
			return false;
		cpu_relax();
	}
}

/*
 * The work every frozen thread runs on its way to user mode. It parks unless
 * the freeze is over, the thread is exiting (the work runs from do_exit too),
 * or the thread exec'd into another mm: a new image is not the target.
 */
static void lkp_twork_fn(struct callback_head *cb)
{
	struct lkp_twork *w = container_of(cb, struct lkp_twork, cb);
	struct lkp_freezer *f = w->frz;

	if (!(current->flags & PF_EXITING) && current->mm == f->mm &&
	    !lkp_freezer_is_thawed(f)) {
		/* Pairs with the acquire in lkp_freezer_sweep(). */
		atomic_set_release(&w->state, LKP_TW_PARKED);
		/*
		 * TASK_KILLABLE: SIGKILL still kills at once. TASK_NOLOAD:
		 * a frozen thread neither adds to the load average nor looks
		 * hung (the detector only checks plain TASK_UNINTERRUPTIBLE).
		 */
		if (!lkp_park_spin(f))
			wait_event_state(f->park_wq, lkp_freezer_is_thawed(f),
					 (TASK_KILLABLE | TASK_NOLOAD));
	}
	atomic_set_release(&w->state, LKP_TW_DONE);
	lkp_twork_put(w);
	/*
	 * Last, and a tail call: the module_put() that may free the freezer
	 * returns straight into task_work_run(), so no module code runs after
	 * the reference that kept the module loaded is gone.
	 */
	if (refcount_dec_and_test(&f->ref))
		lkp_freezer_release(f);
}

static void lkp_twork_init(struct lkp_twork *w)
{
	init_task_work(&w->cb, lkp_twork_fn);
	refcount_set(&w->ref, 1);
	atomic_set(&w->state, LKP_TW_NEW);
	w->task = NULL;
	w->frz = NULL;
	w->switches_taken = false;
}

static struct lkp_twork *lkp_twork_alloc(gfp_t gfp)
{
	struct lkp_twork *w = kmem_cache_alloc(lkp_twork_cache, gfp);

	if (w) {
		lkp_twork_init(w);
		w->chunk = NULL;
	}
	return w;
}

static struct hlist_head *lkp_freezer_bucket(struct lkp_freezer *f,
					     struct task_struct *t)
{
	return &f->hash[hash_ptr(t, LKP_FREEZER_HASH_BITS)];
}

/* Is @t already in @f? Under f->lock. */
static bool lkp_freezer_has(struct lkp_freezer *f, struct task_struct *t)
{
	struct lkp_twork *w;

	hlist_for_each_entry(w, lkp_freezer_bucket(f, t), hnode)
		if (w->task == t)
			return true;
	return false;
}

/* Records @t in @f with work @w. Under f->lock. */
static void lkp_freezer_add(struct lkp_freezer *f, struct lkp_twork *w,
			    struct task_struct *t, struct list_head *list)
{
	get_task_struct(t);
	w->task = t;
	w->frz = f;
	hlist_add_head(&w->hnode, lkp_freezer_bucket(f, t));
	list_add_tail(&w->node, list);
}

/*
 * Queues the work of @w on its task, with a reference on the freezer the
 * caller took for it. On success the work owns that and a reference on @w
 * until it runs; a task already past exit_task_work() fails with -ESRCH,
 * counts as gone, and the freezer reference is dropped (never the last:
 * the controller holds one).
 */
static void lkp_twork_queue(struct lkp_freezer *f, struct lkp_twork *w)
{
	/* Nobody else sees @w before it is queued: no atomic increment. */
	refcount_set(&w->ref, 2);
	atomic_set(&w->state, LKP_TW_QUEUED);
	if (task_work_add(w->task, &w->cb, f->notify)) {
		atomic_set(&w->state, LKP_TW_DONE);
		refcount_dec(&f->ref);
		refcount_set(&w->ref, 1);
	}
}


/*
 * The fork probe: a thread that was asleep inside clone() when the target
 * was frozen finishes the call while frozen; its child must not run user
 * code either. The child has not run yet (the tracepoint fires before
 * wake_up_new_task()), so the work queued here runs before its first
 * instruction in user mode.
 */
static void lkp_fork_probe(void *data, struct task_struct *parent,
			   struct task_struct *child)
{
	struct lkp_freezer *f;
	struct mm_struct *mm;

	/*
	 * Pairs with the atomic_inc() in lkp_freezer_publish(): either this
	 * probe sees the freezer, or the freezer's walk sees the child.
	 */
	smp_mb();
	if (likely(!atomic_read(&lkp_nr_freezers)))
		return;
	mm = READ_ONCE(child->mm);
	if (!mm || lkp_task_skipped(child))
		return;

	rcu_read_lock();
	list_for_each_entry_rcu(f, &lkp_freezers, list) {
		struct lkp_twork *w;

		if (f->mm != mm)
			continue;
		/* Atomic context: preemption is off in tracepoint probes. */
		w = lkp_twork_alloc(GFP_ATOMIC);
		spin_lock(&f->lock);
		if (f->thawed || lkp_freezer_has(f, child)) {
			spin_unlock(&f->lock);
			if (w)
				kmem_cache_free(lkp_twork_cache, w);
			continue;
		}
		if (!w) {
			f->lost = true;
			spin_unlock(&f->lock);
			continue;
		}
		lkp_freezer_add(f, w, child, &f->fresh);
		refcount_inc(&f->ref);
		lkp_twork_queue(f, w);
		spin_unlock(&f->lock);
	}
	rcu_read_unlock();
}

/*
 * Moves the works the fork probe added onto the controller's list, and
 * onto @pending (when not NULL) for lkp_freezer_wait() to check.
 */
static void lkp_freezer_absorb(struct lkp_freezer *f, struct list_head *pending)
{
	struct lkp_twork *w;
	LIST_HEAD(fresh);

	spin_lock(&f->lock);
	list_splice_init(&f->fresh, &fresh);
	spin_unlock(&f->lock);
	if (pending)
		list_for_each_entry(w, &fresh, node)
			list_add_tail(&w->pnode, pending);
	list_splice_tail(&fresh, &f->works);
}

bool lkp_freezer_lost(struct lkp_freezer *f)
{
	return f && READ_ONCE(f->lost);
}

static struct lkp_freezer *lkp_freezer_alloc(struct mm_struct *mm, u32 flags)
{
	struct lkp_freezer *f = kzalloc(sizeof(*f), LKP_GFP);
	unsigned int i;

	if (!f)
		return NULL;
	f->hash = kvmalloc_array(1U << LKP_FREEZER_HASH_BITS, sizeof(*f->hash),
				 LKP_GFP);
	if (!f->hash) {
		kfree(f);
		return NULL;
	}
	for (i = 0; i < 1U << LKP_FREEZER_HASH_BITS; i++)
		INIT_HLIST_HEAD(&f->hash[i]);
	f->mm = mm;
	f->flags = flags;
	f->notify = (flags & LKP_FREEZE_PARK_ALL) ? TWA_SIGNAL : TWA_RESUME;
	if (!(flags & LKP_FREEZE_PARK_ALL))
		f->spin_jiffies = usecs_to_jiffies(READ_ONCE(lkp_park_spin_us));
	get_task_struct(current);
	f->ctl = current;
	refcount_set(&f->ref, 1);
	/* Dropped with the last reference on the freezer, by its last work. */
	__module_get(THIS_MODULE);
	spin_lock_init(&f->lock);
	init_waitqueue_head(&f->park_wq);
	INIT_LIST_HEAD(&f->works);
	INIT_LIST_HEAD(&f->fresh);
	INIT_LIST_HEAD(&f->pending);
	return f;
}

static void lkp_freezer_publish(struct lkp_freezer *f)
{
	spin_lock(&lkp_freezers_lock);
	list_add_rcu(&f->list, &lkp_freezers);
	atomic_inc(&lkp_nr_freezers);
	spin_unlock(&lkp_freezers_lock);
	/* Pairs with the smp_mb() in lkp_fork_probe(). */
	smp_mb();
	f->publish_ns = ktime_get_ns();
}

static void lkp_freezer_unpublish(struct lkp_freezer *f)
{
	spin_lock(&lkp_freezers_lock);
	list_del_rcu(&f->list);
	atomic_dec(&lkp_nr_freezers);
	spin_unlock(&lkp_freezers_lock);
}

/*
 * The tasks of the target: every thread of its group, plus tasks of other
 * groups sharing its mm (vfork, posix_spawn, CLONE_VM children). The other
 * groups are looked for only when the mm has more users than the group has
 * threads using it: every task using an mm holds one of its mm_users.
 * Calls @fn on each; stops when it returns false. Under rcu_read_lock().
 */
static void lkp_walk_target(struct task_struct *leader, struct mm_struct *mm,
				     bool (*fn)(struct task_struct *t, void *arg), void *arg)
{
	struct task_struct *p, *t;
	int users = 0;

	for_each_thread(leader, t) {
		if (READ_ONCE(t->mm) != mm)
			continue;
		users++;
		if (!lkp_task_skipped(t) && !fn(t, arg))
			return;
	}
	if (atomic_read(&mm->mm_users) <= users)
		return;
	for_each_process(p) {
		if (same_thread_group(p, leader))
			continue;
		for_each_thread(p, t) {
			if (READ_ONCE(t->mm) == mm && !lkp_task_skipped(t) &&
			    !fn(t, arg))
				return;
		}
	}
}

/*
 * A task started after the freezer was published is the fork probe's: its
 * probe runs after its start_time was set, so it sees the freezer.
 */
static bool lkp_task_is_probes(struct lkp_freezer *f, struct task_struct *t)
{
	return t->start_time > f->publish_ns;
}

struct lkp_count {
	struct lkp_freezer *f;
	unsigned int n;
};

static bool lkp_count_one(struct task_struct *t, void *arg)
{
	struct lkp_count *c = arg;

	if (!lkp_task_is_probes(c->f, t))
		c->n++;
	return true;
}

/*
 * Whether a task that is off-CPU but not parked may count as frozen in
 * LKP_FREEZE_PARK_ALL mode: only when nothing can wake it for us (stopped,
 * traced, or in an uninterruptible sleep such as a vfork parent's wait).
 */
static bool lkp_task_unwakeable(struct task_struct *t)
{
	return READ_ONCE(t->__state) &
		(TASK_UNINTERRUPTIBLE | __TASK_STOPPED | __TASK_TRACED);
}

/*
 * In default mode, whether @w's task has been off a CPU at some moment
 * since its work was queued: it is then frozen, as every path back to user
 * mode re-reads the thread flags after schedule() and runs the work first.
 * Seen off-CPU now, or switched out since the first look: with 2000
 * spinners taking turns on 2 CPUs, some are always on a CPU for a moment on
 * their way to park, and waiting to catch each off-CPU took 20 ms.
 */
static bool lkp_twork_was_off_cpu(struct lkp_twork *w)
{
	struct task_struct *t = w->task;

	if (!READ_ONCE(t->on_cpu))
		return true;
	if (!w->switches_taken) {
		w->switches = lkp_task_switches(t);
		w->switches_taken = true;
		return false;
	}
	return lkp_task_switches(t) != w->switches;
}

/* Whether @w's task is known to be frozen. */
static bool lkp_twork_frozen(struct lkp_freezer *f, struct lkp_twork *w)
{
	int state = atomic_read_acquire(&w->state);

	if (state == LKP_TW_PARKED || state == LKP_TW_DONE)
		return true;
	if (f->flags & LKP_FREEZE_PARK_ALL)
		return !READ_ONCE(w->task->on_cpu) && lkp_task_unwakeable(w->task);
	return lkp_twork_was_off_cpu(w);
}

/* Counts a work found frozen in nr_threads, unless its task is gone. */
static void lkp_twork_count(struct lkp_freezer *f, struct lkp_twork *w)
{
	if (lkp_twork_live(w))
		f->nr_frozen++;
}

/* A work just queued: counted if its task is frozen already, else pending. */
static void lkp_twork_settle(struct lkp_freezer *f, struct lkp_twork *w)
{
	if (lkp_twork_frozen(f, w))
		lkp_twork_count(f, w);
	else
		list_add_tail(&w->pnode, &f->pending);
}

/*
 * Chunks of preallocated works, handed out by two cursors: one for tasks
 * asleep when found, one for the others. A sleeper may keep its work (and
 * so its chunk) long after the thaw, the others run theirs at once: kept
 * apart, the chunks of the others are freed soon after the thaw instead of
 * staying pinned by a sleeper's work.
 */
struct lkp_cursor {
	struct lkp_twork_chunk *ch;
	unsigned int next;		/* first free work in @ch */
};

struct lkp_collect {
	struct lkp_freezer *f;
	struct lkp_twork_chunk **chunks;
	unsigned int nr_chunks, taken;	/* allocated; handed to a cursor */
	struct lkp_cursor cur[2];
	bool retry;
	bool short_of_works;
};

static struct lkp_twork *lkp_collect_take(struct lkp_collect *c, bool asleep)
{
	struct lkp_cursor *cur = &c->cur[asleep];
	struct lkp_twork *w;

	if (!cur->ch || cur->next == LKP_CHUNK_WORKS) {
		if (c->taken == c->nr_chunks)
			return NULL;
		cur->ch = c->chunks[c->taken++];
		cur->next = 0;
	}
	w = &cur->ch->w[cur->next++];
	lkp_twork_init(w);
	return w;
}

/*
 * Adds @t with a work, queues the work and looks whether the task is frozen
 * already, all at once: the walk, the queuing and the first look each
 * touched 4000 task_structs, which under emulation costs more than what is
 * done with them. Only a repeated walk, or one after the probe added a child
 * (one that started before the freezer was published, seen by the probe
 * before the walk), can meet a task it already has; the probe's works stay
 * on f->fresh until the wait, so that is what tells.
 */
static bool lkp_collect_one(struct task_struct *t, void *arg)
{
	struct lkp_collect *c = arg;
	struct lkp_twork *w;

	if (lkp_task_is_probes(c->f, t) ||
	    ((c->retry || !list_empty(&c->f->fresh)) && lkp_freezer_has(c->f, t)))
		return true;
	w = lkp_collect_take(c, READ_ONCE(t->__state) != TASK_RUNNING);
	if (!w) {
		c->short_of_works = true;
		return false;
	}
	lkp_freezer_add(c->f, w, t, &c->f->works);
	lkp_twork_queue(c->f, w);
	/*
	 * The thread flag task_work_add() set before ->on_cpu is read; the
	 * same order as in lkp_freezer_sweep(), which sees what is left.
	 */
	smp_mb__after_atomic();
	lkp_twork_settle(c->f, w);
	return true;
}

/*
 * Enough chunks for @want works, plus one: each cursor may leave a chunk
 * partly used. Each work holds a reference on the freezer from now on,
 * taken here in one go and given back by lkp_collect_free() for the works
 * not used.
 */
static int lkp_collect_alloc(struct lkp_collect *c, unsigned int want)
{
	unsigned int n = DIV_ROUND_UP(want, LKP_CHUNK_WORKS) + 1;

	c->chunks = kvmalloc_array(n, sizeof(*c->chunks), LKP_GFP);
	if (!c->chunks)
		return -ENOMEM;
	for (c->nr_chunks = 0; c->nr_chunks < n; c->nr_chunks++) {
		struct lkp_twork_chunk *ch;

		ch = kmem_cache_alloc(lkp_chunk_cache, LKP_GFP);
		if (!ch)
			break;
		refcount_set(&ch->ref, LKP_CHUNK_WORKS);
		c->chunks[c->nr_chunks] = ch;
	}
	if (!c->nr_chunks) {
		kvfree(c->chunks);
		return -ENOMEM;
	}
	c->taken = 0;
	memset(c->cur, 0, sizeof(c->cur));
	c->short_of_works = false;
	refcount_add(c->nr_chunks * LKP_CHUNK_WORKS, &c->f->ref);
	return 0;
}

/* Gives back the works the walk did not use; the used ones free their chunk. */
static void lkp_collect_free(struct lkp_collect *c)
{
	unsigned int i, unused = 0, left;

	for (i = 0; i < ARRAY_SIZE(c->cur); i++) {
		if (!c->cur[i].ch)
			continue;
		left = LKP_CHUNK_WORKS - c->cur[i].next;
		if (left)
			lkp_chunk_put(c->cur[i].ch, left);
		unused += left;
	}
	for (i = c->taken; i < c->nr_chunks; i++)
		lkp_chunk_put(c->chunks[i], LKP_CHUNK_WORKS);
	unused += (c->nr_chunks - c->taken) * LKP_CHUNK_WORKS;
	lkp_freezer_put_many(c->f, unused);
	kvfree(c->chunks);
	c->chunks = NULL;
	c->nr_chunks = 0;
}

/*
 * Puts every task of the target on f->works and queues its work. All the
 * works are allocated first, outside any lock: queuing as we allocate was
 * three times slower at 4000 threads. Only the tasks that existed when the
 * freezer was published need one (the probe has the others); the slack
 * covers clone() calls in flight at that moment, and if it does not, the
 * walk starts again with more (skipping the tasks it has). Sets
 * f->start_ns, the first work queued.
 */
static int lkp_freezer_collect(struct lkp_freezer *f, struct pid *pid)
{
	struct lkp_count count = { .f = f };
	struct lkp_collect c = { .f = f };
	struct task_struct *leader;
	unsigned int want;
	int ret;

	/*
	 * The group's thread count is enough unless other tasks may share
	 * the mm: a walk over 4000 threads costs milliseconds under emulation.
	 */
	rcu_read_lock();
	leader = pid_task(pid, PIDTYPE_TGID);
	if (leader) {
		count.n = READ_ONCE(leader->signal->nr_threads);
		if (atomic_read(&f->mm->mm_users) > count.n) {
			count.n = 0;
			lkp_walk_target(leader, f->mm, lkp_count_one, &count);
		}
	}
	rcu_read_unlock();
	if (!leader)
		return -ESRCH;

	for (want = count.n + 16; ; want *= 2) {
		ret = lkp_collect_alloc(&c, want);
		if (ret)
			return ret;
		if (!c.retry)
			f->start_ns = ktime_get_ns();

		rcu_read_lock();
		leader = pid_task(pid, PIDTYPE_TGID);
		spin_lock(&f->lock);
		if (leader)
			lkp_walk_target(leader, f->mm, lkp_collect_one, &c);
		spin_unlock(&f->lock);
		rcu_read_unlock();

		lkp_collect_free(&c);
		if (!leader)
			return -ESRCH;
		if (!c.short_of_works)
			return 0;
		if (c.nr_chunks < DIV_ROUND_UP(want, LKP_CHUNK_WORKS) + 1)
			return -ENOMEM;
		c.retry = true;
	}
}

/*
 * One pass over the works not yet known to be frozen (@pending, linked by
 * ->pnode): drops those now frozen, kicks (when @kick) those on a CPU.
 * Returns how many are left.
 */
static unsigned int lkp_freezer_sweep(struct lkp_freezer *f,
				      struct list_head *pending, bool kick)
{
	struct lkp_twork *w, *tmp;
	unsigned int left = 0;

	/*
	 * Orders the TIF_NOTIFY_* bits set by task_work_add() before the
	 * reads of ->on_cpu and of the switch counts below; pairs with the
	 * full barrier of the context switch (rq lock, switch_mm) that the
	 * task makes before it re-reads its flags.
	 */
	smp_mb();
	list_for_each_entry_safe(w, tmp, pending, pnode) {
		if (lkp_twork_frozen(f, w)) {
			list_del(&w->pnode);
			lkp_twork_count(f, w);
			continue;
		}
		left++;
		if (kick && READ_ONCE(w->task->on_cpu))
			kick_process(w->task);
	}
	return left;
}

/* Sleeps a little, killably: the parking threads need the CPU. */
static int lkp_freezer_nap(void)
{
	ktime_t t = 50 * NSEC_PER_USEC;

	set_current_state(TASK_KILLABLE);
	schedule_hrtimeout_range(&t, 50 * NSEC_PER_USEC, HRTIMER_MODE_REL);
	return fatal_signal_pending(current) ? -EINTR : 0;
}

/*
 * How long the default mode polls before it sleeps between passes: what is
 * left then are threads that were on a CPU, parking on theirs within
 * microseconds, while a timer under emulation can take milliseconds.
 */
#define LKP_FREEZE_POLL_NS	(1 * NSEC_PER_MSEC)

static int lkp_freezer_wait(struct lkp_freezer *f, u32 timeout_ms)
{
	u64 deadline = f->start_ns + (u64)timeout_ms * NSEC_PER_MSEC;
	u64 poll_end = ktime_get_ns() + LKP_FREEZE_POLL_NS, now;
	bool poll = !(f->flags & LKP_FREEZE_PARK_ALL), kick = true;
	int ret;

	for (;;) {
		lkp_freezer_absorb(f, &f->pending);
		if (!lkp_freezer_sweep(f, &f->pending, kick))
			break;
		now = ktime_get_ns();
		if (now >= deadline)
			return -ETIMEDOUT;
		if (poll && now < poll_end) {
			/* Each on-CPU thread was kicked once: enough. */
			kick = false;
			cpu_relax();
			cond_resched();
			if (fatal_signal_pending(current))
				return -EINTR;
			continue;
		}
		kick = true;
		ret = lkp_freezer_nap();
		if (ret)
			return ret;
	}
	f->frozen_ns = ktime_get_ns();
	return 0;
}

/* Drops the controller's references on the works, their tasks, the freezer. */
static void lkp_freezer_reap(struct work_struct *work)
{
	struct lkp_freezer *f = container_of(work, struct lkp_freezer, reap);
	struct lkp_twork *w, *tmp;

	kvfree(f->hash);
	f->hash = NULL;
	list_for_each_entry_safe(w, tmp, &f->works, node) {
		list_del(&w->node);
		put_task_struct(w->task);
		lkp_twork_put(w);
	}
	lkp_freezer_put_many(f, 1);
}

/*
 * Lets every parked thread go. What the controller held is let go by a
 * worker: at 4000 threads that is milliseconds the caller need not wait for.
 */
static void lkp_freezer_thaw(struct lkp_freezer *f, u64 *pause_ns)
{
	lkp_freezer_unpublish(f);
	spin_lock(&f->lock);
	/* Pairs with lkp_freezer_is_thawed(); under the lock for the probe. */
	smp_store_release(&f->thawed, true);
	list_splice_tail_init(&f->fresh, &f->works);
	spin_unlock(&f->lock);
	wake_up_all(&f->park_wq);
	if (pause_ns)
		*pause_ns = ktime_get_ns() - f->start_ns;
	/* Nobody looks up a thawed freezer: the probe checks ->thawed first. */
	INIT_WORK(&f->reap, lkp_freezer_reap);
	queue_work(lkp_reap_wq, &f->reap);
}

bool lkp_twork_live(struct lkp_twork *w)
{
	return atomic_read(&w->state) != LKP_TW_DONE &&
	       !(w->task->flags & PF_EXITING);
}

bool lkp_twork_parked(struct lkp_twork *w)
{
	return atomic_read(&w->state) == LKP_TW_PARKED;
}

bool lkp_session_frozen(struct lkp_session *s)
{
	return s->frz;
}

int lkp_session_freeze(struct lkp_session *s, u32 flags, u32 timeout_ms,
		       u32 *nr_threads, u64 *freeze_ns)
{
	struct lkp_freezer *f;
	int ret;

	if (s->frz)
		return -EBUSY;
	ret = lkp_session_check_target(s);
	if (ret)
		return ret;
	if (!timeout_ms)
		timeout_ms = LKP_FREEZE_DEFAULT_TIMEOUT_MS;

	f = lkp_freezer_alloc(s->mm, flags);
	if (!f)
		return -ENOMEM;
	/* Published first: from now on the probe sees every new child. */
	lkp_freezer_publish(f);
	ret = lkp_freezer_collect(f, s->pid);
	if (!ret)
		ret = lkp_freezer_wait(f, timeout_ms);
	if (!ret && READ_ONCE(f->lost))
		ret = -ENOMEM;
	s->frz = f;
	/* An exec or exit during the freeze: the image is not the target. */
	if (!ret)
		ret = lkp_session_check_target(s);
	if (ret) {
		s->frz = NULL;
		lkp_freezer_thaw(f, NULL);
		return ret;
	}
	*nr_threads = f->nr_frozen;
	*freeze_ns = f->frozen_ns - f->start_ns;
	return 0;
}

void lkp_session_thaw(struct lkp_session *s, u64 *pause_ns)
{
	struct lkp_freezer *f = s->frz;

	if (!f)
		return;
	s->frz = NULL;
	lkp_freezer_thaw(f, pause_ns);
}

/* For GET_THREADS, which wants the PARKED bit as well. */
int lkp_session_walk_tworks(struct lkp_session *s,
			    int (*fn)(struct lkp_twork *w, void *arg),
			    void *arg)
{
	struct lkp_freezer *f = s->frz;
	struct lkp_twork *w;
	int ret;

	if (!f)
		return -EBADFD;
	lkp_freezer_absorb(f, NULL);
	list_for_each_entry(w, &f->works, node) {
		if (!lkp_twork_live(w))
			continue;
		ret = fn(w, arg);
		if (ret)
			return ret;
	}
	return 0;
}

struct lkp_thread_walk {
	int (*fn)(struct task_struct *t, bool in_syscall, void *arg);
	void *arg;
};

static int lkp_thread_walk_one(struct lkp_twork *w, void *arg)
{
	struct lkp_thread_walk *tw = arg;

	return tw->fn(w->task, lkp_task_in_syscall(w->task), tw->arg);
}

int lkp_session_walk_threads(struct lkp_session *s,
			     int (*fn)(struct task_struct *t, bool in_syscall, void *arg),
			     void *arg)
{
	struct lkp_thread_walk tw = { .fn = fn, .arg = arg };

	return lkp_session_walk_tworks(s, lkp_thread_walk_one, &tw);
}

static struct lkp_session *lkp_file_session(struct file *file)
{
	return file->private_data;
}

int lkp_ioc_freeze(struct file *file, void *karg)
{
	struct lkp_freeze *a = karg;

	if ((a->flags & ~LKP_FREEZE_PARK_ALL) || a->reserved)
		return -EINVAL;
	return lkp_session_freeze(lkp_file_session(file), a->flags,
				  a->timeout_ms, &a->nr_threads, &a->freeze_ns);
}

int lkp_ioc_thaw(struct file *file, void *karg)
{
	struct lkp_session *s = lkp_file_session(file);
	struct lkp_thaw *a = karg;

	if (a->flags || a->reserved)
		return -EINVAL;
	if (!lkp_session_frozen(s))
		return -EBADFD;
	lkp_session_thaw(s, &a->pause_ns);
	return 0;
}

static void lkp_find_fork_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_process_fork"))
		lkp_fork_tp = tp;
}

int lkp_freeze_init(void)
{
	int ret;

	for_each_kernel_tracepoint(lkp_find_fork_tp, NULL);
	if (!lkp_fork_tp) {
		pr_err("no sched_process_fork tracepoint\n");
		return -ENOENT;
	}
	lkp_twork_cache = KMEM_CACHE(lkp_twork, 0);
	if (!lkp_twork_cache)
		return -ENOMEM;
	lkp_chunk_cache = kmem_cache_create("lkp_twork_chunk", LKP_CHUNK_SIZE,
					    L1_CACHE_BYTES, 0, lkp_chunk_ctor);
	if (!lkp_chunk_cache) {
		ret = -ENOMEM;
		goto destroy_cache;
	}
	lkp_reap_wq = alloc_workqueue("lkp_reap", 0, 0);
	if (!lkp_reap_wq) {
		ret = -ENOMEM;
		goto destroy_chunks;
	}
	ret = tracepoint_probe_register(lkp_fork_tp, lkp_fork_probe, NULL);
	if (ret) {
		pr_err("cannot probe sched_process_fork: %d\n", ret);
		goto destroy_wq;
	}
	return 0;

destroy_wq:
	destroy_workqueue(lkp_reap_wq);
destroy_chunks:
	kmem_cache_destroy(lkp_chunk_cache);
destroy_cache:
	kmem_cache_destroy(lkp_twork_cache);
	return ret;
}

void lkp_freeze_exit(void)
{
	tracepoint_probe_unregister(lkp_fork_tp, lkp_fork_probe, NULL);
	tracepoint_synchronize_unregister();
	/* Every reap queued so far runs first: it frees works of the cache. */
	destroy_workqueue(lkp_reap_wq);
	kmem_cache_destroy(lkp_chunk_cache);
	kmem_cache_destroy(lkp_twork_cache);
}
