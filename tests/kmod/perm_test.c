// SPDX-License-Identifier: GPL-2.0
/* perm_test.c: LKP_IOC_ATTACH's permission proof, a write-opened /proc/PID/mem, under the kernel's ptrace rule and Yama. */
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "../kselftest_harness.h"
#include "lkp_test.h"
#include "workload.h"

#define NOBODY		65534
/* Where the user namespace test maps its uids 0 and 1. */
#define NS_UID0		100000
#define YAMA_SCOPE	"/proc/sys/kernel/yama/ptrace_scope"

/* Drops @cap from every set of the calling process; 0 or -errno. */
static int drop_cap(int cap)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	__u32 bit = 1U << (cap % 32);

	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[cap / 32].effective &= ~bit;
	d[cap / 32].permitted &= ~bit;
	d[cap / 32].inheritable &= ~bit;
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

/* A target that waits on a pipe: runs as uid (unless -1), dumpable or not. */
struct target {
	pid_t pid;
	int release;	/* a byte written to it lets the target exit */
};

/* target_start() flags */
#define T_UNDUMPABLE	(1U << 0)
#define T_NO_PTRACE_CAP	(1U << 1)	/* root without CAP_SYS_PTRACE */

static int target_start(struct target *t, int uid, unsigned int flags)
{
	int go[2], ready[2];
	char c;

	if (pipe2(go, O_CLOEXEC) || pipe2(ready, O_CLOEXEC))
		return -errno;
	t->pid = fork();
	if (t->pid < 0)
		return -errno;
	if (t->pid == 0) {
		close(go[1]);
		close(ready[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (uid >= 0 && (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
				 setresuid(uid, uid, uid)))
			_exit(2);
		if ((flags & T_NO_PTRACE_CAP) && drop_cap(CAP_SYS_PTRACE))
			_exit(3);
		/* Changing uid made it undumpable: say which we want. */
		if (prctl(PR_SET_DUMPABLE, !(flags & T_UNDUMPABLE)))
			_exit(3);
		if (write(ready[1], "r", 1) != 1)
			_exit(4);
		read(go[0], &c, 1);
		_exit(0);
	}
	close(go[0]);
	close(ready[1]);
	t->release = go[1];
	if (read(ready[0], &c, 1) != 1) {
		close(ready[0]);
		return -EIO;
	}
	close(ready[0]);
	return 0;
}

/* A byte, not end of file: targets forked later hold the pipe's write end too. */
static int target_stop(struct target *t)
{
	int status;

	if (write(t->release, "x", 1) != 1)
		return -errno;
	close(t->release);
	if (waitpid(t->pid, &status, 0) != t->pid)
		return -errno;
	return status;
}

/* Who tries to attach. Every one keeps the /dev/lkp fd root opened. */
enum caller {
	ROOT,
	NOBODY_UID,		/* uid and gid 65534, no capabilities */
	ROOT_NO_PTRACE_CAP,	/* uid 0 with every capability but CAP_SYS_PTRACE */
};

struct attach_case {
	int dev;
	int proc;	/* /proc, which a caller that left the rig's chroot no longer sees */
	pid_t pid;
};

/* lkp_mem_open() relative to a /proc directory fd. */
static int mem_open_at(int proc, pid_t pid)
{
	char path[32];
	int fd;

	snprintf(path, sizeof(path), "%d/mem", pid);
	fd = openat(proc, path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* try_attach()'s results besides 0 (attached) and an errno of the open. */
#define ATTACH_FAILED(e)	(100 + (e))	/* the proof opened, ATTACH failed with e */
#define STAND_IN_ACCEPTED	250		/* another proof was not refused with EACCES */
#define NO_STAND_IN		251		/* the caller could not open its own mem */

/*
 * Attaches to c->pid the legitimate way: open its /proc/PID/mem for
 * writing, pass it. When the kernel refuses the open, the best proof this
 * caller can have (its own memory's) must not do instead.
 */
static int try_attach(void *arg)
{
	struct attach_case *c = arg;
	int mem = mem_open_at(c->proc, c->pid), fd;

	if (mem >= 0) {
		fd = lkp_attach_proof(c->dev, c->pid, 0, mem);
		close(mem);
		if (fd < 0)
			return ATTACH_FAILED(-fd);
		close(fd);
		return 0;
	}
	fd = mem_open_at(c->proc, getpid());
	if (fd < 0)
		return NO_STAND_IN;
	if (lkp_attach_proof(c->dev, c->pid, 0, fd) != -EACCES)
		return STAND_IN_ACCEPTED;
	close(fd);
	return -mem;
}

/* Runs fn(arg) in a child that is @who, keeping every fd; its exit status. */
static int run_as(enum caller who, int (*fn)(void *arg), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* Dumpable again, so that it may open its own mem (try_attach()). */
		if (who == NOBODY_UID &&
		    (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		     setresuid(NOBODY, NOBODY, NOBODY) || prctl(PR_SET_DUMPABLE, 1)))
			_exit(240);
		if (who == ROOT_NO_PTRACE_CAP && drop_cap(CAP_SYS_PTRACE))
			_exit(241);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 200 + WTERMSIG(status);
}

/*
 * Yama's ptrace_scope is global. The first change forks a guard that puts
 * the old value back when its pipe closes: in the teardown, or when the
 * test process dies any other way (a harness timeout kills it with
 * SIGKILL, and no teardown runs then).
 */
struct yama_guard {
	pid_t pid;
	int pipe;
	int old;
};

static bool yama_present(void)
{
	return access(YAMA_SCOPE, F_OK) == 0;
}

static int yama_get(void)
{
	char buf[16];
	int ret = lkp_read_file(YAMA_SCOPE, buf, sizeof(buf));

	return ret ? ret : atoi(buf);
}

static int yama_put(int scope)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", scope);
	return lkp_write_file(YAMA_SCOPE, buf);
}

static int yama_set(struct yama_guard *g, int scope)
{
	int p[2];
	char c;

	if (!g->pid) {
		g->old = yama_get();
		if (g->old < 0)
			return g->old;
		if (pipe2(p, O_CLOEXEC))
			return -errno;
		g->pid = fork();
		if (g->pid < 0)
			return -errno;
		if (g->pid == 0) {
			/* Hold nothing else open (/dev/lkp pins the module). */
			close(p[1]);
			if (dup2(p[0], 0) < 0)
				_exit(1);
			syscall(SYS_close_range, 1, ~0U, 0);
			while (read(0, &c, 1) < 0 && errno == EINTR)
				;
			_exit(yama_put(g->old) ? 1 : 0);
		}
		close(p[0]);
		g->pipe = p[1];
	}
	return yama_put(scope);
}

/* Puts the old ptrace_scope back (through the guard) and waits until it is. */
static int yama_restore(struct yama_guard *g)
{
	int status;

	if (!g->pid)
		return 0;
	close(g->pipe);
	if (waitpid(g->pid, &status, 0) != g->pid)
		return -errno;
	g->pid = 0;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}

FIXTURE(perm) {
	int dev;
	int proc;		/* /proc, for struct attach_case */
	struct workload wl;	/* root's, dumpable */
	int mem;		/* its proof */
	struct yama_guard yama;
};

FIXTURE_SETUP(perm)
{
	unsigned int nr[WL_NR_KINDS] = { [WL_NANOSLEEP] = 1 };

	self->dev = open(LKP_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev);
	self->proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, self->proc);
	memset(&self->wl, 0, sizeof(self->wl));
	ASSERT_EQ(0, wl_start(&self->wl, nr));
	self->mem = lkp_mem_open(self->wl.pid);
	ASSERT_LE(0, self->mem);
	/* The tests below that are not about Yama expect the plain ptrace rule. */
	if (yama_present() && yama_get() != 0)
		ASSERT_EQ(0, yama_set(&self->yama, 0));
}

FIXTURE_TEARDOWN(perm)
{
	EXPECT_EQ(0, yama_restore(&self->yama));
	close(self->mem);
	wl_stop(&self->wl);
	close(self->proc);
	close(self->dev);
}

/* A descriptor that is no open file, or an O_PATH one (no file to read or write). */
TEST_F(perm, proof_not_open_is_ebadf)
{
	char path[64];
	int fd;

	EXPECT_EQ(-EBADF, lkp_attach_proof(self->dev, self->wl.pid, 0, -1));
	EXPECT_EQ(-EBADF, lkp_attach_proof(self->dev, self->wl.pid, 0, INT_MIN));
	EXPECT_EQ(-EBADF, lkp_attach_proof(self->dev, self->wl.pid, 0, 100000));
	fd = dup(self->mem);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-EBADF, lkp_attach_proof(self->dev, self->wl.pid, 0, fd));
	snprintf(path, sizeof(path), "/proc/%d/mem", self->wl.pid);
	fd = open(path, O_PATH | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADF, lkp_attach_proof(self->dev, self->wl.pid, 0, fd));
	close(fd);
	/* Unknown flags are refused first. */
	EXPECT_EQ(-EINVAL, lkp_attach_proof(self->dev, self->wl.pid, 1U << 1, -1));

	/* Positive control. */
	fd = lkp_attach_proof(self->dev, self->wl.pid, 0, self->mem);
	ASSERT_LE(0, fd) TH_LOG("attach: %s", strerror(-fd));
	close(fd);
}

/*
 * Open for writing, but not a procfs mem file: the target's environ, auxv
 * and pagemap hold its memory exactly as mem does, yet opening them asks
 * only for PTRACE_MODE_READ (root opens them for writing: they have no
 * write method, the open does not care).
 */
TEST_F(perm, proof_not_a_mem_file_is_eacces)
{
	static const char * const others[] = { "environ", "auxv", "pagemap" };
	char dir[] = "/tmp/lkp-perm-XXXXXX", path[96];
	unsigned int i;
	int fd;

	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EACCES, lkp_attach_proof(self->dev, self->wl.pid, 0, fd));
	close(fd);
	fd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EACCES, lkp_attach_proof(self->dev, self->wl.pid, 0, fd));
	close(fd);
	EXPECT_EQ(-EACCES, lkp_attach_proof(self->dev, self->wl.pid, 0, self->dev));

	for (i = 0; i < ARRAY_SIZE(others); i++) {
		snprintf(path, sizeof(path), "/proc/%d/%s", self->wl.pid, others[i]);
		fd = open(path, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
		EXPECT_EQ(-EACCES, lkp_attach_proof(self->dev, self->wl.pid, 0, fd))
			TH_LOG("%s", others[i]);
		close(fd);
	}

	/* A file called mem, not on procfs. */
	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/mem", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EACCES, lkp_attach_proof(self->dev, self->wl.pid, 0, fd));
	close(fd);
	unlink(path);
	rmdir(dir);
}

