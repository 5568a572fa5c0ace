// SPDX-License-Identifier: GPL-2.0
/* lkp_hold.c: hold channels: threads park at a file's instruction until the channel's reader lets them go. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

/*
 * What a hold is for. lkpd must patch a new process before it runs one
 * instruction of a patched function: an executable before its entry point,
 * a library (linked at start or dlopen'd) once the loader has mapped and
 * relocated it and before its init function runs. lkpd finds those
 * instructions in the files (the kernel parses no ELF) and adds them as hold
 * points; each is a uprobe, so it costs nothing in processes that do not map
 * the file. A thread that hits one queues a task_work and parks in it on its
 * way back to user mode, before the instruction executes; the reader gets an
 * event, attaches a session, patches, and releases the thread.
 *
 * Nothing may hang for lkpd: a held thread waits at most the channel's
 * timeout, SIGKILL ends the wait, closing the channel (lkpd dying) releases
 * every thread it holds, and each release that is not the reader's answer
 * is logged. The process that opened the channel is never held by it.
 *
 * Lifetime. A queued task_work always runs (task_work_cancel() is not
 * exported), so each held thread owns its lkp_held and holds a reference
 * on the channel and on the module, dropped when its work has run; the
 * channel is freed with its last reference (the file's, or a held
 * thread's), and the module reference is dropped in a tail call.
 */

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/uaccess.h>
#include <linux/uprobes.h>
#include <linux/wait.h>

#include "lkp.h"

#define LKP_HOLD_DEFAULT_TIMEOUT_MS	5000
#define LKP_HOLD_MAX_TIMEOUT_MS		60000
/* Hold points per channel: one per patched object is the use. */
#define LKP_HOLD_MAX_POINTS		4096

struct lkp_hold_chan {
	refcount_t ref;			/* the file's, and one per held thread */
	struct mutex lock;		/* @points, @next_point */
	struct list_head points;
	u32 next_point;
	spinlock_t qlock;		/* @events, @held, @closed, @next_hold, each ->released */
	struct list_head events;	/* held, not read yet */
	struct list_head held;		/* held and read, not released */
	u64 next_hold;
	bool closed;
	wait_queue_head_t readq;	/* the reader, for events */
	wait_queue_head_t releaseq;	/* the held threads */
	u32 timeout_ms;
	struct pid *owner;		/* the opener's thread group: never held */
};

struct lkp_hold_point {
	struct list_head node;
	struct uprobe_consumer uc;
	struct lkp_hold_chan *ch;
	struct file *file;
	u64 offset;
	u64 cookie;
	u32 id;
};

struct lkp_held {
	struct callback_head cb;
	struct list_head node;		/* on ->events, then ->held; empty once off */
	struct lkp_hold_chan *ch;
	struct pid *tgid;
	struct pid *tid;
	u64 id;
	u64 cookie;
	u64 offset;
	u32 point;
	bool released;
};

static void lkp_hold_chan_free(struct lkp_hold_chan *ch)
{
	put_pid(ch->owner);
	kfree(ch);
}

static __always_inline void lkp_hold_chan_put(struct lkp_hold_chan *ch)
{
	if (refcount_dec_and_test(&ch->ref))
		lkp_hold_chan_free(ch);
}

/* Why a held thread goes on, for the log; NULL: the reader released it. */
static const char *lkp_held_why(struct lkp_held *h, bool timed_out)
{
	if (h->released)
		return NULL;
	if (READ_ONCE(h->ch->closed))
		return "the hold channel was closed";
	if (timed_out)
		return "no answer within the hold timeout";
	return NULL;	/* killed: it does not go on */
}

/*
 * Until released, the channel closes, the timeout, or SIGKILL: > 0, 0 on
 * timeout, < 0 when killed. TASK_NOLOAD, as a frozen thread: a held process
 * shows as idle ('I'), not in the load average.
 */
