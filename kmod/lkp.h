/* SPDX-License-Identifier: GPL-2.0 */
/* lkp.h: declarations private to lkp.ko, shared between its files. */
#ifndef _LKP_PRIVATE_H
#define _LKP_PRIVATE_H

#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/sched.h>
#include <uapi/linux/lkp.h>

#define LKP_MODULE_VERSION	"0.1.0"

/*
 * For what a caller's request allocates: charged to the caller's memory
 * cgroup (a 4000-thread freeze takes half a megabyte), and at the cgroup's
 * limit the request fails with ENOMEM rather than OOM-kill anybody.
 */
#define LKP_GFP		(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL)

struct mm_struct;
struct pid;
struct task_struct;
struct lkp_freezer;

/**
 * struct lkp_session - one attached target; the private_data of a session fd.
 * @lock:	serialises every ioctl on the session (the dispatcher takes it,
 *		killable, around each session handler) and the release.
 * @pid:	the target's thread-group pid, taken at attach: a recycled pid
 *		number is another struct pid, so it never redirects the session.
 * @mm:		the target's mm at attach (mmgrab: the struct stays, the address
 *		space may not; use mmget_not_zero() before touching memory). The
 *		target is gone or exec'd as soon as no live thread of @pid uses it.
 * @frz:	the active freeze, NULL when thawed. Under @lock.
 */
struct lkp_session {
	struct mutex lock;
	struct pid *pid;
	struct mm_struct *mm;
	struct lkp_freezer *frz;
};

/*
 * The session API the ioctl handlers are built on. Everything below is
 * called with the session lock held (the dispatcher does that).
 */

/* True while the session holds the target frozen. */
bool lkp_session_frozen(struct lkp_session *s);

/*
 * Freeze every thread of the target and every task sharing its mm.
 * @flags: LKP_FREEZE_*; @timeout_ms: 0 means LKP_FREEZE_DEFAULT_TIMEOUT_MS.
 * Returns 0 and fills @nr_threads and @freeze_ns, or -EBUSY (already frozen),
 * -ESRCH (target gone or exec'd), -ETIMEDOUT, -EINTR (caller killed),
 * -ENOMEM; on any error the target is left running. The freeze waits for
 * the target's threads, killably, with the session lock held.
 */
int lkp_session_freeze(struct lkp_session *s, u32 flags, u32 timeout_ms,
		       u32 *nr_threads, u64 *freeze_ns);

/* Release every frozen thread; @pause_ns (may be NULL): first frozen to released. */
void lkp_session_thaw(struct lkp_session *s, u64 *pause_ns);

/*
 * Calls @fn for each frozen task (not for threads that exited meanwhile);
 * stops at and returns the first nonzero return. @in_syscall: the task's
 * user registers are those of a system call in progress. -EBADFD when the
 * session is not frozen. No spinlock is held around @fn: it may sleep (the
 * tasks are referenced until the thaw).
 */
int lkp_session_walk_threads(struct lkp_session *s,
			     int (*fn)(struct task_struct *t, bool in_syscall, void *arg),
			     void *arg);
/* The name the callers know; checkpatch takes a *for_each* definition for a loop. */
#define lkp_session_for_each_thread(s, fn, arg) lkp_session_walk_threads(s, fn, arg)

/* The target's mm, referenced (mmgrab) for the session's life. */
struct mm_struct *lkp_session_mm(struct lkp_session *s);

/*
 * 0 while the target runs the image it had at attach; -ESRCH when it exited
 * or exec'd (its mm is no longer the session's); -ENOMEM when frozen but a
 * thread created during the freeze could not be frozen (no memory for its
 * work in atomic context), so the target must not be written to.
 */
int lkp_session_check_target(struct lkp_session *s);

#define LKP_FREEZE_DEFAULT_TIMEOUT_MS	1000

/* ioctl handlers: @arg is the kernel copy of the ioctl's struct. */
int lkp_ioc_attach(struct file *file, void *arg);
int lkp_ioc_freeze(struct file *file, void *arg);
int lkp_ioc_thaw(struct file *file, void *arg);
int lkp_ioc_get_threads(struct file *file, void *arg);

long lkp_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
long lkp_session_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
u64 lkp_ioctl_mask(void);

int lkp_freeze_init(void);
void lkp_freeze_exit(void);
void lkp_session_init(void);

/* lkp_stack.c: what the frozen threads were doing, and the stack check. */

/* One frozen thread as the stack check and the poke engine see it. */
struct lkp_thread_snap {
	struct task_struct *task;	/* referenced */
	pid_t tid;			/* in the caller's pid namespace */
	bool in_syscall;
	bool parked;			/* ran its work: was on a CPU at the freeze */
	bool stepping;			/* a uprobe steps it out of line (lkp_uprobe.c) */
	unsigned long ip;		/* the probed instruction's when stepping there */
	unsigned long sp;
};