/* The target's own mem file, opened read-only: no proof. Write-only is. */
TEST_F(perm, proof_read_only_is_eacces)
{
	char path[64];
	int fd, sfd;

	snprintf(path, sizeof(path), "/proc/%d/mem", self->wl.pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EACCES, lkp_attach_proof(self->dev, self->wl.pid, 0, fd));
	close(fd);

	fd = open(path, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	sfd = lkp_attach_proof(self->dev, self->wl.pid, 0, fd);
	EXPECT_LE(0, sfd) TH_LOG("attach: %s", strerror(-sfd));
	close(sfd);
	close(fd);
}

TEST_F(perm, proof_of_another_process_is_eacces)
{
	struct target other;
	int fd, mem;

	ASSERT_EQ(0, target_start(&other, -1, 0));
	mem = lkp_mem_open(other.pid);
	ASSERT_LE(0, mem);
	EXPECT_EQ(-EACCES, lkp_attach_proof(self->dev, self->wl.pid, 0, mem));
	EXPECT_EQ(-EACCES, lkp_attach_proof(self->dev, other.pid, 0, self->mem));
	/* Our own memory's, which we may always open. */
	fd = lkp_mem_open(getpid());
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EACCES, lkp_attach_proof(self->dev, self->wl.pid, 0, fd));
	close(fd);

	/* Positive control: each with its own. */
	fd = lkp_attach_proof(self->dev, other.pid, 0, mem);
	EXPECT_LE(0, fd);
	close(fd);
	fd = lkp_attach_proof(self->dev, self->wl.pid, 0, self->mem);
	EXPECT_LE(0, fd);
	close(fd);
	close(mem);
	EXPECT_EQ(0, target_stop(&other));
}

