// SPDX-License-Identifier: GPL-2.0
/* eintr_test.c: a caller killed while FREEZE, TRANSACTION or the session lock waits dies at once; the target runs on. */
#include <dirent.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "lkp_test.h"
#include "workload.h"

/*
 * A freeze that cannot complete. In LKP_FREEZE_PARK_ALL mode a thread
 * counts as frozen only once it has parked (or sleeps where nothing can
 * wake it): the freeze wakes the sleepers, and each must then get a CPU to
 * park. Here every thread of the target is pinned to CPU 1, which a
 * SCHED_FIFO hog of another process holds, with the RT throttle off: the
 * woken threads stay runnable and never park, and the freeze waits out its
 * timeout (60 s). The controllers run on CPU 0.
 *
 * A killed caller never sees its errno; a syscall exit tracepoint does: the
 * ioctl of the killed controller returns -EINTR (0xfffffffffffffffc) before
 * the signal kills it. That, and death within 2 s of a 60 s timeout, show
 * the wait ended on the kill, not on ETIMEDOUT.
 */
#define RT_RUNTIME	"/proc/sys/kernel/sched_rt_runtime_us"
#define TRACEFS		"/sys/kernel/tracing"
#define STUCK_TIMEOUT_MS	60000
#define DEATH_MS	2000
/* Sleepers that never wake on their own while the test runs. */
#define LONG_SLEEP_MS	600000

/* The code a transaction would patch: the target is a fork of this binary. */
__attribute__((noinline, noclone, aligned(16))) int eintr_victim(void)
{
	asm volatile("");
	return 1;
}

static const unsigned char ret2[6] = { 0xb8, 0x02, 0x00, 0x00, 0x00, 0xc3 };

struct ctl_flags {
	volatile int returned;	/* the ioctl returned (the controller was not killed in it) */
	volatile int ret;
};

FIXTURE(stuck) {
	struct workload wl;
	uint64_t *snap;
	pid_t hog;
	char rt_saved[32];
	char trace[128];	/* the tracefs instance */
	struct ctl_flags *flags;
	bool ready;
};

static int pin(pid_t tid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(tid, sizeof(set), &set) ? -errno : 0;
}

/*
 * Calls @fn on every thread of @pid, in /proc/PID/task order, until it
 * returns nonzero; returns that, 0 after the last, or -errno.
 */
static int for_each_task(pid_t pid, int (*fn)(pid_t pid, pid_t tid, void *arg),
			 void *arg)
{
	char path[64];
	struct dirent *d;
	int ret = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while (!ret && (d = readdir(dir)))
		if (d->d_name[0] != '.')
			ret = fn(pid, atoi(d->d_name), arg);
	closedir(dir);
	return ret;
}

static int pin_one(pid_t pid, pid_t tid, void *arg)
{
	return pin(tid, *(int *)arg);
}

/* Pins every thread of @pid to @cpu; 0 or -errno. */
static int pin_process(pid_t pid, int cpu)
{
	return for_each_task(pid, pin_one, &cpu);
}

static int not_runnable(pid_t pid, pid_t tid, void *arg)
{
	return wl_task_state(pid, tid) != 'R';
}

/* Whether every thread of @pid is runnable ('R'). */
static bool all_runnable(pid_t pid)
{
	return for_each_task(pid, not_runnable, NULL) == 0;
}

static int count_parked(pid_t pid, pid_t tid, void *arg)
{
	char path[96], wchan[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/wchan", pid, tid);
	if (!lkp_read_file(path, wchan, sizeof(wchan)) && !strncmp(wchan, "lkp_", 4))
		(*(int *)arg)++;
	return 0;
}

/* How many threads of @pid sleep in lkp's code (their wchan), that is, parked. */
static int nr_parked(pid_t pid)
{
	int n = 0, ret = for_each_task(pid, count_parked, &n);

	return ret ? ret : n;
}

/* The system call @pid is blocked in, from /proc/PID/syscall, or -1. */
static long in_syscall(pid_t pid)
{
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	if (lkp_read_file(path, buf, sizeof(buf)) || buf[0] < '0' || buf[0] > '9')
		return -1;
	return strtol(buf, NULL, 10);
}

/*
 * Records every ioctl exit from now on: enabled before the hog runs, as
 * the first enable sizes the ring buffer with work on every CPU.
 */
static int trace_start(FIXTURE_DATA(stuck) *self)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/events/syscalls/sys_exit_ioctl/enable", self->trace);
	return lkp_write_file(path, "1");
}

