// SPDX-License-Identifier: GPL-2.0
/* session_test.c: LKP_IOC_ATTACH, session fds, and the validation of FREEZE and THAW (the permission proof: perm_test.c). */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "lkp_test.h"
#include "workload.h"

FIXTURE(session) {
	int dev;
	struct workload wl;
	int mem;	/* the workload's proof, for attaches that fail before it counts */
};

FIXTURE_SETUP(session)
{
	unsigned int nr[WL_NR_KINDS] = { [WL_NANOSLEEP] = 1, [WL_SPIN] = 1 };

	self->dev = open(LKP_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev);
	memset(&self->wl, 0, sizeof(self->wl));
	ASSERT_EQ(0, wl_start(&self->wl, nr));
	self->mem = lkp_mem_open(self->wl.pid);
	ASSERT_LE(0, self->mem);
}

FIXTURE_TEARDOWN(session)
{
	close(self->mem);
	wl_stop(&self->wl);
	close(self->dev);
}

TEST_F(session, attach_gives_a_cloexec_session_fd)
{
	char path[64], link[64];
	ssize_t n;
	int fd;

	fd = lkp_attach(self->dev, self->wl.pid);
	ASSERT_LE(0, fd) TH_LOG("attach: %s", strerror(-fd));
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = 0;
	EXPECT_STREQ("anon_inode:[lkp-session]", link);
	/* The session outlives the /dev/lkp fd it came from. */
	close(self->dev);
	self->dev = open(LKP_DEV, O_RDWR | O_CLOEXEC);
	EXPECT_EQ(0, lkp_freeze(fd, 0, 0, NULL));
	EXPECT_EQ(0, lkp_thaw(fd, NULL));
	close(fd);
}

TEST_F(session, attach_nonzero_flags_or_reserved_is_einval)
{
	struct lkp_attach a = { .pid = self->wl.pid, .flags = 1U << 1 };

	/* With a valid proof, so that nothing else is wrong. */
	a.mem_fd = lkp_mem_open(self->wl.pid);
	ASSERT_LE(0, a.mem_fd);
	ASSERT_EQ(-EINVAL, lkp_ioc(self->dev, LKP_IOC_ATTACH, &a));
	a.flags = 1U << 31;
	ASSERT_EQ(-EINVAL, lkp_ioc(self->dev, LKP_IOC_ATTACH, &a));
	a.flags = 0;
	a.reserved = 1;
	ASSERT_EQ(-EINVAL, lkp_ioc(self->dev, LKP_IOC_ATTACH, &a));
	close(a.mem_fd);
}

TEST_F(session, attach_to_no_process_is_esrch)
{
	int status;
	pid_t pid;

	/* No /proc/PID/mem to prove anything with: the workload's does. */
	ASSERT_EQ(-ESRCH, lkp_attach_proof(self->dev, 0, 0, self->mem));
	ASSERT_EQ(-ESRCH, lkp_attach_proof(self->dev, INT_MAX, 0, self->mem));
	ASSERT_EQ(-ESRCH, lkp_attach_proof(self->dev, -1, 0, self->mem));
	/* A child that exited and was reaped. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(-ESRCH, lkp_attach_proof(self->dev, pid, 0, self->mem));
}

TEST_F(session, attach_to_zombie_is_esrch)
{
	siginfo_t si;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);
	ASSERT_EQ(0, waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	/* Its own mem file opens, and holds no memory. */
	ASSERT_EQ(-ESRCH, lkp_attach(self->dev, pid));
	ASSERT_EQ(0, waitid(P_PID, pid, &si, WEXITED));
}

TEST_F(session, attach_to_thread_id_is_esrch)
{
	/* Slot 1 is a worker thread: its tid is not a thread-group id. */
	ASSERT_NE(self->wl.pid, wl_tid(&self->wl, 1));
	/* ...even with the thread's own proof (of the right memory). */
	ASSERT_EQ(-ESRCH, lkp_attach(self->dev, wl_tid(&self->wl, 1)));
}

TEST_F(session, attach_to_kernel_thread_is_esrch)
{
	/* pid 2 is kthreadd: no user memory to patch; its mem file holds none. */
	ASSERT_EQ(-ESRCH, lkp_attach(self->dev, 2));
}

TEST_F(session, attach_to_self_is_einval)
{
	ASSERT_EQ(-EINVAL, lkp_attach(self->dev, getpid()));
}

