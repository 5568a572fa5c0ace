// SPDX-License-Identifier: GPL-2.0
/* lkp_call.c: LKP_IOC_CALL: one thread of the target runs a stub in lkp's memory, then resumes. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

/*
 * Why a thread of the target, and how.
 *
 * Some things a patch needs can only be done by the process itself, under
 * its own locks: registering the new code's unwind rules with libgcc
 * (docs/apply.md) takes libgcc's object_mutex, which any thread may hold.
 * So one thread is borrowed the way a signal borrows it: the target is
 * frozen as LKP_IOC_FREEZE freezes it (a thread asleep in a system call is
 * left asleep and never sees EINTR); a thread that was parked on its way to
 * user mode gets its registers saved below its red zone and resumes at the
 * stub, and the target is thawed. When every thread sleeps, one asleep in a
 * system call that restarts unseen (lkp_call_wakeable()) is woken with a
 * signal-less notification, parks, and is borrowed; its frame restarts the
 * call, as the kernel would have. The stub restores every register itself
 * and jumps back. The other threads run on meanwhile: if one holds a lock
 * the stub needs, the stub waits for it like any thread would. Only a
 * thread that is itself inside the code taking that lock (its ip or a
 * return address in @avoid) could deadlock, and is never chosen; nor is
 * one stopped inside code that holds a lock the stub's callees take (the
 * allocator: its ip in the ip-only ranges), unless it was woken for the
 * call from a system call, as a signal handler may run there.
 *
 * Nothing is left behind: a call either chose a thread before it thawed
 * (its pt_regs are already the stub's) or changed nothing; the freeze's
 * works are the freezer's, which outlive the call as they outlive a thaw.
 */

#include <linux/errno.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/sched/task.h>
#include <asm/syscall.h>
#include <asm/unistd.h>
#include <linux/jiffies.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <asm/ptrace.h>

#include "lkp.h"

/* Thawed wait between two freezes that found no thread to borrow. */
#define LKP_CALL_RETRY_MS	2
/* Stack a borrowed thread must have below its red zone, for the stub. */
#define LKP_CALL_STACK_ROOM	(16U << 10)
/* How long a woken sleeper may take to park, frozen, before the next try. */
#define LKP_CALL_WAKE_MS	100

/* The two kinds of ranges in struct lkp_call's avoid array. */
struct lkp_call_avoid {
	struct lkp_ranges full;	/* ip and stack: nr_avoid */
	struct lkp_ranges ip;	/* ip of a thread not woken for the call: nr_avoid_ip */
};

/* The error a system call interrupted without a signal returns before the kernel restarts it. */
static bool lkp_call_restart_code(long ax)
{
	return ax >= -ERESTART_RESTARTBLOCK && ax <= -ERESTARTSYS;
}

/*
 * Whether the stack holding @sp has LKP_CALL_STACK_ROOM below the red zone
 * (or grows down): the stub's extended state and its callee go there. A
 * thread on a small stack of its own (a coroutine, sigaltstack) near its
 * end is not chosen. Under the mmap lock.
 */
static bool lkp_call_stack_room(struct mm_struct *mm, u64 sp)
{
	u64 low = sp - LKP_CALL_RED_ZONE - LKP_CALL_STACK_ROOM;
	struct vm_area_struct *vma = find_vma(mm, sp);

	if (low > sp || !vma || vma->vm_start > sp)
		return false;
	return vma->vm_start <= low || (vma->vm_flags & VM_GROWSDOWN);
}

/* Whether @th may run the stub: see the comment at the top. */
static int lkp_call_eligible(struct lkp_session *s,
			     const struct lkp_snapshot *snap,
			     const struct lkp_thread_snap *th,
			     const struct lkp_call_avoid *avoid, bool woken,
			     u64 limit)
{
	struct pt_regs *regs = task_pt_regs(th->task);
	struct lkp_blocker b;
	int ret;

	if (task_tgid(th->task) != s->pid || !user_64bit_mode(regs))
		return -EAGAIN;
	/* Its registers belong to the step's fixup (lkp_uprobe.c). */
	if (th->stepping)
		return -EAGAIN;
	/*
	 * A signal to deliver would find the system call already set up to
	 * restart (see lkp_call_redirect): not what its handler expects.
	 */
	if (th->in_syscall && lkp_call_restart_code(regs->ax) &&
	    signal_pending(th->task))
		return -EAGAIN;
	if (avoid->full.nr && lkp_ranges_has(&avoid->full, th->ip))
		return -EAGAIN;
	/*
	 * A thread stopped at any instruction may be inside the allocator,
	 * holding a lock the stub's callees take. A sleeper woken for the
	 * call is at a system call that restarts (lkp_call_wakeable()): the
	 * points where signal handlers may call what they like.
	 */
	if (!woken && avoid->ip.nr && lkp_ranges_has(&avoid->ip, th->ip))
		return -EAGAIN;
	if (mmap_read_lock_killable(snap->mm))
		return -EINTR;
	ret = lkp_call_stack_room(snap->mm, regs->sp) ? 0 : -EAGAIN;
	if (!ret && avoid->full.nr)
		ret = lkp_uret_check(th, &avoid->full, &b);
	if (!ret && avoid->full.nr)
		ret = lkp_stack_scan(snap->mm, th, &avoid->full, limit, &b);
	mmap_read_unlock(snap->mm);
	return ret == -EBUSY ? -EAGAIN : ret;
}