static long lkp_hold_wait(struct lkp_hold_chan *ch, struct lkp_held *h)
{
	long timeout = msecs_to_jiffies(ch->timeout_ms);

	return ___wait_event(ch->releaseq,
			     ___wait_cond_timeout(READ_ONCE(h->released) ||
						  READ_ONCE(ch->closed)),
			     (TASK_KILLABLE | TASK_NOLOAD), 0, timeout,
			     __ret = schedule_timeout(__ret));
}

/* The work a held thread runs on its way back to user mode. */
static void lkp_held_fn(struct callback_head *cb)
{
	struct lkp_held *h = container_of(cb, struct lkp_held, cb);
	struct lkp_hold_chan *ch = h->ch;
	const char *why;
	long left;

	/* An exiting thread (killed while held) has nothing to wait for. */
	if (current->flags & PF_EXITING)
		left = -ESRCH;
	else
		left = lkp_hold_wait(ch, h);
	spin_lock(&ch->qlock);
	list_del_init(&h->node);
	why = lkp_held_why(h, left == 0);
	spin_unlock(&ch->qlock);
	if (why && !fatal_signal_pending(current))
		pr_warn_ratelimited("%s[%d]: released unpatched from its hold at offset 0x%llx: %s\n",
			current->comm, task_tgid_nr(current), h->offset, why);

	put_pid(h->tgid);
	put_pid(h->tid);
	kfree(h);
	lkp_hold_chan_put(ch);
	/* Last, a tail call: no module code runs after its reference is gone. */
	module_put(THIS_MODULE);
}

/* The uprobe handler: runs in the thread that reached the point. */
static int lkp_hold_hit(struct uprobe_consumer *uc, struct pt_regs *regs)
{
	struct lkp_hold_point *hp = container_of(uc, struct lkp_hold_point, uc);
	struct lkp_hold_chan *ch = hp->ch;
	struct lkp_held *h;

	if ((current->flags & (PF_EXITING | PF_KTHREAD)) ||
	    task_tgid(current) == ch->owner || READ_ONCE(ch->closed))
		return 0;
	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h) {
		pr_warn_ratelimited("%s[%d]: not held at offset 0x%llx: no memory\n",
				    current->comm, task_tgid_nr(current), hp->offset);
		return 0;
	}
	init_task_work(&h->cb, lkp_held_fn);
	INIT_LIST_HEAD(&h->node);
	h->ch = ch;
	h->tgid = get_pid(task_tgid(current));
	h->tid = get_pid(task_pid(current));
	h->cookie = hp->cookie;
	h->offset = hp->offset;
	h->point = hp->id;
	/* The channel's file holds the module and the channel while we run. */
	__module_get(THIS_MODULE);
	refcount_inc(&ch->ref);
	/*
	 * Queued first: the work runs only once this thread heads back to
	 * user mode, so h stays ours until the event is published below.
	 */
	if (task_work_add(current, &h->cb, TWA_RESUME)) {
		/* Exiting after all: nothing to hold. */
		put_pid(h->tgid);
		put_pid(h->tid);
		kfree(h);
		lkp_hold_chan_put(ch);
		module_put(THIS_MODULE);
		return 0;
	}
	spin_lock(&ch->qlock);
	h->id = ++ch->next_hold;
	if (!ch->closed)
		list_add_tail(&h->node, &ch->events);
	spin_unlock(&ch->qlock);
	wake_up_interruptible(&ch->readq);
	return 0;
}

/*
 * The inode the processes' mappings hold: on overlayfs (a container's root,
 * the test VM's) a process maps the layer's file, not the overlay's, and a
 * uprobe fires on the inode of the mapping. The file reference the point
 * keeps pins the overlay dentry, and so the layer's inode.
 */
static struct inode *lkp_hold_inode(struct file *f)
{
	return d_real_inode(f->f_path.dentry);
}