TEST_F(session, attach_by_pidfd)
{
	int pidfd, fd, efd;

	pidfd = syscall(SYS_pidfd_open, self->wl.pid, 0);
	ASSERT_LE(0, pidfd);
	fd = lkp_attach_proof(self->dev, pidfd, LKP_ATTACH_PIDFD, self->mem);
	ASSERT_LE(0, fd) TH_LOG("attach: %s", strerror(-fd));
	EXPECT_EQ(0, lkp_freeze(fd, 0, 0, NULL));
	EXPECT_EQ(0, lkp_thaw(fd, NULL));
	close(fd);
	close(pidfd);

	/* Not a pidfd: another anonymous-inode file, a device, no fd. */
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	EXPECT_EQ(-EBADF, lkp_attach_proof(self->dev, efd, LKP_ATTACH_PIDFD, self->mem));
	EXPECT_EQ(-EBADF, lkp_attach_proof(self->dev, self->dev, LKP_ATTACH_PIDFD, self->mem));
	EXPECT_EQ(-EBADF, lkp_attach_proof(self->dev, 100000, LKP_ATTACH_PIDFD, self->mem));
	close(efd);
}

TEST_F(session, attach_without_a_free_fd_is_emfile)
{
	struct rlimit rl;
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Every descriptor below the limit taken. */
		rl.rlim_cur = rl.rlim_max = 64;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			_exit(100);
		/* The proof is open already (self->mem). */
		while (dup(self->dev) >= 0)
			;
		_exit(-lkp_attach_proof(self->dev, self->wl.pid, 0, self->mem));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(EMFILE, WEXITSTATUS(status));
}

TEST_F(session, ioctls_on_the_wrong_fd_are_enotty)
{
	struct lkp_attach a = { .pid = self->wl.pid };
	struct lkp_freeze f = { 0 };
	struct lkp_thaw t = { 0 };
	struct lkp_threads th = { 0 };
	struct lkp_api api;
	int fd;

	fd = lkp_attach(self->dev, self->wl.pid);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOTTY, lkp_ioc(fd, LKP_IOC_ATTACH, &a));
	EXPECT_EQ(-ENOTTY, lkp_ioc(self->dev, LKP_IOC_FREEZE, &f));
	EXPECT_EQ(-ENOTTY, lkp_ioc(self->dev, LKP_IOC_THAW, &t));
	EXPECT_EQ(-ENOTTY, lkp_ioc(self->dev, LKP_IOC_GET_THREADS, &th));
	EXPECT_EQ(-ENOTTY, lkp_ioc(fd, _IOWR(LKP_IOC_TYPE, 0x3f, struct lkp_freeze), &f));
	EXPECT_EQ(-ENOTTY, lkp_ioc(fd, _IOR(LKP_IOC_TYPE, LKP_IOC_NR_FREEZE, struct lkp_freeze), &f));
	/* The handshake works on both, and lists the session ioctls. */
	LKP_POISON(api);
	api.flags = 0;
	api.reserved = 0;
	ASSERT_EQ(0, lkp_ioc(fd, LKP_IOC_GET_API, &api));
	EXPECT_EQ(LKP_API_VERSION, api.version);
	EXPECT_TRUE(api.ioctls & (1ULL << LKP_IOC_NR_ATTACH));
	EXPECT_TRUE(api.ioctls & (1ULL << LKP_IOC_NR_FREEZE));
	EXPECT_TRUE(api.ioctls & (1ULL << LKP_IOC_NR_THAW));
	EXPECT_TRUE(api.ioctls & (1ULL << LKP_IOC_NR_GET_THREADS));
	close(fd);
}