/*
 * Saves @th's registers on its stack and points it at the stub. A system
 * call about to restart is restarted by the frame, as the kernel would
 * have done: the stub returns to the syscall instruction with its number.
 */
static int lkp_call_redirect(struct lkp_thread_snap *th, u64 stub, u64 *frame)
{
	struct pt_regs *regs = task_pt_regs(th->task);
	struct lkp_call_frame f = {
		.r15 = regs->r15, .r14 = regs->r14, .r13 = regs->r13,
		.r12 = regs->r12, .bp = regs->bp, .bx = regs->bx,
		.r11 = regs->r11, .r10 = regs->r10, .r9 = regs->r9,
		.r8 = regs->r8, .ax = regs->ax, .cx = regs->cx,
		.dx = regs->dx, .si = regs->si, .di = regs->di,
		.flags = regs->flags, .ip = regs->ip,
	};
	u64 at = regs->sp - LKP_CALL_RED_ZONE - sizeof(f);

	if (th->in_syscall && lkp_call_restart_code(regs->ax)) {
		f.ax = regs->ax == -ERESTART_RESTARTBLOCK ?
		       __NR_restart_syscall : regs->orig_ax;
		f.ip = regs->ip - 2;
	}
	if (at > regs->sp)
		return -EAGAIN;
	if (access_process_vm(th->task, at, &f, sizeof(f),
			      FOLL_WRITE) != sizeof(f))
		return -EAGAIN;	/* no stack below: try another thread */
	/*
	 * The parked thread reads these on its way out, after the thaw: -1
	 * keeps the kernel from restarting the system call a second time.
	 */
	regs->ip = stub;
	regs->sp = at & ~15ULL;
	regs->di = at;
	regs->orig_ax = -1;
	*frame = at;
	return 0;
}

/*
 * A sleeper that may be woken to run the stub: asleep in a system call
 * that, woken by a notification and no signal, restarts unseen (the
 * kernel returns -ERESTART* and restarts it; lkp_call_redirect does it
 * here). Calls that may say EINTR instead (epoll_wait, sockets with a
 * timeout, ...) are not on the list: their sleepers are never woken.
 */
static bool lkp_call_wakeable(const struct lkp_thread_snap *th)
{
	struct task_struct *t = th->task;
	struct pt_regs *regs = task_pt_regs(t);
	struct files_struct *files;
	struct file *file;
	bool ok = false;

	if (th->parked || !th->in_syscall)
		return false;
	switch (syscall_get_nr(t, regs)) {
	case __NR_futex:
	case __NR_nanosleep:
	case __NR_clock_nanosleep:
	case __NR_pause:
	case __NR_wait4:
		return true;
	case __NR_read:
	case __NR_write:
	case __NR_readv:
	case __NR_writev:
		break;
	default:
		return false;
	}
	/* Of the file calls, those on a pipe or FIFO: pipe_read() and pipe_write(). */
	task_lock(t);
	files = t->files;
	rcu_read_lock();
	file = files ? files_lookup_fd_rcu(files, (unsigned int)regs->di) : NULL;
	ok = file && S_ISFIFO(file_inode(file)->i_mode);
	rcu_read_unlock();
	task_unlock(t);
	return ok;
}

struct lkp_call_nudge {
	struct callback_head cb;
};

/* Runs on the woken thread before its freeze work parks it: nothing to do. */
static void lkp_call_nudge_fn(struct callback_head *cb)
{
	kfree(container_of(cb, struct lkp_call_nudge, cb));
	/* Last, and a tail call, as in lkp_twork_fn(). */
	module_put(THIS_MODULE);
}

/* Wakes @t, frozen asleep, so that it parks: a signal-less notification. */
static int lkp_call_nudge(struct task_struct *t)
{
	struct lkp_call_nudge *n = kmalloc(sizeof(*n), LKP_GFP);

	if (!n)
		return -ENOMEM;
	init_task_work(&n->cb, lkp_call_nudge_fn);
	__module_get(THIS_MODULE);
	if (task_work_add(t, &n->cb, TWA_SIGNAL)) {
		module_put(THIS_MODULE);
		kfree(n);
		return -EAGAIN;
	}
	return 0;
}

/* Borrow @task if it is parked now and still eligible: 0, or -EAGAIN. */
static int lkp_call_take(struct lkp_session *s, struct lkp_call *c,
			 const struct lkp_call_avoid *avoid,
			 struct task_struct *task)
{
	u64 limit = lkp_stack_limit(c->max_stack);
	struct lkp_thread_snap *th;
	struct lkp_snapshot snap;
	unsigned int i;
	int ret;

