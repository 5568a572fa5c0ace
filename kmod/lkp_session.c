// SPDX-License-Identifier: GPL-2.0
/* lkp_session.c: LKP_IOC_ATTACH, its permission proof, the session fd and its release. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/magic.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "lkp.h"
#include "lkp_freeze.h"

/*
 * The inode every anonymous-inode file shares, learnt at load time. Together
 * with the "[pidfd]" name it identifies a pidfd: pidfd_pid() and pidfd_fops
 * are not exported, and anonymous files are only ever named by kernel code.
 */
static struct inode *lkp_anon_inode;

static const struct file_operations lkp_probe_fops = {
	.llseek = noop_llseek,
};

void lkp_session_init(void)
{
	struct file *file;

	file = anon_inode_getfile("[lkp-probe]", &lkp_probe_fops, NULL, O_RDONLY);
	if (IS_ERR(file)) {
		pr_warn("no anonymous inode: LKP_ATTACH_PIDFD disabled\n");
		return;
	}
	lkp_anon_inode = file_inode(file);
	fput(file);
}

/* The struct pid a pidfd refers to, referenced; NULL if @fd is not a pidfd. */
static struct pid *lkp_pidfd_get_pid(unsigned int fd)
{
	struct pid *pid = NULL;
	struct fd f = fdget(fd);

	if (!f.file)
		return ERR_PTR(-EBADF);
	if (lkp_anon_inode && file_inode(f.file) == lkp_anon_inode &&
	    !strcmp(f.file->f_path.dentry->d_name.name, "[pidfd]"))
		pid = get_pid(f.file->private_data);
	fdput(f);
	return pid ? pid : ERR_PTR(-EBADF);
}

/*
 * The permission proof of LKP_IOC_ATTACH: true when @f, a file the caller
 * passed, is a procfs "mem" file (/proc/PID/mem or /proc/PID/task/TID/mem)
 * opened for writing. Its open ran mm_access(), that is ptrace_may_access()
 * with PTRACE_MODE_ATTACH_FSCREDS and every LSM's ptrace hook (Yama,
 * AppArmor, SELinux), against the credentials of the image whose mm it then
 * keeps in private_data (mmgrab; NULL for a kernel thread or a zombie).
 * ptrace_may_access() is not exported: this fd is how a module gets the
 * kernel's own answer. The name matters: environ, auxv and pagemap keep the
 * mm in private_data too, but are opened after a mere PTRACE_MODE_READ check.
 */
static bool lkp_is_mem_proof(struct file *f)
{
	struct dentry *dentry = f->f_path.dentry;

	return (f->f_mode & FMODE_WRITE) &&
	       dentry->d_sb->s_magic == PROC_SUPER_MAGIC &&
	       S_ISREG(d_inode(dentry)->i_mode) &&
	       !strcmp(dentry->d_name.name, "mem");
}

/*
 * Takes the mm of @task for a session if it is @proof, the mm a proof file
 * grants (only compared, never dereferenced). A proof opened before the
 * target exec'd holds the old image's mm, checked against the old
 * credentials, and never matches. Nor can a proof hold the new image's mm
 * checked against the old credentials: mm_access() checks under
 * exec_update_lock, which exec holds from installing the new mm until the
 * new credentials (and dumpability) are committed.
 */
static int lkp_session_grab_mm(struct task_struct *task, struct mm_struct *proof,
			       struct mm_struct **mmp)
{
	struct mm_struct *mm;
	int ret = 0;

	task_lock(task);
	mm = task->mm;
	if (!mm || (task->flags & PF_KTHREAD))
		ret = -ESRCH;
	else if (mm == current->mm)
		ret = -EINVAL;	/* freezing oneself would never end */
	else if (mm != proof)
		ret = -EACCES;
	if (!ret) {
		mmgrab(mm);
		*mmp = mm;
	}
	task_unlock(task);
	return ret;
}