TEST_F(session, freeze_and_thaw_validation)
{
	struct {
		struct lkp_freeze f;
		__u64 future;
	} next = { { 0 } };
	struct lkp_freeze f = { 0 };
	struct lkp_thaw t = { 0 };
	void *page;
	int fd;

	fd = lkp_attach(self->dev, self->wl.pid);
	ASSERT_LE(0, fd);
	f.flags = 1U << 1;
	EXPECT_EQ(-EINVAL, lkp_ioc(fd, LKP_IOC_FREEZE, &f));
	f.flags = 1U << 31;
	EXPECT_EQ(-EINVAL, lkp_ioc(fd, LKP_IOC_FREEZE, &f));
	f.flags = 0;
	f.reserved = 1;
	EXPECT_EQ(-EINVAL, lkp_ioc(fd, LKP_IOC_FREEZE, &f));
	next.future = 1;
	EXPECT_EQ(-E2BIG, lkp_ioc(fd, _IOC(_IOC_READ | _IOC_WRITE, LKP_IOC_TYPE,
					    LKP_IOC_NR_FREEZE, sizeof(next)), &next));
	EXPECT_EQ(-EINVAL, lkp_ioc(fd, _IOC(_IOC_READ | _IOC_WRITE, LKP_IOC_TYPE,
					     LKP_IOC_NR_FREEZE, 8), &f));
	page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	EXPECT_EQ(-EFAULT, lkp_ioc(fd, LKP_IOC_FREEZE, page));
	EXPECT_EQ(-EFAULT, lkp_ioc(fd, LKP_IOC_THAW, page));

	/* Nothing was frozen by any of those. */
	EXPECT_EQ(-EBADFD, lkp_ioc(fd, LKP_IOC_THAW, &t));
	t.flags = 1;
	EXPECT_EQ(-EINVAL, lkp_ioc(fd, LKP_IOC_THAW, &t));
	t.flags = 0;
	t.reserved = 1;
	EXPECT_EQ(-EINVAL, lkp_ioc(fd, LKP_IOC_THAW, &t));

	ASSERT_EQ(0, lkp_freeze(fd, 0, 0, NULL));
	EXPECT_EQ(-EBUSY, lkp_freeze(fd, 0, 0, NULL));
	EXPECT_EQ(-EBUSY, lkp_freeze(fd, LKP_FREEZE_PARK_ALL, 0, NULL));
	/* An invalid thaw leaves it frozen; a valid one thaws once. */
	EXPECT_EQ(-EINVAL, lkp_ioc(fd, LKP_IOC_THAW, &t));
	EXPECT_EQ(0, lkp_thaw(fd, NULL));
	EXPECT_EQ(-EBADFD, lkp_thaw(fd, NULL));
	munmap(page, 4096);
	close(fd);
}

TEST_F(session, freeze_output_is_written)
{
	struct lkp_freeze f;
	struct lkp_thaw t;
	int fd;

	fd = lkp_attach(self->dev, self->wl.pid);
	ASSERT_LE(0, fd);
	LKP_POISON(f);
	f.flags = 0;
	f.timeout_ms = 0;
	f.reserved = 0;
	ASSERT_EQ(0, lkp_ioc(fd, LKP_IOC_FREEZE, &f));
	EXPECT_EQ(3, f.nr_threads);
	EXPECT_LT(0, f.freeze_ns);
	EXPECT_GT(1000000000ULL, f.freeze_ns);
	EXPECT_EQ(0, f.flags);
	EXPECT_EQ(0, f.reserved);
	LKP_POISON(t);
	t.flags = 0;
	t.reserved = 0;
	ASSERT_EQ(0, lkp_ioc(fd, LKP_IOC_THAW, &t));
	EXPECT_LE(f.freeze_ns, t.pause_ns);
	EXPECT_GT(10000000000ULL, t.pause_ns);
	close(fd);
}

TEST_F(session, target_gone_is_esrch)
{
	struct lkp_freeze f;
	siginfo_t si;
	int fd;

	fd = lkp_attach(self->dev, self->wl.pid);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kill(self->wl.pid, SIGKILL));
	/* Dead but not reaped, then reaped. */
	ASSERT_EQ(0, waitid(P_PID, self->wl.pid, &si, WEXITED | WNOWAIT));
	LKP_POISON(f);
	EXPECT_EQ(-ESRCH, lkp_freeze(fd, 0, 0, &f));
	ASSERT_EQ(0, waitid(P_PID, self->wl.pid, &si, WEXITED));
	self->wl.pid = 0;
	EXPECT_EQ(-ESRCH, lkp_freeze(fd, 0, 0, &f));
	close(fd);
}

/*
 * A session holds the target's struct pid, not its number: once the target
 * is gone, a new process given the same pid is not reachable through it.
 */
