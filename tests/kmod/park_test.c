// SPDX-License-Identifier: GPL-2.0
/* park_test.c: how a frozen thread waits: spinning for park_spin_us, then asleep; never against the controller. */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "lkp_test.h"
#include "workload.h"

#define SPIN_PARAM	"/sys/module/lkp/parameters/park_spin_us"
/* A budget no test outlasts: a spinner that sleeps did not spend it. */
#define LONG_SPIN_US	10000000
/* How long a frozen target is watched for progress it must not make. */
#define WATCH_MS	50

static int param_read(unsigned int *v)
{
	char buf[32];
	int ret = lkp_read_file(SPIN_PARAM, buf, sizeof(buf));

	if (ret)
		return ret;
	return sscanf(buf, "%u", v) == 1 ? 0 : -EINVAL;
}

static int param_write(unsigned int v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%u\n", v);
	return lkp_write_file(SPIN_PARAM, buf);
}

/* voluntary_ctxt_switches of a thread: how often it went to sleep. */
static long task_sleeps(pid_t pid, pid_t tid)
{
	char path[64], line[128];
	long n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "voluntary_ctxt_switches: %ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

static int pin_to(unsigned int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

FIXTURE(park) {
	bool ready;		/* the harness runs the test after a SKIP in setup */
	unsigned int saved_spin;
	cpu_set_t saved_cpus;
	struct workload wl;
	uint64_t *snap;
	int sfd;
};

FIXTURE_SETUP(park)
{
	self->sfd = -1;
	memset(&self->wl, 0, sizeof(self->wl));
	self->snap = NULL;
	ASSERT_EQ(0, param_read(&self->saved_spin))
		TH_LOG("%s: is lkp.ko loaded?", SPIN_PARAM);
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(self->saved_cpus), &self->saved_cpus));
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs two CPUs");
	self->ready = true;
}

FIXTURE_TEARDOWN(park)
{
	if (self->sfd >= 0)
		close(self->sfd);
	wl_stop(&self->wl);
	free(self->snap);
	param_write(self->saved_spin);
	sched_setaffinity(0, sizeof(self->saved_cpus), &self->saved_cpus);
}

/*
 * Starts nr_spin spinners (and the workload's main thread, asleep) on
 * target_cpu, attaches, and moves the caller to ctl_cpu.
 */
static int park_start(FIXTURE_DATA(park) *self, unsigned int nr_spin,
		      unsigned int target_cpu, unsigned int ctl_cpu)
{
	unsigned int nr[WL_NR_KINDS] = { [WL_SPIN] = nr_spin };
	int ret;

	ret = pin_to(target_cpu);
	if (ret)
		return ret;
	ret = wl_start(&self->wl, nr);
	if (ret)
		return ret;
	self->snap = calloc(self->wl.nr_threads, sizeof(*self->snap));
	if (!self->snap)
		return -ENOMEM;
	self->sfd = lkp_open_session(self->wl.pid);
	if (self->sfd < 0)
		return self->sfd;
	return pin_to(ctl_cpu);
}

/* Waits until every spinner shows state @st in /proc; the first that does not, or -1. */
static int wait_all_in_state(FIXTURE_DATA(park) *self, char st, unsigned int timeout_ms)
{
	uint64_t deadline = lkp_now_ms() + timeout_ms;
	unsigned int i;

	for (;;) {
		for (i = 0; i < self->wl.nr_threads; i++)
			if (wl_task_state(self->wl.pid, wl_tid(&self->wl, i)) != st)
				break;
		if (i == self->wl.nr_threads)
			return -1;
		if (lkp_now_ms() > deadline)
			return i;
		/* Busy on purpose: the controller must keep wanting its CPU. */
		sched_yield();
	}
}

/*
 * A spinner frozen and thawed within the budget never sleeps: the thaw is
 * a store it sees, not a wakeup. Its voluntary switch count proves it.
 */
TEST_F(park, thaw_within_budget_is_not_a_wakeup)
{
	long before, after;
	int stuck = -1;

	if (!self->ready)
		return;
	ASSERT_EQ(0, param_write(LONG_SPIN_US));
	ASSERT_EQ(0, park_start(self, 1, 1, 0));
	before = task_sleeps(self->wl.pid, wl_tid(&self->wl, 0));
	ASSERT_LE(0, before);

	ASSERT_EQ(0, lkp_freeze(self->sfd, 0, 0, NULL));
	wl_snapshot(&self->wl, self->snap);
	lkp_sleep_ms(WATCH_MS);
	EXPECT_EQ(-1, wl_first_moved(&self->wl, self->snap));
	/* Parked, on its CPU, in the kernel. */
	EXPECT_EQ('R', wl_task_state(self->wl.pid, wl_tid(&self->wl, 0)));
	ASSERT_EQ(0, lkp_thaw(self->sfd, NULL));
	ASSERT_EQ(0, wl_wait_all_moved(&self->wl, self->snap, 5000, &stuck));

	after = task_sleeps(self->wl.pid, wl_tid(&self->wl, 0));
	EXPECT_EQ(before, after) TH_LOG("the spinner slept %ld times while frozen", after - before);
}