	ret = lkp_session_check_target(s);
	if (ret)
		return ret;
	ret = lkp_snapshot_take(s, &snap);
	if (ret)
		return ret;
	ret = -EAGAIN;
	for (i = 0; i < snap.nr && ret == -EAGAIN; i++) {
		th = &snap.threads[i];
		if (!th->parked || (task && th->task != task))
			continue;
		ret = lkp_call_eligible(s, &snap, th, avoid, task != NULL,
					limit);
		if (!ret)
			ret = lkp_call_redirect(th, c->stub, &c->frame);
		if (!ret)
			c->tid = th->tid;
		/* The woken thread parked, but cannot be borrowed: wait no more. */
		else if (ret == -EAGAIN && task)
			ret = -ENOENT;
	}
	lkp_snapshot_free(&snap);
	return ret;
}

/* A sleeper to wake, referenced, or NULL. */
static struct task_struct *lkp_call_pick_sleeper(struct lkp_session *s,
						 const struct lkp_call_avoid *avoid,
						 u32 max_stack)
{
	u64 limit = lkp_stack_limit(max_stack);
	struct task_struct *task = NULL;
	struct lkp_thread_snap *th;
	struct lkp_snapshot snap;
	unsigned int i;

	if (lkp_snapshot_take(s, &snap))
		return NULL;
	for (i = 0; i < snap.nr && !task; i++) {
		th = &snap.threads[i];
		if (lkp_call_wakeable(th) &&
		    !lkp_call_eligible(s, &snap, th, avoid, true, limit)) {
			task = th->task;
			get_task_struct(task);
		}
	}
	lkp_snapshot_free(&snap);
	return task;
}

/*
 * One freeze: borrow a thread that parked on its own way to user mode;
 * else wake one sleeper that can be woken unseen and borrow it once it
 * has parked; else -EAGAIN.
 */
static int lkp_call_once(struct lkp_session *s, struct lkp_call *c,
			 const struct lkp_call_avoid *avoid)
{
	struct task_struct *task;
	unsigned int waited;
	int ret;

	ret = lkp_call_take(s, c, avoid, NULL);
	if (ret != -EAGAIN)
		return ret;
	task = lkp_call_pick_sleeper(s, avoid, c->max_stack);
	if (!task)
		return -EAGAIN;
	ret = lkp_call_nudge(task);
	for (waited = 0; !ret || ret == -EAGAIN; waited++) {
		ret = lkp_call_take(s, c, avoid, task);
		if (ret != -EAGAIN || waited >= LKP_CALL_WAKE_MS)
			break;
		if (msleep_interruptible(1)) {
			ret = -EINTR;
			break;
		}
	}
	put_task_struct(task);
	return ret == -ENOENT ? -EAGAIN : ret;
}

int lkp_ioc_call(struct file *file, void *karg)
{
	struct lkp_session *s = file->private_data;
	struct lkp_call_avoid avoid = { 0 };
	struct lkp_call *c = karg;
	unsigned long deadline;
	u32 nr_threads;
	u64 freeze_ns;
	int ret;

	c->tid = 0;
	c->attempts = 0;
	c->frame = 0;
	if (c->flags || c->reserved || !c->stub ||
	    c->nr_avoid > LKP_MAX_RANGES ||
	    c->nr_avoid_ip > LKP_MAX_RANGES - c->nr_avoid ||
	    (!c->nr_avoid && !c->nr_avoid_ip && c->avoid))
		return -EINVAL;
	if (lkp_session_frozen(s))
		return -EALREADY;
	ret = lkp_map_check_exec(s, c->stub);
	if (ret)
		return ret;
	if (c->nr_avoid) {
		ret = lkp_ranges_copy(&avoid.full, c->avoid, c->nr_avoid);
		if (ret)
			return ret;
	}
	if (c->nr_avoid_ip) {
		ret = lkp_ranges_copy(&avoid.ip, c->avoid + (u64)c->nr_avoid *
				      sizeof(struct lkp_range), c->nr_avoid_ip);
		if (ret) {
			lkp_ranges_free(&avoid.full);
			return ret;
		}
	}

	deadline = jiffies + msecs_to_jiffies(c->timeout_ms ?:
					      LKP_FREEZE_DEFAULT_TIMEOUT_MS);
	for (;;) {
		c->attempts++;
		ret = lkp_session_freeze(s, 0, c->timeout_ms, &nr_threads,
					 &freeze_ns);
		if (ret)
			break;
		ret = lkp_call_once(s, c, &avoid);
		lkp_session_thaw(s, NULL);
		if (ret != -EAGAIN)
			break;
		if (time_after(jiffies, deadline)) {
			ret = -ETIMEDOUT;
			break;
		}
		if (msleep_interruptible(LKP_CALL_RETRY_MS)) {
			ret = -EINTR;
			break;
		}
	}
	lkp_ranges_free(&avoid.ip);
	lkp_ranges_free(&avoid.full);
	return ret;
}