/* /proc/PID/task/TID/mem of any thread holds the same memory: a proof too. */
TEST_F(perm, proof_of_a_thread_is_accepted)
{
	char path[96];
	int mem, fd;

	/* Slot 0 is the workload's one worker thread, not its leader. */
	ASSERT_NE(self->wl.pid, wl_tid(&self->wl, 0));
	snprintf(path, sizeof(path), "/proc/%d/task/%d/mem", self->wl.pid,
		 wl_tid(&self->wl, 0));
	mem = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, mem);
	fd = lkp_attach_proof(self->dev, self->wl.pid, 0, mem);
	EXPECT_LE(0, fd) TH_LOG("attach: %s", strerror(-fd));
	EXPECT_EQ(0, lkp_freeze(fd, 0, 0, NULL));
	EXPECT_EQ(0, lkp_thaw(fd, NULL));
	close(fd);
	close(mem);
}

/*
 * A proof opened before the target exec'd holds the memory of the old
 * image, and the kernel checked the old image's credentials: refused. A
 * fresh one is fine.
 */
TEST_F(perm, proof_opened_before_exec_is_eacces)
{
	int go[2], execd[2], old, fd, err, status;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(execd, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(go[1]);
		close(execd[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		execl("/bin/sleep", "sleep", "1000", (char *)NULL);
		err = errno;
		write(execd[1], &err, sizeof(err));
		_exit(2);
	}
	close(go[0]);
	close(execd[1]);
	old = lkp_mem_open(pid);
	ASSERT_LE(0, old);
	fd = lkp_attach_proof(self->dev, pid, 0, old);
	ASSERT_LE(0, fd) TH_LOG("attach before the exec: %s", strerror(-fd));
	close(fd);

	ASSERT_EQ(1, write(go[1], "x", 1));
	/* End of file: the child's end closed on exec, after the new memory was installed. */
	ASSERT_EQ(0, read(execd[0], &err, sizeof(err)));
	EXPECT_EQ(-EACCES, lkp_attach_proof(self->dev, pid, 0, old));
	fd = lkp_attach(self->dev, pid);
	EXPECT_LE(0, fd) TH_LOG("attach after the exec: %s", strerror(-fd));
	close(fd);

	close(old);
	close(go[1]);
	close(execd[0]);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
}

/*
 * The kernel's ptrace rule at the open: another uid's process, or one of
 * ours that made itself undumpable, needs CAP_SYS_PTRACE.
 */
TEST_F(perm, other_uid_or_undumpable_target_is_eacces)
{
	struct attach_case c = { .dev = self->dev, .proc = self->proc };
	struct target mine;

	/* The /dev/lkp fd was opened as root; the caller is now nobody. */
	c.pid = self->wl.pid;
	EXPECT_EQ(EACCES, run_as(NOBODY_UID, try_attach, &c));

	/* Positive control: nobody may attach to nobody's dumpable process. */
	ASSERT_EQ(0, target_start(&mine, NOBODY, 0));
	c.pid = mine.pid;
	EXPECT_EQ(0, run_as(NOBODY_UID, try_attach, &c));
	EXPECT_EQ(0, target_stop(&mine));

	/* ...but not to one that made itself undumpable. */
	ASSERT_EQ(0, target_start(&mine, NOBODY, T_UNDUMPABLE));
	c.pid = mine.pid;
	EXPECT_EQ(EACCES, run_as(NOBODY_UID, try_attach, &c));
	/* Root (CAP_SYS_PTRACE) still may. */
	EXPECT_EQ(0, run_as(ROOT, try_attach, &c));
	EXPECT_EQ(0, target_stop(&mine));
}

/*
 * Yama's ptrace_scope 2 ("admin-only attach"): what the plain rule allows
 * (same uid, dumpable, no capability the caller lacks) now needs
 * CAP_SYS_PTRACE too. The device cannot tell: Yama speaks through the open
 * of the proof.
 */
TEST_F(perm, yama_scope_2_needs_cap_sys_ptrace)
{
	struct attach_case c = { .dev = self->dev, .proc = self->proc };
	struct attach_case nc = { .dev = self->dev, .proc = self->proc };
	struct target root_t, nobody_t;
	int early, fd;

	if (!yama_present())
		SKIP(return, "no Yama in this kernel (" YAMA_SCOPE ")");
	/*
	 * Root without CAP_SYS_PTRACE may trace only a process whose
	 * capabilities it has (commoncap's rule): a root target without it.
	 */
	ASSERT_EQ(0, target_start(&root_t, -1, T_NO_PTRACE_CAP));
	ASSERT_EQ(0, target_start(&nobody_t, NOBODY, 0));
	c.pid = root_t.pid;
	nc.pid = nobody_t.pid;

	/* Positive controls under the plain rule. */
	ASSERT_EQ(0, yama_set(&self->yama, 0));
	EXPECT_EQ(0, run_as(NOBODY_UID, try_attach, &nc));
	EXPECT_EQ(0, run_as(ROOT_NO_PTRACE_CAP, try_attach, &c));
	early = lkp_mem_open(nobody_t.pid);
	ASSERT_LE(0, early);

	ASSERT_EQ(0, yama_set(&self->yama, 2));
	EXPECT_EQ(EACCES, run_as(NOBODY_UID, try_attach, &nc));
	EXPECT_EQ(EACCES, run_as(ROOT_NO_PTRACE_CAP, try_attach, &c));
	EXPECT_EQ(0, run_as(ROOT, try_attach, &c));
	EXPECT_EQ(0, run_as(ROOT, try_attach, &nc));
	/* The permission is the open's: a proof opened before still proves. */
	fd = lkp_attach_proof(self->dev, nobody_t.pid, 0, early);
	EXPECT_LE(0, fd) TH_LOG("attach: %s", strerror(-fd));
	close(fd);
	close(early);

	EXPECT_EQ(0, yama_restore(&self->yama));
	EXPECT_EQ(0, target_stop(&root_t));
	EXPECT_EQ(0, target_stop(&nobody_t));
}

/*
 * The VM rig runs the tests in a chroot, where the kernel refuses
 * CLONE_NEWUSER; root can walk out of a chroot by chrooting deeper and
 * climbing from the old working directory.
 */
static int leave_chroot(void)
{
	char dir[] = "/tmp/lkp-userns-XXXXXX";
	int i;

	if (!mkdtemp(dir) || chdir("/") || chroot(dir))
		return -1;
	rmdir(dir);
	for (i = 0; i < 64; i++)
		if (chdir(".."))
			return -1;
	return chroot(".");
}

/* What the container's root found, for the parent to assert. */
struct ns_results {
	int inside;	/* its own process running as its uid 1 */
	int outside;	/* the host's process running as the same kernel uid */
	int host_root;	/* the host's root-owned workload */
};

/* In the child: become root of a new user namespace, then try the three targets. */
static int ns_root_main(int dev, int proc, pid_t outside, pid_t host_root,
			int up, int down, int results)
{
	struct attach_case c = { .dev = dev, .proc = proc };
	struct ns_results r;
	int go[2], ready[2];
	pid_t inside;
	char b;

	if (leave_chroot() || unshare(CLONE_NEWUSER))
		return 100;
	/* The parent writes the uid and gid maps. */
	if (write(up, "u", 1) != 1 || read(down, &b, 1) != 1)
		return 101;
	/* Dumpable again, so that it may open its own mem (try_attach()). */
	if (setresgid(0, 0, 0) || setresuid(0, 0, 0) || prctl(PR_SET_DUMPABLE, 1))
		return 102;
	if (pipe2(go, O_CLOEXEC) || pipe2(ready, O_CLOEXEC))
		return 103;
	inside = fork();
	if (inside < 0)
		return 104;
	if (inside == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(go[1]);
		close(ready[0]);
		/* Another uid of the namespace, so that only a capability reaches it. */
		if (setresuid(1, 1, 1) || prctl(PR_SET_DUMPABLE, 1) ||
		    write(ready[1], "r", 1) != 1)
			_exit(1);
		read(go[0], &b, 1);
		_exit(0);
	}
	close(ready[1]);
	if (read(ready[0], &b, 1) != 1)
		return 105;
	c.pid = inside;
	r.inside = try_attach(&c);
	c.pid = outside;
	r.outside = try_attach(&c);
	c.pid = host_root;
	r.host_root = try_attach(&c);
	if (write(go[1], "x", 1) != 1)
		return 107;
	waitpid(inside, NULL, 0);
	return write(results, &r, sizeof(r)) == sizeof(r) ? 0 : 106;
}

static int write_map(pid_t pid, const char *which, const char *map)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, which);
	return lkp_write_file(path, map);
}