TEST_F(session, recycled_pid_does_not_redirect)
{
	char buf[32];
	int fd, lastpid, status, len, pipefd[2];
	pid_t old = self->wl.pid, pid;
	char c;

	fd = lkp_attach(self->dev, old);
	ASSERT_LE(0, fd);
	wl_stop(&self->wl);

	/* The next fork gets the old pid back. */
	lastpid = open("/proc/sys/kernel/ns_last_pid", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, lastpid);
	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	len = snprintf(buf, sizeof(buf), "%d", old - 1);
	ASSERT_EQ(len, write(lastpid, buf, len));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(pipefd[1]);
		read(pipefd[0], &c, 1);
		_exit(0);
	}
	close(lastpid);
	close(pipefd[0]);
	ASSERT_EQ(old, pid) TH_LOG("pid %d not recycled (got %d)", old, pid);

	EXPECT_EQ(-ESRCH, lkp_freeze(fd, 0, 0, NULL));
	close(fd);
	/* A new session on the number reaches the new process. */
	fd = lkp_attach(self->dev, pid);
	EXPECT_LE(0, fd);
	EXPECT_EQ(0, lkp_freeze(fd, 0, 0, NULL));
	EXPECT_EQ(0, lkp_thaw(fd, NULL));
	close(fd);
	close(pipefd[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
}

/* The module's reference count, from sysfs. */
static int module_refcnt(void)
{
	FILE *f = fopen("/sys/module/lkp/refcnt", "re");
	int n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

static int delete_module_errno(void)
{
	if (syscall(SYS_delete_module, "lkp", O_NONBLOCK) == 0)
		return 0;
	return errno;
}

/*
 * rmmod is refused while a session exists, and while a work queued on a
 * sleeping thread has not run yet, even after the session is gone.
 */
TEST(rmmod_refused_while_session_or_work_pending)
{
	unsigned int nr[WL_NR_KINDS] = { [WL_READ] = 1 };
	struct workload wl = { 0 };
	int base, fd, stuck;
	uint64_t snap[1];

	ASSERT_EQ(0, wl_start(&wl, nr));
	base = module_refcnt();
	ASSERT_LE(0, base);
	fd = lkp_open_session(wl.pid);
	ASSERT_LE(0, fd);
	EXPECT_LT(base, module_refcnt());
	EXPECT_EQ(EWOULDBLOCK, delete_module_errno());

	/* Both threads sleep in read(): their works stay queued after the thaw. */
	ASSERT_EQ(0, lkp_freeze(fd, 0, 0, NULL));
	ASSERT_EQ(0, lkp_thaw(fd, NULL));
	close(fd);
	/* The freeze holds one reference, its works hold the freeze. */
	EXPECT_EQ(base + 1, module_refcnt());
	EXPECT_EQ(EWOULDBLOCK, delete_module_errno());

	/* The reader wakes and runs its work; the main thread's is still queued. */
	wl_snapshot(&wl, snap);
	ASSERT_EQ(0, wl_wait_all_moved(&wl, snap, 10000, &stuck));
	EXPECT_EQ(base + 1, module_refcnt());
	EXPECT_EQ(EWOULDBLOCK, delete_module_errno());
	wl_stop(&wl);
	/* The main thread's work runs from do_exit(): the last reference goes. */
	EXPECT_EQ(base, module_refcnt());
}

/* kmod/lkp.ko of the tree this test binary was built in (build/tests/kmod/). */
static int open_module_file(void)
{
	char exe[4096], path[4200];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;
	int i;

	if (n <= 0)
		return -1;
	exe[n] = 0;
	for (i = 0; i < 4; i++) {
		slash = strrchr(exe, '/');
		if (!slash)
			return -1;
		*slash = 0;
	}
	snprintf(path, sizeof(path), "%s/kmod/lkp.ko", exe);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/*
 * With no session and no pending work, the module unloads: its cache of
 * works is destroyed then, and the kernel would report (and the VM rig
 * fail on) any work leaked. Then it loads again for the other tests.
 */
TEST(unload_when_idle_leaves_nothing_behind)
{
	int mod = open_module_file();

	if (mod < 0)
		SKIP(return, "kmod/lkp.ko not found next to the build tree");
	ASSERT_EQ(0, module_refcnt());
	ASSERT_EQ(0, delete_module_errno());
	ASSERT_EQ(0, syscall(SYS_finit_module, mod, "", 0));
	close(mod);
	ASSERT_EQ(0, access(LKP_DEV, F_OK));
}

TEST_HARNESS_MAIN