static void lkp_hold_point_remove(struct lkp_hold_point *hp)
{
	list_del(&hp->node);
	uprobe_unregister(lkp_hold_inode(hp->file), hp->offset, &hp->uc);
	fput(hp->file);
	kfree(hp);
}

static int lkp_hold_release_fop(struct inode *inode, struct file *file)
{
	struct lkp_hold_chan *ch = file->private_data;
	struct lkp_hold_point *hp, *tmp;

	/* No new holds: remove every point, then let every held thread go. */
	mutex_lock(&ch->lock);
	list_for_each_entry_safe(hp, tmp, &ch->points, node)
		lkp_hold_point_remove(hp);
	mutex_unlock(&ch->lock);
	spin_lock(&ch->qlock);
	WRITE_ONCE(ch->closed, true);
	spin_unlock(&ch->qlock);
	wake_up_all(&ch->releaseq);
	lkp_hold_chan_put(ch);
	return 0;
}

/*
 * An event the reader did not get goes back first in line, unless its
 * thread went on meanwhile (then it is gone: looked up by id, never by a
 * pointer the lock no longer covers).
 */
static void lkp_held_unread(struct lkp_hold_chan *ch, u64 id)
{
	struct lkp_held *h;

	spin_lock(&ch->qlock);
	list_for_each_entry(h, &ch->held, node) {
		if (h->id == id) {
			list_move(&h->node, &ch->events);
			break;
		}
	}
	spin_unlock(&ch->qlock);
}

static ssize_t lkp_hold_read(struct file *file, char __user *buf, size_t count,
			     loff_t *ppos)
{
	struct lkp_hold_chan *ch = file->private_data;
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct lkp_hold_event ev;
	struct lkp_held *h;
	size_t done = 0;
	int ret;

	if (count < sizeof(ev))
		return -EINVAL;
	for (;;) {
		spin_lock(&ch->qlock);
		if (!list_empty(&ch->events))
			break;
		spin_unlock(&ch->qlock);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(ch->readq,
					       !list_empty_careful(&ch->events));
		if (ret)
			return ret;
	}
	/* Under the lock: copied to a kernel buffer first, then out. */
	while (count - done >= sizeof(ev) && !list_empty(&ch->events)) {
		h = list_first_entry(&ch->events, struct lkp_held, node);
		ev = (struct lkp_hold_event){
			.hold = h->id, .cookie = h->cookie, .point = h->point,
			.pid = pid_nr_ns(h->tgid, ns), .tid = pid_nr_ns(h->tid, ns),
		};
		list_move_tail(&h->node, &ch->held);
		spin_unlock(&ch->qlock);
		if (copy_to_user(buf + done, &ev, sizeof(ev))) {
			lkp_held_unread(ch, ev.hold);
			return done ? done : -EFAULT;
		}
		done += sizeof(ev);
		spin_lock(&ch->qlock);
	}
	spin_unlock(&ch->qlock);
	return done;
}

static __poll_t lkp_hold_poll(struct file *file, poll_table *wait)
{
	struct lkp_hold_chan *ch = file->private_data;

	poll_wait(file, &ch->readq, wait);
	return list_empty_careful(&ch->events) ? 0 : EPOLLIN | EPOLLRDNORM;
}

