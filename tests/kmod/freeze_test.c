// SPDX-License-Identifier: GPL-2.0
/* freeze_test.c: LKP_IOC_FREEZE and LKP_IOC_THAW on live workloads: nothing runs while frozen, everything runs after. */
#include <dirent.h>
#include <linux/io_uring.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "lkp_test.h"
#include "workload.h"

/* How long a frozen target is watched for progress it must not make. */
#define WATCH_MS	50

static void watch(void)
{
	struct timespec ts = { 0, WATCH_MS * 1000000L };

	nanosleep(&ts, NULL);
}

/* The harness has timeouts only for fixture tests: an empty fixture. */
FIXTURE(long_) {
	int unused;
};

FIXTURE_SETUP(long_)
{
}

FIXTURE_TEARDOWN(long_)
{
}

/* A workload and a session on it, for the scenario tests. */
struct scene {
	struct workload wl;
	uint64_t *snap;
	int sfd;
};

static int scene_start(struct scene *sc, const unsigned int nr[WL_NR_KINDS],
		       unsigned int sleep_ms)
{
	int ret;

	memset(sc, 0, sizeof(*sc));
	sc->sfd = -1;
	sc->wl.sleep_ms = sleep_ms;
	ret = wl_start(&sc->wl, nr);
	if (ret)
		return ret;
	sc->snap = calloc(sc->wl.nr_threads + 1, sizeof(*sc->snap));
	if (!sc->snap)
		return -ENOMEM;
	sc->sfd = lkp_open_session(sc->wl.pid);
	return sc->sfd < 0 ? sc->sfd : 0;
}

static void scene_stop(struct scene *sc)
{
	if (sc->sfd >= 0)
		close(sc->sfd);
	wl_stop(&sc->wl);
	free(sc->snap);
}

/* -1 when no counter moved during a watch, else the first that did. */
static int scene_moved_while_watched(struct scene *sc)
{
	wl_snapshot(&sc->wl, sc->snap);
	watch();
	return wl_first_moved(&sc->wl, sc->snap);
}

FIXTURE(sized) {
	struct workload wl;
	uint64_t *snap;
	int sfd;
};

FIXTURE_VARIANT(sized) {
	unsigned int threads;
	unsigned int spin_every;
	unsigned int sleep_ms;
};

FIXTURE_VARIANT_ADD(sized, t1) { .threads = 1, .spin_every = 1, .sleep_ms = 20 };
FIXTURE_VARIANT_ADD(sized, t100) { .threads = 100, .spin_every = 10, .sleep_ms = 50 };
FIXTURE_VARIANT_ADD(sized, t1000) { .threads = 1000, .spin_every = 50, .sleep_ms = 200 };
FIXTURE_VARIANT_ADD(sized, t4000) { .threads = 4000, .spin_every = 100, .sleep_ms = 500 };

FIXTURE_SETUP(sized)
{
	memset(&self->wl, 0, sizeof(self->wl));
	self->wl.sleep_ms = variant->sleep_ms;
	ASSERT_EQ(0, wl_start_mix(&self->wl, variant->threads, variant->spin_every));
	self->snap = calloc(variant->threads, sizeof(*self->snap));
	ASSERT_NE(NULL, self->snap);
	self->sfd = lkp_open_session(self->wl.pid);
	ASSERT_LE(0, self->sfd) TH_LOG("attach: %s", strerror(-self->sfd));
}

