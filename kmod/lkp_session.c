// SPDX-License-Identifier: GPL-2.0
/* lkp_session.c: LKP_IOC_ATTACH, the permission check, the session fd and its release. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched/coredump.h>
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
 * ptrace's PTRACE_MODE_ATTACH_REALCREDS rule (ptrace_may_access() is not
 * exported): the caller's real uid and gid equal all of the target's, or the
 * caller has CAP_SYS_PTRACE in the target's user namespace; and the target is
 * dumpable, or the caller has CAP_SYS_PTRACE in the namespace of its mm.
 * Root inside a user namespace has no capability in an ancestor namespace,
 * so it cannot reach processes outside its container. LSM ptrace hooks
 * (Yama, AppArmor) are not consulted: the device is root-only anyway.
 * Called with the target's exec_update_lock held, so the credentials and
 * the mm checked are those the session gets.
 */
static int lkp_may_ptrace(struct task_struct *task, struct mm_struct *mm)
{
	const struct cred *cred = current_cred(), *tcred;
	bool ok;

	rcu_read_lock();
	tcred = __task_cred(task);
	ok = (uid_eq(cred->uid, tcred->euid) && uid_eq(cred->uid, tcred->suid) &&
	      uid_eq(cred->uid, tcred->uid) && gid_eq(cred->gid, tcred->egid) &&
	      gid_eq(cred->gid, tcred->sgid) && gid_eq(cred->gid, tcred->gid)) ||
	     ns_capable(tcred->user_ns, CAP_SYS_PTRACE);
	rcu_read_unlock();
	if (!ok)
		return -EPERM;
	/* Dumpability is read after the credentials, as ptrace does. */
	smp_rmb();
	if (get_dumpable(mm) != SUID_DUMP_USER &&
	    !ns_capable(mm->user_ns, CAP_SYS_PTRACE))
		return -EPERM;
	return 0;
}

/* Takes the mm of @task for a session, after the permission check. */
static int lkp_session_grab_mm(struct task_struct *task, struct mm_struct **mmp)
{
	struct mm_struct *mm;
	int ret;

	ret = down_read_killable(&task->signal->exec_update_lock);
	if (ret)
		return ret;
	task_lock(task);
	mm = task->mm;
	if (!mm || (task->flags & PF_KTHREAD))
		ret = -ESRCH;
	else if (mm == current->mm)
		ret = -EINVAL;	/* freezing oneself would never end */
	else
		ret = lkp_may_ptrace(task, mm);
	if (!ret) {
		mmgrab(mm);
		*mmp = mm;
	}
	task_unlock(task);
	up_read(&task->signal->exec_update_lock);
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

int lkp_ioc_attach(struct file *file, void *karg)
{
	struct lkp_attach *a = karg;
	struct lkp_session *s;
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *pid;
	int ret;

	if ((a->flags & ~LKP_ATTACH_PIDFD) || a->mem_fd || a->reserved)
		return -EINVAL;
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
	ret = lkp_session_grab_mm(task, &mm);
	put_task_struct(task);
	if (ret)
		goto put_pid;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s) {
		ret = -ENOMEM;
		goto drop_mm;
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
drop_mm:
	mmdrop(mm);
put_pid:
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