/*
 * The frozen threads, taken once per ioctl: the session's thread walk may
 * not sleep, while reading stacks and writing text does.
 */
struct lkp_snapshot {
	struct mm_struct *mm;		/* the target's, mmget() held */
	struct lkp_thread_snap *threads;
	unsigned int nr;
};

int lkp_snapshot_take(struct lkp_session *s, struct lkp_snapshot *snap);
void lkp_snapshot_free(struct lkp_snapshot *snap);

/* The ranges of a stack check, sorted for lookup; see lkp_stack.c. */
struct lkp_range_ent;
struct lkp_ranges {
	struct lkp_range_ent *ents;
	u32 nr;
};

int lkp_ranges_copy(struct lkp_ranges *r, u64 uptr, u32 nr);
void lkp_ranges_free(struct lkp_ranges *r);
u64 lkp_stack_limit(u32 max_stack);
int lkp_stack_scan(struct mm_struct *mm, const struct lkp_thread_snap *th,
		   const struct lkp_ranges *r, u64 limit, struct lkp_blocker *b);
int lkp_uret_check(const struct lkp_thread_snap *th,
		   const struct lkp_ranges *r, struct lkp_blocker *b);
struct lkp_prescan;
int lkp_stack_check(const struct lkp_snapshot *snap,
		    const struct lkp_ranges *r, u32 max_stack,
		    const struct lkp_prescan *ps, struct lkp_blocker *b);
int lkp_ioc_stack_check(struct file *file, void *karg);

/*
 * lkp_prescan.c: the stack check of the threads that sleep, done before
 * the freeze; see there for why a thread that has not run since needs no
 * second look.
 */
struct lkp_prescan_ent;
struct lkp_prescan {
	struct lkp_prescan_ent *ents;	/* sorted by task */
	unsigned int nr;
};

int lkp_prescan_take(struct lkp_session *s, const struct lkp_ranges *r,
		     u32 max_stack, struct lkp_prescan *ps);
void lkp_prescan_free(struct lkp_prescan *ps);
bool lkp_prescan_covers(const struct lkp_prescan *ps,
			const struct lkp_thread_snap *th);
void lkp_prescan_gap(void);

/* lkp_poke.c: the compare-and-write engine. */
struct lkp_pokes {
	struct lkp_poke_entry *ents;
	u8 *bytes;			/* per entry: LKP_MAX_POKE old, then new */
	u32 nr;
};

int lkp_pokes_copy(struct lkp_pokes *p, u64 uptr, u32 nr);
void lkp_pokes_free(struct lkp_pokes *p);
int lkp_pokes_verify(const struct lkp_pokes *p,
		     const struct lkp_snapshot *snap, struct lkp_blocker *b);
int lkp_pokes_check_syscall_ip(const struct lkp_pokes *p,
			       const struct lkp_snapshot *snap,
			       struct lkp_blocker *b);
int lkp_pokes_write(const struct lkp_pokes *p,
		    const struct lkp_snapshot *snap);
int lkp_ioc_poke(struct file *file, void *karg);

/* lkp_map.c: mappings lkp makes in targets, remembered per mm. */
int lkp_ioc_map(struct file *file, void *karg);
int lkp_ioc_unmap(struct file *file, void *karg);
void lkp_map_exit(void);

/* lkp_hold.c: hold channels (LKP_IOC_HOLD_*). */
int lkp_ioc_hold_open(struct file *file, void *karg);
int lkp_ioc_hold_add(struct file *file, void *karg);
int lkp_ioc_hold_del(struct file *file, void *karg);
int lkp_ioc_hold_release(struct file *file, void *karg);
long lkp_hold_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* lkp_uprobe.c: what a uprobe holds of a thread. */
bool lkp_uprobe_stepping(struct task_struct *t, u64 *ip);
int lkp_uprobe_for_each_ret(struct task_struct *t,
			    int (*fn)(u64 ret, u64 stack, void *arg), void *arg);

/* lkp_call.c: a thread of the target runs a stub (LKP_IOC_CALL). */
int lkp_ioc_call(struct file *file, void *karg);
bool lkp_ranges_has(const struct lkp_ranges *r, u64 v);
int lkp_map_check_exec(struct lkp_session *s, u64 addr);

/* lkp_txn.c: the whole patch transaction in one call. */
int lkp_ioc_transaction(struct file *file, void *karg);

#endif /* _LKP_PRIVATE_H */