static void hog_stop(FIXTURE_DATA(stuck) *self);

/*
 * The RT throttle off and a SCHED_FIFO spinner on CPU 1; 0 or -errno, and
 * then nothing changed (the teardown does not run after a failed setup).
 */
static int hog_start(FIXTURE_DATA(stuck) *self)
{
	int pipefd[2], ret;
	char c;

	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	ret = lkp_write_file(RT_RUNTIME, "-1");
	if (ret)
		goto close_pipe;
	self->ready = true;
	self->hog = fork();
	if (self->hog == 0) {
		struct sched_param sp = { .sched_priority = 1 };

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (pin(0, 1) || sched_setscheduler(0, SCHED_FIFO, &sp))
			_exit(1);
		if (write(pipefd[1], "h", 1) != 1)
			_exit(2);
		for (;;)
			;
	}
	close(pipefd[1]);
	pipefd[1] = -1;
	if (self->hog < 0 || read(pipefd[0], &c, 1) != 1) {
		ret = -ECHILD;
		hog_stop(self);
	}
close_pipe:
	close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	return ret;
}

FIXTURE_SETUP(stuck)
{
	unsigned int nr[WL_NR_KINDS] = {
		/* Sleepers whose calls fail with EINTR when woken, not restart. */
		[WL_SPIN] = 2, [WL_EPOLL] = 2, [WL_SIGWAIT] = 2,
	};
	char path[192];

	self->ready = false;
	self->hog = 0;
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs two CPUs");
	snprintf(path, sizeof(path), "%s/events/syscalls/sys_exit_ioctl", TRACEFS);
	if (access(path, F_OK))
		SKIP(return, "no syscall tracepoints in %s", TRACEFS);
	ASSERT_EQ(0, lkp_read_file(RT_RUNTIME, self->rt_saved, sizeof(self->rt_saved)));
	self->flags = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->flags);

	/* A tracefs instance of our own, recording the ioctl exits. */
	snprintf(self->trace, sizeof(self->trace), "%s/instances/lkp-eintr-%d",
		 TRACEFS, getpid());
	ASSERT_EQ(0, mkdir(self->trace, 0755));
	ASSERT_EQ(0, trace_start(self));

	ASSERT_EQ(0, pin(0, 0));
	memset(&self->wl, 0, sizeof(self->wl));
	self->wl.sleep_ms = LONG_SLEEP_MS;
	ASSERT_EQ(0, wl_start(&self->wl, nr));
	self->snap = calloc(self->wl.nr_threads, sizeof(*self->snap));
	ASSERT_NE(NULL, self->snap);
	ASSERT_EQ(0, wl_wait_asleep(&self->wl, 60000));
	ASSERT_EQ(0, pin_process(self->wl.pid, 1));

	ASSERT_EQ(0, hog_start(self));
}

static void hog_stop(FIXTURE_DATA(stuck) *self)
{
	int status;

	if (self->hog > 0) {
		/* First: the RT throttle is off, and it holds CPU 1. */
		kill(self->hog, SIGKILL);
		waitpid(self->hog, &status, 0);
		self->hog = 0;
	}
	if (self->ready)
		lkp_write_file(RT_RUNTIME, self->rt_saved);
	self->ready = false;
}

FIXTURE_TEARDOWN(stuck)
{
	char path[192];

	hog_stop(self);
	if (self->trace[0]) {
		snprintf(path, sizeof(path), "%s/events/syscalls/sys_exit_ioctl/enable", self->trace);
		lkp_write_file(path, "0");
		rmdir(self->trace);
	}
	wl_stop(&self->wl);
	free(self->snap);
}

/* How many ioctls of @pid the trace saw return -EINTR. */
static int trace_eintr(FIXTURE_DATA(stuck) *self, pid_t pid)
{
	static char buf[65536];
	char path[192], key[32], *line;
	int n = 0;

	snprintf(path, sizeof(path), "%s/trace", self->trace);
	if (lkp_read_file(path, buf, sizeof(buf)))
		return -1;
	snprintf(key, sizeof(key), "-%d ", pid);
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (line[0] != '#' && strstr(line, key) &&
		    strstr(line, "sys_ioctl -> 0xfffffffffffffffc"))
			n++;
	return n;
}

/*
 * A controller: waits for a byte on @go, then makes one call on @sfd and
 * records its result (it is killed in the call).
 */
enum { CALL_FREEZE, CALL_TXN, CALL_GET_THREADS };