static const struct file_operations lkp_hold_fops = {
	.owner		= THIS_MODULE,
	.release	= lkp_hold_release_fop,
	.read		= lkp_hold_read,
	.poll		= lkp_hold_poll,
	.unlocked_ioctl	= lkp_hold_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

int lkp_ioc_hold_open(struct file *file, void *karg)
{
	struct lkp_hold_open *o = karg;
	struct lkp_hold_chan *ch;
	int fd;

	if (o->flags || o->reserved || o->timeout_ms > LKP_HOLD_MAX_TIMEOUT_MS)
		return -EINVAL;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ch = kzalloc(sizeof(*ch), GFP_KERNEL_ACCOUNT);
	if (!ch)
		return -ENOMEM;
	refcount_set(&ch->ref, 1);
	mutex_init(&ch->lock);
	INIT_LIST_HEAD(&ch->points);
	spin_lock_init(&ch->qlock);
	INIT_LIST_HEAD(&ch->events);
	INIT_LIST_HEAD(&ch->held);
	init_waitqueue_head(&ch->readq);
	init_waitqueue_head(&ch->releaseq);
	ch->timeout_ms = o->timeout_ms ?: LKP_HOLD_DEFAULT_TIMEOUT_MS;
	ch->owner = get_pid(task_tgid(current));
	fd = anon_inode_getfd("[lkp-hold]", &lkp_hold_fops, ch, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		lkp_hold_chan_free(ch);
	return fd;
}

int lkp_ioc_hold_add(struct file *file, void *karg)
{
	struct lkp_hold_chan *ch = file->private_data;
	struct lkp_hold_add *a = karg;
	struct lkp_hold_point *hp, *p;
	unsigned int n = 0;
	struct file *f;
	int ret;

	a->id = 0;
	if (a->flags || a->reserved)
		return -EINVAL;
	f = fget(a->fd);
	if (!f)
		return -EBADF;
	/* uprobe_register() checks the offset only against i_size. */
	if (!S_ISREG(file_inode(f)->i_mode) ||
	    a->offset >= i_size_read(file_inode(f))) {
		fput(f);
		return -EINVAL;
	}
	hp = kzalloc(sizeof(*hp), GFP_KERNEL_ACCOUNT);
	if (!hp) {
		fput(f);
		return -ENOMEM;
	}
	hp->ch = ch;
	hp->file = f;
	hp->offset = a->offset;
	hp->cookie = a->cookie;
	hp->uc.handler = lkp_hold_hit;

	mutex_lock(&ch->lock);
	list_for_each_entry(p, &ch->points, node)
		n++;
	ret = n < LKP_HOLD_MAX_POINTS ? 0 : -ENOSPC;
	if (!ret)
		ret = uprobe_register(lkp_hold_inode(f), hp->offset, &hp->uc);
	if (!ret) {
		hp->id = ++ch->next_point;
		list_add_tail(&hp->node, &ch->points);
		a->id = hp->id;
	}
	mutex_unlock(&ch->lock);
	if (ret) {
		fput(f);
		kfree(hp);
	}
	return ret;
}

int lkp_ioc_hold_del(struct file *file, void *karg)
{
	struct lkp_hold_chan *ch = file->private_data;
	struct lkp_hold_del *d = karg;
	struct lkp_hold_point *hp;
	int ret = -ENOENT;

	if (d->flags)
		return -EINVAL;
	mutex_lock(&ch->lock);
	list_for_each_entry(hp, &ch->points, node) {
		if (hp->id == d->id) {
			lkp_hold_point_remove(hp);
			ret = 0;
			break;
		}
	}
	mutex_unlock(&ch->lock);
	return ret;
}

/* Looks in both lists: a thread may be released before its event is read. */
static struct lkp_held *lkp_held_find(struct lkp_hold_chan *ch, u64 id)
{
	struct lkp_held *h;

	lockdep_assert_held(&ch->qlock);
	list_for_each_entry(h, &ch->held, node)
		if (h->id == id)
			return h;
	list_for_each_entry(h, &ch->events, node)
		if (h->id == id)
			return h;
	return NULL;
}

int lkp_ioc_hold_release(struct file *file, void *karg)
{
	struct lkp_hold_chan *ch = file->private_data;
	struct lkp_hold_release *r = karg;
	struct lkp_held *h;

	if (r->flags || r->reserved)
		return -EINVAL;
	spin_lock(&ch->qlock);
	h = lkp_held_find(ch, r->hold);
	if (h) {
		WRITE_ONCE(h->released, true);
		list_del_init(&h->node);
	}
	spin_unlock(&ch->qlock);
	if (!h)
		return -ENOENT;
	wake_up_all(&ch->releaseq);
	return 0;
}