/* Past its budget a spinner sleeps, off the load average; the thaw wakes it. */
TEST_F(park, spent_budget_sleeps_until_thaw)
{
	long before, after;
	int stuck = -1;

	if (!self->ready)
		return;
	ASSERT_EQ(0, param_write(20000));
	ASSERT_EQ(0, park_start(self, 1, 1, 0));
	before = task_sleeps(self->wl.pid, wl_tid(&self->wl, 0));
	ASSERT_LE(0, before);

	ASSERT_EQ(0, lkp_freeze(self->sfd, 0, 0, NULL));
	wl_snapshot(&self->wl, self->snap);
	/* TASK_KILLABLE | TASK_NOLOAD shows as 'I', idle. */
	EXPECT_EQ(-1, wait_all_in_state(self, 'I', 5000));
	after = task_sleeps(self->wl.pid, wl_tid(&self->wl, 0));
	EXPECT_LT(before, after);
	EXPECT_EQ(-1, wl_first_moved(&self->wl, self->snap));
	ASSERT_EQ(0, lkp_thaw(self->sfd, NULL));
	ASSERT_EQ(0, wl_wait_all_moved(&self->wl, self->snap, 5000, &stuck));
}

/* park_spin_us=0: a frozen spinner sleeps at once. */
TEST_F(park, zero_budget_sleeps_at_once)
{
	int stuck = -1;

	if (!self->ready)
		return;
	ASSERT_EQ(0, param_write(0));
	ASSERT_EQ(0, park_start(self, 1, 1, 0));
	ASSERT_EQ(0, lkp_freeze(self->sfd, 0, 0, NULL));
	wl_snapshot(&self->wl, self->snap);
	EXPECT_EQ(-1, wait_all_in_state(self, 'I', 5000));
	ASSERT_EQ(0, lkp_thaw(self->sfd, NULL));
	ASSERT_EQ(0, wl_wait_all_moved(&self->wl, self->snap, 5000, &stuck));
}

/*
 * Spinners that share the controller's CPU must not hold it against the
 * controller: each goes to sleep once it finds the controller waiting,
 * long before its 10 s budget. The controller stays runnable throughout.
 */
TEST_F(park, spinners_give_the_cpu_to_the_controller)
{
	int stuck = -1, left;

	if (!self->ready)
		return;
	ASSERT_EQ(0, param_write(LONG_SPIN_US));
	ASSERT_EQ(0, park_start(self, 4, 0, 0));
	ASSERT_EQ(0, lkp_freeze(self->sfd, 0, 0, NULL));
	wl_snapshot(&self->wl, self->snap);
	left = wait_all_in_state(self, 'I', 3000);
	EXPECT_EQ(-1, left) TH_LOG("spinner %d is still '%c'", left,
				  wl_task_state(self->wl.pid, wl_tid(&self->wl, left)));
	EXPECT_EQ(-1, wl_first_moved(&self->wl, self->snap));
	ASSERT_EQ(0, lkp_thaw(self->sfd, NULL));
	ASSERT_EQ(0, wl_wait_all_moved(&self->wl, self->snap, 5000, &stuck));
}

/* The budget is bounded: 10 s is taken, a microsecond more is EINVAL. */
TEST_F(park, budget_above_ten_seconds_is_einval)
{
	unsigned int v;

	if (!self->ready)
		return;
	ASSERT_EQ(0, param_write(10000000));
	ASSERT_EQ(0, param_read(&v));
	EXPECT_EQ(10000000, v);
	EXPECT_EQ(-EINVAL, param_write(10000001));
	EXPECT_EQ(-EINVAL, param_write(-1));
	ASSERT_EQ(0, param_read(&v));
	EXPECT_EQ(10000000, v);
}

/* SIGKILL ends a spinning park at once, not when the budget is spent. */
TEST_F(park, sigkill_ends_a_spinning_park)
{
	uint64_t t0;
	int status;

	if (!self->ready)
		return;
	ASSERT_EQ(0, param_write(LONG_SPIN_US));
	ASSERT_EQ(0, park_start(self, 2, 1, 0));
	ASSERT_EQ(0, lkp_freeze(self->sfd, 0, 0, NULL));
	lkp_sleep_ms(WATCH_MS);
	EXPECT_EQ('R', wl_task_state(self->wl.pid, wl_tid(&self->wl, 0)));
	t0 = lkp_now_ms();
	ASSERT_EQ(0, kill(self->wl.pid, SIGKILL));
	ASSERT_EQ(self->wl.pid, waitpid(self->wl.pid, &status, 0));
	self->wl.pid = 0;
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT_GT(1000, lkp_now_ms() - t0) TH_LOG("reaped after %llu ms",
					     (unsigned long long)(lkp_now_ms() - t0));
	EXPECT_EQ(0, lkp_thaw(self->sfd, NULL));
}

TEST_HARNESS_MAIN