static int lkp_session_release(struct inode *inode, struct file *file)
{
	struct lkp_session *s = file->private_data;

	/* The last reference is gone: no ioctl can be running. */
	if (s->frz)
		lkp_session_thaw(s, NULL);
	mmdrop(s->mm);
	put_pid(s->pid);
	kfree(s);
	return 0;
}

/* .owner pins the module for as long as any session file exists. */
static const struct file_operations lkp_session_fops = {
	.owner		= THIS_MODULE,
	.release	= lkp_session_release,
	.unlocked_ioctl	= lkp_session_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/* The target @a names, and its mm if @proof grants it; both referenced. */
static int lkp_attach_target(const struct lkp_attach *a, struct mm_struct *proof,
			     struct pid **pidp, struct mm_struct **mmp)
{
	struct task_struct *task;
	struct pid *pid;
	int ret;

	if (a->flags & LKP_ATTACH_PIDFD) {
		pid = lkp_pidfd_get_pid(a->pid);
		if (IS_ERR(pid))
			return PTR_ERR(pid);
	} else {
		if (!a->pid || a->pid > PID_MAX_LIMIT)
			return -ESRCH;
		pid = find_get_pid(a->pid);
		if (!pid)
			return -ESRCH;
	}

	/* Only a thread-group leader's pid has a PIDTYPE_TGID task. */
	task = get_pid_task(pid, PIDTYPE_TGID);
	if (!task) {
		ret = -ESRCH;
		goto put_pid;
	}
	ret = lkp_session_grab_mm(task, proof, mmp);
	put_task_struct(task);
	if (ret)
		goto put_pid;
	*pidp = pid;
	return 0;

put_pid:
	put_pid(pid);
	return ret;
}

int lkp_ioc_attach(struct file *file, void *karg)
{
	struct lkp_attach *a = karg;
	struct mm_struct *proof, *mm;
	struct lkp_session *s;
	struct pid *pid;
	struct fd mem;
	int ret;

	if ((a->flags & ~LKP_ATTACH_PIDFD) || a->reserved)
		return -EINVAL;
	if (a->mem_fd < 0)
		return -EBADF;
	mem = fdget(a->mem_fd);
	if (!mem.file)
		return -EBADF;
	/*
	 * The file is held until the target's mm is compared with the proof's:
	 * its reference on that mm keeps the address from being reused.
	 */
	if (lkp_is_mem_proof(mem.file)) {
		proof = mem.file->private_data;
		ret = lkp_attach_target(a, proof, &pid, &mm);
	} else {
		ret = -EACCES;
	}
	fdput(mem);
	if (ret)
		return ret;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s) {
		ret = -ENOMEM;
		goto put_target;
	}
	mutex_init(&s->lock);
	s->pid = pid;
	s->mm = mm;
	ret = anon_inode_getfd("[lkp-session]", &lkp_session_fops, s,
			       O_RDWR | O_CLOEXEC);
	if (ret < 0)
		goto free_session;
	return ret;

free_session:
	kfree(s);
put_target:
	mmdrop(mm);
	put_pid(pid);
	return ret;
}

struct mm_struct *lkp_session_mm(struct lkp_session *s)
{
	return s->mm;
}

/* True while some live thread of the target still runs the attached image. */
static bool lkp_session_target_alive(struct lkp_session *s)
{
	struct task_struct *leader, *t;
	bool alive = false;

	rcu_read_lock();
	leader = pid_task(s->pid, PIDTYPE_TGID);
	if (leader) {
		for_each_thread(leader, t) {
			if (READ_ONCE(t->mm) == s->mm && !(t->flags & PF_EXITING)) {
				alive = true;
				break;
			}
		}
	}
	rcu_read_unlock();
	return alive;
}

int lkp_session_check_target(struct lkp_session *s)
{
	if (!lkp_session_target_alive(s))
		return -ESRCH;
	return lkp_freezer_lost(s->frz) ? -ENOMEM : 0;
}
