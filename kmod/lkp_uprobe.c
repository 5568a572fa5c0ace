// SPDX-License-Identifier: GPL-2.0
/* lkp_uprobe.c: what a uprobe holds of a thread: the instruction it steps out of line, the return addresses a uretprobe took. */

/*
 * A uprobe (perf probe, bpftrace, lkpd's own hold points) changes two
 * things lkp's checks read:
 *
 * - It runs the instruction it replaced by a breakpoint out of line: the
 *   thread returns to user mode at a copy of it in the process's [uprobes]
 *   page, with the trap flag set, and once the copy ran the kernel moves
 *   ip back by the distance between copy and original. Frozen in between,
 *   its ip is in no code of the program, although it is about to run the
 *   probed instruction and go on after it. So its ip, for every check, is
 *   the probed instruction's; and its registers must not change, or the
 *   fixup sends it anywhere (LKP_IOC_CALL never lends it).
 *
 * - A uretprobe replaces the return address of the probed function's frame
 *   with its trampoline, and keeps the real one in the thread's list of
 *   return instances. No stack word shows it; the list does.
 *
 * Both live in the thread's struct uprobe_task, which the kernel frees,
 * with a plain kfree(), when the thread exits or execs. A frozen thread
 * may be killed, and may then exit while lkp reads: so every read is a
 * copy_from_kernel_nofault(). A thread that freed its uprobe_task never
 * returns to this image's user mode, so what a read finds then (a fault,
 * or stale bytes) can only make lkp wait for nothing, never miss a frame.
 */

#include <linux/sched.h>
#include <linux/uaccess.h>
#include <linux/uprobes.h>

#include "lkp.h"

/* Return instances looked at per thread; a longer list is not trusted. */
#define LKP_URET_MAX	64

#ifdef CONFIG_UPROBES
static int lkp_utask_read(struct task_struct *t, struct uprobe_task *u)
{
	struct uprobe_task *p = READ_ONCE(t->utask);

	if (!p)
		return -ENOENT;
	return copy_from_kernel_nofault(u, p, sizeof(*u)) ? -EFAULT : 0;
}

bool lkp_uprobe_stepping(struct task_struct *t, u64 *ip)
{
	struct uprobe_task u;

	if (lkp_utask_read(t, &u) || u.state == UTASK_RUNNING)
		return false;
	/*
	 * At the copy, not yet run (SSTEP), or with the run cut short by a
	 * signal (SSTEP_TRAPPED: the kernel sends it back to the original):
	 * at the probed instruction. Past the copy (SSTEP_ACK: preempted in
	 * the kernel before the fixup), as far past the original.
	 */
	if (*ip >= u.xol_vaddr && *ip - u.xol_vaddr < UPROBE_XOL_SLOT_BYTES)
		*ip = u.vaddr + (u.state == UTASK_SSTEP_ACK ? *ip - u.xol_vaddr : 0);
	return true;
}

int lkp_uprobe_for_each_ret(struct task_struct *t,
			    int (*fn)(u64 ret, u64 stack, void *arg), void *arg)
{
	struct return_instance ri, *p;
	struct uprobe_task u;
	unsigned int n = 0;
	int ret;

	if (lkp_utask_read(t, &u))
		return 0;	/* none, or gone with the thread */
	for (p = u.return_instances; p; p = ri.next) {
		if (n++ == LKP_URET_MAX ||
		    copy_from_kernel_nofault(&ri, p, sizeof(ri)))
			return -EOVERFLOW;	/* not all seen */
		ret = fn(ri.orig_ret_vaddr, ri.stack, arg);
		if (ret)
			return ret;
	}
	return 0;
}
#else
bool lkp_uprobe_stepping(struct task_struct *t, u64 *ip)
{
	return false;
}

int lkp_uprobe_for_each_ret(struct task_struct *t,
			    int (*fn)(u64 ret, u64 stack, void *arg), void *arg)
{
	return 0;
}
#endif
