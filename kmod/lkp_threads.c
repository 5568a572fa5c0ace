// SPDX-License-Identifier: GPL-2.0
/* lkp_threads.c: LKP_IOC_GET_THREADS: the frozen threads with their user registers. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/uaccess.h>
#include <asm/syscall.h>

#include "lkp.h"
#include "lkp_freeze.h"

/* The size of struct lkp_thread in the first published UAPI. */
#define LKP_THREAD_SIZE_V1	(8 + 27 * 8)

bool lkp_task_in_syscall(struct task_struct *t)
{
	return syscall_get_nr(t, task_pt_regs(t)) >= 0;
}

/*
 * A frozen task is off-CPU, so its user registers in pt_regs and its saved
 * segment state are stable; the selectors and bases come from thread_struct
 * as PTRACE_GETREGS reports them for a stopped tracee.
 */
static void lkp_fill_thread(struct lkp_thread *out, struct lkp_twork *w)
{
	struct task_struct *t = w->task;
	const struct pt_regs *r = task_pt_regs(t);
	struct lkp_regs *o = &out->regs;
	u64 ip;

	out->tid = task_pid_vnr(t);
	out->flags = 0;
	if (lkp_task_in_syscall(t))
		out->flags |= LKP_THREAD_IN_SYSCALL;
	if (lkp_twork_parked(w))
		out->flags |= LKP_THREAD_PARKED;
	ip = r->ip;
	if (lkp_uprobe_stepping(t, &ip))
		out->flags |= LKP_THREAD_UPROBE_STEP;

	o->r15 = r->r15;
	o->r14 = r->r14;
	o->r13 = r->r13;
	o->r12 = r->r12;
	o->bp = r->bp;
	o->bx = r->bx;
	o->r11 = r->r11;
	o->r10 = r->r10;
	o->r9 = r->r9;
	o->r8 = r->r8;
	o->ax = r->ax;
	o->cx = r->cx;
	o->dx = r->dx;
	o->si = r->si;
	o->di = r->di;
	o->orig_ax = r->orig_ax;
	o->ip = ip;
	o->cs = r->cs;
	o->flags = r->flags;
	o->sp = r->sp;
	o->ss = r->ss;
	o->fs_base = t->thread.fsbase;
	o->gs_base = t->thread.gsbase;
	o->ds = t->thread.ds;
	o->es = t->thread.es;
	o->fs = t->thread.fsindex;
	o->gs = t->thread.gsindex;
}

struct lkp_threads_out {
	u8 __user *buf;
	u32 capacity;
	u32 thread_size;
	u32 count;
};

static int lkp_put_thread(struct lkp_twork *w, void *arg)
{
	struct lkp_threads_out *out = arg;
	u8 __user *dst = out->buf + (u64)out->count * out->thread_size;
	u32 n = min_t(u32, out->thread_size, sizeof(struct lkp_thread));
	struct lkp_thread th;

	if (out->count++ >= out->capacity)
		return 0;	/* keep counting: the caller learns the size */
	lkp_fill_thread(&th, w);
	if (copy_to_user(dst, &th, n))
		return -EFAULT;
	/* A newer caller's tail is zeroed: fields this module does not know. */
	if (out->thread_size > n && clear_user(dst + n, out->thread_size - n))
		return -EFAULT;
	return 0;
}

int lkp_ioc_get_threads(struct file *file, void *karg)
{
	struct lkp_session *s = file->private_data;
	struct lkp_threads *a = karg;
	struct lkp_threads_out out;
	int ret;

	BUILD_BUG_ON(sizeof(struct lkp_thread) != LKP_THREAD_SIZE_V1);
	if (a->flags || a->reserved || a->thread_size < LKP_THREAD_SIZE_V1 ||
	    a->thread_size > PAGE_SIZE)
		return -EINVAL;
	if (!lkp_session_frozen(s))
		return -EBADFD;
	/* Threads of an image that exited or exec'd are nobody's business. */
	ret = lkp_session_check_target(s);
	if (ret == -ESRCH)
		return ret;
	out.buf = u64_to_user_ptr(a->threads);
	out.capacity = a->count;
	out.thread_size = a->thread_size;
	out.count = 0;
	ret = lkp_session_walk_tworks(s, lkp_put_thread, &out);
	if (ret)
		return ret;
	a->count = out.count;
	return out.count > out.capacity ? -ENOSPC : 0;
}