FIXTURE_TEARDOWN(sized)
{
	close(self->sfd);
	wl_stop(&self->wl);
	free(self->snap);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

#define QUICK_CYCLES	5

/*
 * One watched freeze: counters stand still while frozen, all move after the
 * thaw. Then quick freeze/thaw cycles, to log the median times.
 */
static void freeze_cycles(struct __test_metadata *_metadata,
			  FIXTURE_DATA(sized) *self, unsigned int threads,
			  unsigned int flags)
{
	uint64_t freeze[QUICK_CYCLES], call[QUICK_CYCLES], thaw[QUICK_CYCLES], t0;
	unsigned long long pause_ns;
	struct lkp_freeze f;
	int moved, stuck = -1, i;

	LKP_POISON(f);
	ASSERT_EQ(0, lkp_freeze(self->sfd, flags, 10000, &f));
	/* The worker threads and the main thread. */
	EXPECT_EQ(threads + 1, f.nr_threads);
	wl_snapshot(&self->wl, self->snap);
	watch();
	moved = wl_first_moved(&self->wl, self->snap);
	EXPECT_EQ(-1, moved) TH_LOG("thread %d (kind %d) ran while frozen", moved,
				    moved >= 0 ? self->wl.shm->slot[moved].kind : -1);
	ASSERT_EQ(0, lkp_thaw(self->sfd, &pause_ns));
	ASSERT_EQ(0, wl_wait_all_moved(&self->wl, self->snap, 20000, &stuck))
		TH_LOG("thread %d did not run after the thaw", stuck);

	for (i = 0; i < QUICK_CYCLES; i++) {
		t0 = lkp_now_ns();
		ASSERT_EQ(0, lkp_freeze(self->sfd, flags, 10000, &f));
		call[i] = lkp_now_ns() - t0;
		freeze[i] = f.freeze_ns;
		EXPECT_EQ(threads + 1, f.nr_threads);
		t0 = lkp_now_ns();
		ASSERT_EQ(0, lkp_thaw(self->sfd, NULL));
		thaw[i] = lkp_now_ns() - t0;
	}
	qsort(freeze, QUICK_CYCLES, sizeof(uint64_t), cmp_u64);
	qsort(call, QUICK_CYCLES, sizeof(uint64_t), cmp_u64);
	qsort(thaw, QUICK_CYCLES, sizeof(uint64_t), cmp_u64);
	TH_LOG("%s %u threads, median of %d: freeze_ns %.3f ms, FREEZE call %.3f ms, THAW call %.3f ms",
	       flags ? "park-all" : "default", threads + 1, QUICK_CYCLES,
	       freeze[QUICK_CYCLES / 2] / 1e6, call[QUICK_CYCLES / 2] / 1e6,
	       thaw[QUICK_CYCLES / 2] / 1e6);
}

/* Default mode: also, no sleeper ever sees EINTR. */
TEST_F_TIMEOUT(sized, counters_stop_and_resume, 300)
{
	freeze_cycles(_metadata, self, variant->threads, 0);
	EXPECT_EQ(0, wl_total_eintr(&self->wl));
}

TEST_F_TIMEOUT(sized, park_all_counters_stop_and_resume, 300)
{
	freeze_cycles(_metadata, self, variant->threads, LKP_FREEZE_PARK_ALL);
}

/*
 * Default mode: sleepers of every kind are frozen in place; none of their
 * calls ever fails with EINTR, over many freezes.
 */
TEST_F_TIMEOUT(long_, default_mode_sleepers_see_no_eintr, 120)
{
	unsigned int nr[WL_NR_KINDS] = {
		[WL_NANOSLEEP] = 4, [WL_EPOLL] = 4, [WL_SIGWAIT] = 4,
		[WL_FUTEX] = 4, [WL_READ] = 4, [WL_SPIN] = 1,
	};
	struct scene sc;
	unsigned int i, k;
	int stuck = -1;

	ASSERT_EQ(0, scene_start(&sc, nr, 5));
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, lkp_freeze(sc.sfd, 0, 0, NULL));
		/* Data for the readers arrives while they are frozen. */
		ASSERT_EQ(0, wl_feed(&sc.wl));
		EXPECT_EQ(-1, scene_moved_while_watched(&sc));
		ASSERT_EQ(0, lkp_thaw(sc.sfd, NULL));
	}
	ASSERT_EQ(0, wl_wait_all_moved(&sc.wl, sc.snap, 10000, &stuck));
	for (k = WL_NANOSLEEP; k <= WL_READ; k++) {
		uint64_t n = 0;

		for (i = 0; i < sc.wl.nr_threads; i++)
			if (sc.wl.shm->slot[i].kind == (int)k)
				n += wl_eintr(&sc.wl, i);
		EXPECT_EQ(0, n) TH_LOG("kind %u saw EINTR %llu times", k,
				       (unsigned long long)n);
	}
	scene_stop(&sc);
}

/*
 * LKP_FREEZE_PARK_ALL wakes the sleepers to park them, and that is seen:
 * epoll_wait() and sigtimedwait() return EINTR. (It shows the counting
 * above can see EINTR at all.)
 */
TEST_F_TIMEOUT(long_, park_all_interrupts_epoll_and_sigtimedwait, 120)
{
	unsigned int nr[WL_NR_KINDS] = { [WL_EPOLL] = 4, [WL_SIGWAIT] = 4 };
	struct scene sc;
	int stuck = -1;

	ASSERT_EQ(0, scene_start(&sc, nr, 10000));
	ASSERT_EQ(0, wl_wait_asleep(&sc.wl, 10000));
	ASSERT_EQ(0, lkp_freeze(sc.sfd, LKP_FREEZE_PARK_ALL, 0, NULL));
	EXPECT_EQ(-1, scene_moved_while_watched(&sc));
	ASSERT_EQ(0, lkp_thaw(sc.sfd, NULL));
	ASSERT_EQ(0, wl_wait_all_moved(&sc.wl, sc.snap, 10000, &stuck));
	EXPECT_EQ(sc.wl.nr_threads, wl_total_eintr(&sc.wl));
	scene_stop(&sc);
}