static pid_t controller(FIXTURE_DATA(stuck) *self, int sfd, int call, int *go)
{
	int pipefd[2];
	pid_t pid;
	char c;

	if (pipe2(pipefd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid != 0) {
		close(pipefd[0]);
		*go = pipefd[1];
		return pid;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(pipefd[1]);
	if (read(pipefd[0], &c, 1) != 1)
		_exit(1);
	if (call == CALL_FREEZE) {
		struct lkp_freeze f = {
			.flags = LKP_FREEZE_PARK_ALL, .timeout_ms = STUCK_TIMEOUT_MS,
		};

		self->flags->ret = lkp_ioc(sfd, LKP_IOC_FREEZE, &f);
	} else if (call == CALL_TXN) {
		unsigned char old[sizeof(ret2)];
		struct lkp_poke_entry e = {
			.addr = (uintptr_t)eintr_victim, .len = sizeof(ret2),
			.old_bytes = (uintptr_t)old, .new_bytes = (uintptr_t)ret2,
		};
		struct lkp_transaction t = {
			.entries = (uintptr_t)&e, .nr_entries = 1,
			.flags = LKP_FREEZE_PARK_ALL, .timeout_ms = STUCK_TIMEOUT_MS,
		};

		memcpy(old, (void *)eintr_victim, sizeof(old));
		self->flags->ret = lkp_ioc(sfd, LKP_IOC_TRANSACTION, &t);
	} else {
		struct lkp_threads th = { .thread_size = sizeof(struct lkp_thread) };

		self->flags->ret = lkp_ioc(sfd, LKP_IOC_GET_THREADS, &th);
	}
	self->flags->returned = 1;
	_exit(0);
}

/* Waits until @pid is blocked in ioctl(), in state @state unless 0. */
static int wait_in_ioctl(pid_t pid, char state)
{
	uint64_t deadline = lkp_now_ms() + 20000;

	while (in_syscall(pid) != SYS_ioctl ||
	       (state && wl_task_state(pid, pid) != state)) {
		if (lkp_now_ms() > deadline)
			return -ETIMEDOUT;
		lkp_sleep_ms(1);
	}
	return 0;
}

/* Waits until the freeze has woken every thread of the target (they cannot park). */
static int wait_target_woken(FIXTURE_DATA(stuck) *self)
{
	uint64_t deadline = lkp_now_ms() + 20000;

	while (!all_runnable(self->wl.pid)) {
		if (lkp_now_ms() > deadline)
			return -ETIMEDOUT;
		lkp_sleep_ms(1);
	}
	return 0;
}

/* SIGKILLs @pid: how many ms it took to die, or -1 if it outlived DEATH_MS. */
static long kill_and_time(pid_t pid)
{
	int pidfd = syscall(SYS_pidfd_open, pid, 0), status;
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	uint64_t t0 = lkp_now_ms();
	long ms = -1;

	if (pidfd < 0)
		return -1;
	if (!kill(pid, SIGKILL) && poll(&p, 1, DEATH_MS) == 1)
		ms = lkp_now_ms() - t0;
	close(pidfd);
	if (waitpid(pid, &status, 0) != pid || !WIFSIGNALED(status) ||
	    WTERMSIG(status) != SIGKILL)
		return -1;
	return ms;
}

/* The hog gone, every thread of the target runs again, and a new freeze takes them all. */
static void expect_target_released(struct __test_metadata *_metadata,
				   FIXTURE_DATA(stuck) *self)
{
	uint64_t deadline;
	struct lkp_freeze f;
	int stuck = -1, sfd;

	wl_snapshot(&self->wl, self->snap);
	hog_stop(self);
	ASSERT_EQ(0, wl_wait_all_moved(&self->wl, self->snap, 20000, &stuck))
		TH_LOG("thread %d (kind %d) did not run: left parked?", stuck,
		       stuck >= 0 ? self->wl.shm->slot[stuck].kind : -1);
	/* The main thread has no counter: it must leave lkp's park too. */
	deadline = lkp_now_ms() + 10000;
	while (nr_parked(self->wl.pid) && lkp_now_ms() < deadline)
		lkp_sleep_ms(1);
	EXPECT_EQ(0, nr_parked(self->wl.pid));
	sfd = lkp_open_session(self->wl.pid);
	ASSERT_LE(0, sfd);
	/*
	 * Park-all parks every thread, where nr_parked() sees it: once each
	 * is asleep in the park. A thread counts as frozen a moment before
	 * that (parked, not yet scheduled out, or still in an uninterruptible
	 * sleep it will park after), which a loaded host can stretch.
	 */
	ASSERT_EQ(0, lkp_freeze(sfd, LKP_FREEZE_PARK_ALL, 10000, &f));
	EXPECT_EQ(self->wl.nr_threads + 1, f.nr_threads);
	deadline = lkp_now_ms() + 10000;
	while (nr_parked(self->wl.pid) != (int)self->wl.nr_threads + 1 &&
	       lkp_now_ms() < deadline)
		lkp_sleep_ms(1);
	EXPECT_EQ(self->wl.nr_threads + 1, nr_parked(self->wl.pid));
	ASSERT_EQ(0, lkp_thaw(sfd, NULL));
	close(sfd);
}

/* Kills a controller blocked in a call that cannot complete; checks how it ended. */
static void kill_stuck(struct __test_metadata *_metadata, FIXTURE_DATA(stuck) *self,
		       pid_t ctl)
{
	long ms;

	EXPECT_EQ(0, self->flags->returned) TH_LOG("the call returned %d", self->flags->ret);
	ms = kill_and_time(ctl);
	EXPECT_LE(0, ms) TH_LOG("the controller outlived SIGKILL by %d ms", DEATH_MS);
	TH_LOG("controller %d died %ld ms after SIGKILL", ctl, ms);
	EXPECT_EQ(0, self->flags->returned);
	EXPECT_EQ(1, trace_eintr(self, ctl)) TH_LOG("no ioctl exit with -EINTR traced");
}

/* Starts @call in a controller on @sfd; returns once the call is stuck. */
static void start_stuck(struct __test_metadata *_metadata, FIXTURE_DATA(stuck) *self,
			int sfd, int call, pid_t *ctl)
{
	int go;

	*ctl = controller(self, sfd, call, &go);
	ASSERT_LT(0, *ctl);
	ASSERT_EQ(1, write(go, "g", 1));
	close(go);
	if (call == CALL_GET_THREADS) {
		/* Behind the session lock: a killable mutex wait shows as D. */
		ASSERT_EQ(0, wait_in_ioctl(*ctl, 'D'));
		return;
	}
	ASSERT_EQ(0, wait_in_ioctl(*ctl, 0));
	ASSERT_EQ(0, wait_target_woken(self));
}

TEST_F_TIMEOUT(stuck, killed_in_freeze_dies_and_target_runs, 120)
{
	pid_t ctl;
	int sfd;

	if (!self->ready)
		return;
	sfd = lkp_open_session(self->wl.pid);
	ASSERT_LE(0, sfd);
	start_stuck(_metadata, self, sfd, CALL_FREEZE, &ctl);
	close(sfd);
	kill_stuck(_metadata, self, ctl);
	expect_target_released(_metadata, self);
}

TEST_F_TIMEOUT(stuck, killed_in_transaction_dies_writes_nothing_and_target_runs, 120)
{
	unsigned char before[16], after[16];
	pid_t ctl;
	int sfd;

	if (!self->ready)
		return;
	ASSERT_EQ(0, lkp_target_read(self->wl.pid, (uintptr_t)eintr_victim, before, sizeof(before)));
	sfd = lkp_open_session(self->wl.pid);
	ASSERT_LE(0, sfd);
	start_stuck(_metadata, self, sfd, CALL_TXN, &ctl);
	close(sfd);
	kill_stuck(_metadata, self, ctl);
	ASSERT_EQ(0, lkp_target_read(self->wl.pid, (uintptr_t)eintr_victim, after, sizeof(after)));
	EXPECT_EQ(0, memcmp(before, after, sizeof(before)));
	expect_target_released(_metadata, self);
}

/*
 * Two processes share one session: the second waits for the session lock,
 * which the first holds in its freeze. Killed, the waiter dies at once
 * (its ioctl fails with EINTR) while the first still waits; then the first.
 */
TEST_F_TIMEOUT(stuck, killed_waiting_for_session_lock_dies, 120)
{
	pid_t ctl, waiter;
	int sfd;

	if (!self->ready)
		return;
	sfd = lkp_open_session(self->wl.pid);
	ASSERT_LE(0, sfd);
	start_stuck(_metadata, self, sfd, CALL_FREEZE, &ctl);
	start_stuck(_metadata, self, sfd, CALL_GET_THREADS, &waiter);
	close(sfd);
	kill_stuck(_metadata, self, waiter);
	EXPECT_EQ(0, wait_in_ioctl(ctl, 0)) TH_LOG("the freeze did not wait on");
	kill_stuck(_metadata, self, ctl);
	expect_target_released(_metadata, self);
}

TEST_HARNESS_MAIN