/*
 * Root in a user namespace mapped to unprivileged uids (0 and 1 to 100000
 * and 100001): its CAP_SYS_PTRACE reaches the processes whose credentials
 * belong to its namespace, not a host process, even one running as a
 * kernel uid it maps (100001 outside is not its uid 1).
 */
TEST_F(perm, root_in_user_namespace_reaches_only_its_own)
{
	int up[2], down[2], res[2], status;
	struct target outside;
	struct ns_results r;
	char map[32], b;
	pid_t pid;

	ASSERT_EQ(0, target_start(&outside, NS_UID0 + 1, 0));
	ASSERT_EQ(0, pipe2(up, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(down, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(res, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(up[0]);
		close(down[1]);
		close(res[0]);
		_exit(ns_root_main(self->dev, self->proc, outside.pid,
				   self->wl.pid, up[1], down[0], res[1]));
	}
	close(up[1]);
	close(down[0]);
	close(res[1]);
	ASSERT_EQ(1, read(up[0], &b, 1));
	snprintf(map, sizeof(map), "0 %d 2\n", NS_UID0);
	ASSERT_EQ(0, write_map(pid, "gid_map", map));
	ASSERT_EQ(0, write_map(pid, "uid_map", map));
	ASSERT_EQ(1, write(down[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(sizeof(r), read(res[0], &r, sizeof(r)));
	EXPECT_EQ(0, r.inside);
	EXPECT_EQ(EACCES, r.outside);
	EXPECT_EQ(EACCES, r.host_root);
	close(up[0]);
	close(down[1]);
	close(res[0]);
	EXPECT_EQ(0, target_stop(&outside));
}

TEST_HARNESS_MAIN