/*
 * Threads forever creating threads: a freeze catches some inside clone();
 * their children must not run user code before the thaw.
 */
TEST_F_TIMEOUT(long_, clone_storm, 240)
{
	unsigned int nr[WL_NR_KINDS] = { [WL_CLONE] = 8, [WL_SPIN] = 1 };
	unsigned int i, lo = ~0U, hi = 0;
	struct lkp_freeze f;
	struct scene sc;
	int stuck = -1, moved;

	ASSERT_EQ(0, scene_start(&sc, nr, 10));
	for (i = 0; i < 40; i++) {
		ASSERT_EQ(0, lkp_freeze(sc.sfd, 0, 0, &f));
		lo = f.nr_threads < lo ? f.nr_threads : lo;
		hi = f.nr_threads > hi ? f.nr_threads : hi;
		moved = scene_moved_while_watched(&sc);
		EXPECT_EQ(-1, moved) TH_LOG("cycle %u: thread %d ran", i, moved);
		ASSERT_EQ(0, lkp_thaw(sc.sfd, NULL));
	}
	TH_LOG("40 freezes of %u to %u threads", lo, hi);
	ASSERT_EQ(0, wl_wait_all_moved(&sc.wl, sc.snap, 10000, &stuck));
	scene_stop(&sc);
}

/* A vfork child shares the target's memory: it is frozen with it. */
TEST(vfork_child_is_frozen)
{
	struct shared {
		volatile uint64_t counter;
		volatile int stop;
		volatile int started;
	} *sh;
	struct lkp_freeze f;
	uint64_t before;
	int sfd, status;
	pid_t pid;

	sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (vfork() == 0) {
			sh->started = 1;
			while (!sh->stop)
				sh->counter++;
			_exit(0);
		}
		_exit(0);
	}
	while (!sh->started)
		sched_yield();
	sfd = lkp_open_session(pid);
	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, lkp_freeze(sfd, 0, 0, &f));
	/* The parent, blocked in vfork(), and the child. */
	EXPECT_EQ(2, f.nr_threads);
	before = sh->counter;
	watch();
	EXPECT_EQ(before, sh->counter);
	ASSERT_EQ(0, lkp_thaw(sfd, NULL));
	while (sh->counter == before)
		sched_yield();
	sh->stop = 1;
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	close(sfd);
	munmap(sh, 4096);
}

/* io_uring's own threads belong to the process but never run user code: skipped. */
TEST(io_uring_threads_are_skipped)
{
	struct io_uring_params p = { .flags = IORING_SETUP_SQPOLL, .sq_thread_idle = 60000 };
	int ready[2], tasks = 0, status, sfd;
	char path[64], c;
	struct dirent *de;
	struct lkp_freeze f;
	pid_t pid;
	DIR *d;

	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (syscall(SYS_io_uring_setup, 4, &p) < 0)
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	ASSERT_NE(NULL, d);
	while ((de = readdir(d)))
		tasks += atoi(de->d_name) > 0;
	closedir(d);
	/* The main thread and the submission-queue poller. */
	ASSERT_EQ(2, tasks);
	sfd = lkp_open_session(pid);
	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, lkp_freeze(sfd, 0, 0, &f));
	EXPECT_EQ(1, f.nr_threads);
	ASSERT_EQ(0, lkp_thaw(sfd, NULL));
	close(sfd);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(ready[0]);
}

/* A stopped target freezes; SIGCONT while frozen does not let it run. */
TEST(sigstopped_target)
{
	unsigned int nr[WL_NR_KINDS] = { [WL_SPIN] = 2, [WL_NANOSLEEP] = 2 };
	struct lkp_freeze f;
	struct scene sc;
	int status, stuck = -1;

	ASSERT_EQ(0, scene_start(&sc, nr, 5));
	ASSERT_EQ(0, kill(sc.wl.pid, SIGSTOP));
	ASSERT_EQ(sc.wl.pid, waitpid(sc.wl.pid, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status));
	ASSERT_EQ(0, lkp_freeze(sc.sfd, 0, 0, &f));
	EXPECT_EQ(5, f.nr_threads);
	ASSERT_EQ(0, kill(sc.wl.pid, SIGCONT));
	EXPECT_EQ(-1, scene_moved_while_watched(&sc));
	ASSERT_EQ(0, lkp_thaw(sc.sfd, NULL));
	ASSERT_EQ(0, wl_wait_all_moved(&sc.wl, sc.snap, 10000, &stuck));
	scene_stop(&sc);
}

/* Every thread stopped by a ptrace tracer; the tracer lets go while frozen. */
TEST(ptrace_stopped_target)
{
	unsigned int nr[WL_NR_KINDS] = { [WL_SPIN] = 2, [WL_NANOSLEEP] = 2 };
	pid_t tids[5];
	struct lkp_freeze f;
	struct scene sc;
	int i, status, stuck = -1;

	ASSERT_EQ(0, scene_start(&sc, nr, 5));
	tids[0] = sc.wl.pid;
	for (i = 0; i < 4; i++)
		tids[i + 1] = wl_tid(&sc.wl, i);
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, ptrace(PTRACE_SEIZE, tids[i], 0, 0));
		ASSERT_EQ(0, ptrace(PTRACE_INTERRUPT, tids[i], 0, 0));
		ASSERT_EQ(tids[i], waitpid(tids[i], &status, __WALL));
		ASSERT_TRUE(WIFSTOPPED(status));
	}
	ASSERT_EQ(0, lkp_freeze(sc.sfd, 0, 0, &f));
	EXPECT_EQ(5, f.nr_threads);
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, ptrace(PTRACE_DETACH, tids[i], 0, 0));
	EXPECT_EQ(-1, scene_moved_while_watched(&sc));
	ASSERT_EQ(0, lkp_thaw(sc.sfd, NULL));
	ASSERT_EQ(0, wl_wait_all_moved(&sc.wl, sc.snap, 10000, &stuck));
	scene_stop(&sc);
}

/* SIGKILL takes a frozen target down at once. */
TEST(sigkill_while_frozen)
{
	unsigned int nr[WL_NR_KINDS] = { [WL_SPIN] = 2, [WL_READ] = 2, [WL_FUTEX] = 2 };
	struct scene sc;
	uint64_t t0;
	int status;

	ASSERT_EQ(0, scene_start(&sc, nr, 1000));
	ASSERT_EQ(0, lkp_freeze(sc.sfd, 0, 0, NULL));
	t0 = lkp_now_ns();
	ASSERT_EQ(0, kill(sc.wl.pid, SIGKILL));
	ASSERT_EQ(sc.wl.pid, waitpid(sc.wl.pid, &status, 0));
	sc.wl.pid = 0;
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT_GT(1000000000ULL, lkp_now_ns() - t0);
	TH_LOG("killed and reaped in %.3f ms", (lkp_now_ns() - t0) / 1e6);
	EXPECT_EQ(0, lkp_thaw(sc.sfd, NULL));
	EXPECT_EQ(-ESRCH, lkp_freeze(sc.sfd, 0, 0, NULL));
	scene_stop(&sc);
}

/* The controller dies while the target is frozen: the target thaws. */
TEST(controller_killed_while_frozen)
{
	unsigned int nr[WL_NR_KINDS] = { [WL_SPIN] = 2, [WL_NANOSLEEP] = 2, [WL_READ] = 1 };
	struct scene sc;
	int pipefd[2], status, stuck = -1;
	pid_t ctl;
	char c;

	ASSERT_EQ(0, scene_start(&sc, nr, 5));
	close(sc.sfd);
	sc.sfd = -1;
	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	ctl = fork();
	ASSERT_LE(0, ctl);
	if (ctl == 0) {
		int sfd = lkp_open_session(sc.wl.pid);

		if (sfd < 0 || lkp_freeze(sfd, 0, 0, NULL))
			_exit(1);
		if (write(pipefd[1], "f", 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	close(pipefd[1]);
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	EXPECT_EQ(-1, scene_moved_while_watched(&sc));
	ASSERT_EQ(0, kill(ctl, SIGKILL));
	ASSERT_EQ(ctl, waitpid(ctl, &status, 0));
	ASSERT_EQ(0, wl_wait_all_moved(&sc.wl, sc.snap, 10000, &stuck))
		TH_LOG("thread %d still frozen", stuck);
	close(pipefd[0]);
	scene_stop(&sc);
}

/* A freeze that cannot finish in time fails with ETIMEDOUT and leaves nothing frozen. */
TEST_F_TIMEOUT(long_, timeout_thaws_everything, 120)
{
	unsigned int nr[WL_NR_KINDS] = { [WL_EPOLL] = 1000, [WL_SIGWAIT] = 1000 };
	struct lkp_freeze f;
	struct scene sc;
	int stuck = -1;

	ASSERT_EQ(0, scene_start(&sc, nr, 1000));
	ASSERT_EQ(0, wl_wait_asleep(&sc.wl, 60000));
	/*
	 * Waking and parking 2000 sleepers takes longer than 1 ms: the
	 * wake-ups alone do, and each thread must then be scheduled.
	 */
	LKP_POISON(f);
	ASSERT_EQ(-ETIMEDOUT, lkp_freeze(sc.sfd, LKP_FREEZE_PARK_ALL, 1, &f));
	EXPECT_EQ(-EBADFD, lkp_thaw(sc.sfd, NULL));
	wl_snapshot(&sc.wl, sc.snap);
	ASSERT_EQ(0, wl_wait_all_moved(&sc.wl, sc.snap, 20000, &stuck))
		TH_LOG("thread %d still frozen", stuck);
	/* And the session still works. */
	ASSERT_EQ(0, lkp_freeze(sc.sfd, 0, 10000, &f));
	EXPECT_EQ(2001, f.nr_threads);
	ASSERT_EQ(0, lkp_thaw(sc.sfd, NULL));
	scene_stop(&sc);
}

/*
 * exec while frozen. The target's main thread is asleep inside execve(),
 * on a userfaultfd page holding its argument, when the freeze comes; then
 * the page is supplied and the exec completes. The new image is not the
 * target: it runs although the session is still frozen, and the session
 * reports the target gone.
 */
static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "u", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))], c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

static volatile uint64_t *exec_counter;

static void *exec_spinner(void *arg)
{
	for (;;)
		(*exec_counter)++;
	return NULL;
}

TEST(exec_during_freeze)
{
	static const char script[] = "echo exec-ok >&3; exec sleep 1000";
	struct uffdio_api api = { .api = UFFD_API };
	struct uffd_msg msg;
	struct uffdio_copy copy;
	struct lkp_threads th = { .thread_size = sizeof(struct lkp_thread) };
	int sv[2], out[2], uffd, status;
	uint64_t before;
	char *src, buf[16] = { 0 };
	pid_t pid;

	exec_counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, exec_counter);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, pipe(out));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
		char *page, *argv[4] = { "sh", "-c", NULL, NULL };
		pthread_t t;
		int fd;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		fd = syscall(SYS_userfaultfd, O_CLOEXEC);
		if (page == MAP_FAILED || fd < 0 || ioctl(fd, UFFDIO_API, &api))
			_exit(1);
		reg.range.start = (uintptr_t)page;
		reg.range.len = 4096;
		if (ioctl(fd, UFFDIO_REGISTER, &reg) || send_fd(sv[1], fd))
			_exit(2);
		if (pthread_create(&t, NULL, exec_spinner, NULL))
			_exit(3);
		if (dup2(out[1], 3) != 3)
			_exit(4);
		argv[2] = page;
		execv("/bin/sh", argv);
		_exit(5);
	}
	close(out[1]);
	uffd = recv_fd(sv[0]);
	ASSERT_LE(0, uffd);
	/* The main thread is now blocked in execve() on the missing page. */
	ASSERT_EQ(sizeof(msg), read(uffd, &msg, sizeof(msg)));
	ASSERT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);

	int sfd = lkp_open_session(pid);

	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, lkp_freeze(sfd, 0, 0, NULL));
	before = *exec_counter;
	watch();
	EXPECT_EQ(before, *exec_counter);

	src = aligned_alloc(4096, 4096);
	ASSERT_NE(NULL, src);
	memset(src, 0, 4096);
	memcpy(src, script, sizeof(script));
	copy.dst = msg.arg.pagefault.address & ~4095ULL;
	copy.src = (uintptr_t)src;
	copy.len = 4096;
	copy.mode = 0;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_COPY, &copy));
	/* The new image runs user code while the session is still frozen. */
	ASSERT_EQ(8, read(out[0], buf, 8));
	EXPECT_STREQ("exec-ok\n", buf);
	EXPECT_EQ(-ESRCH, lkp_ioc(sfd, LKP_IOC_GET_THREADS, &th));
	EXPECT_EQ(0, lkp_thaw(sfd, NULL));
	EXPECT_EQ(-ESRCH, lkp_freeze(sfd, 0, 0, NULL));
	close(sfd);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(uffd);
	free(src);
}

TEST_HARNESS_MAIN
