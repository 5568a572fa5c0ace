// SPDX-License-Identifier: GPL-2.0
/* nomem_test.c: ENOMEM at the caller's memory cgroup limit: FREEZE, STACK_CHECK, POKE and TRANSACTION fail cleanly. */
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "lkp_test.h"
#include "workload.h"

/*
 * How the tests run out of memory without fault injection. lkp charges what
 * a request allocates to the caller's memory cgroup, and at the cgroup's
 * memory.max the allocation fails instead of calling the OOM killer. So the
 * caller here is a controller child, which the test moves into a cgroup of
 * its own once it has touched every page it will touch (so that nothing of
 * its own is charged there later: a page fault at the limit would OOM-kill
 * it), and whose limit the test sets just above the cgroup's usage right
 * before the call. The target runs outside that cgroup. In a cgroup the
 * charges of a task moved in stay where they were, so the new cgroup's
 * usage is what the controller allocated since, plus the per-CPU stock the
 * kernel charged ahead (which only ever holds pages below the limit).
 *
 * Sizes, on the test kernel: a freeze takes 8 KiB of hash plus one 4 KiB
 * chunk per 35 threads (240 KiB at 2000 threads); a snapshot of the frozen
 * threads 40 bytes per thread (80 KiB); 4096 poke entries 640 KiB; 4096
 * stack check ranges 192 KiB.
 */
#define CG_ROOT		"/sys/fs/cgroup"
#define NR_THREADS	2000
#define TIGHT_MARGIN	(16 << 10)	/* the freezer and its hash, no chunk */
#define LOOSE_MARGIN	(96 << 10)	/* a score of chunks: the walk starts */
#define NR_POKES	LKP_MAX_POKES
#define POKE_LEN	LKP_MAX_POKE

/* Commands of the controller child. */
enum { CTL_FREEZE = 1, CTL_THAW, CTL_STACK, CTL_POKE, CTL_TXN, CTL_EXIT };

struct ctl_shm {
	int cmd;
	int ret;
	struct lkp_freeze f;
	struct lkp_thaw th;
	struct lkp_stack_check sc;
	struct lkp_poke pk;
	struct lkp_transaction t;
};

struct ctl {
	pid_t pid;
	int go, done;		/* eventfds: posting and waiting allocate nothing */
	struct ctl_shm *shm;
};

/* Dirties the stack a call will use, so that it is not first faulted at the limit. */
static void __attribute__((noinline)) ctl_touch_stack(void)
{
	volatile char buf[256 << 10];
	size_t i;

	for (i = 0; i < sizeof(buf); i += 4096)
		buf[i] = 1;
}

static long ctl_ioc(int sfd, unsigned long cmd, void *arg)
{
	return ioctl(sfd, cmd, arg) ? -errno : 0;
}

static void ctl_main(struct ctl *c, pid_t target)
{
	struct ctl_shm *shm = c->shm;
	uint64_t v = 1;
	int sfd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	ctl_touch_stack();
	sfd = lkp_open_session(target);
	if (sfd < 0)
		_exit(1);
	for (;;) {
		if (read(c->go, &v, sizeof(v)) != sizeof(v))
			_exit(2);
		switch (shm->cmd) {
		case CTL_FREEZE:
			shm->ret = ctl_ioc(sfd, LKP_IOC_FREEZE, &shm->f);
			break;
		case CTL_THAW:
			shm->ret = ctl_ioc(sfd, LKP_IOC_THAW, &shm->th);
			break;
		case CTL_STACK:
			shm->ret = ctl_ioc(sfd, LKP_IOC_STACK_CHECK, &shm->sc);
			break;
		case CTL_POKE:
			shm->ret = ctl_ioc(sfd, LKP_IOC_POKE, &shm->pk);
			break;
		case CTL_TXN:
			shm->ret = ctl_ioc(sfd, LKP_IOC_TRANSACTION, &shm->t);
			break;
		default:
			_exit(0);
		}
		if (write(c->done, &v, sizeof(v)) != sizeof(v))
			_exit(3);
	}
}

static int ctl_start(struct ctl *c, pid_t target)
{
	c->shm = mmap(NULL, sizeof(*c->shm), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c->shm == MAP_FAILED)
		return -errno;
	c->go = eventfd(0, EFD_CLOEXEC);
	c->done = eventfd(0, EFD_CLOEXEC);
	if (c->go < 0 || c->done < 0)
		return -errno;
	c->pid = fork();
	if (c->pid < 0)
		return -errno;
	if (c->pid == 0)
		ctl_main(c, target);
	return 0;
}

/* Runs one command in the controller: its result, or -ETIMEDOUT, -ECHILD. */
static int ctl_run(struct ctl *c, int cmd)
{
	struct pollfd p = { .fd = c->done, .events = POLLIN };
	uint64_t v = 1;

	c->shm->cmd = cmd;
	c->shm->ret = -EIO;
	if (write(c->go, &v, sizeof(v)) != sizeof(v))
		return -ECHILD;
	if (poll(&p, 1, 120000) != 1)
		return -ETIMEDOUT;
	if (read(c->done, &v, sizeof(v)) != sizeof(v))
		return -ECHILD;
	return c->shm->ret;
}

static int ctl_freeze(struct ctl *c, unsigned int flags)
{
	LKP_POISON(c->shm->f);
	c->shm->f.flags = flags;
	c->shm->f.timeout_ms = 20000;
	c->shm->f.reserved = 0;
	return ctl_run(c, CTL_FREEZE);
}

static int ctl_thaw(struct ctl *c)
{
	memset(&c->shm->th, 0, sizeof(c->shm->th));
	return ctl_run(c, CTL_THAW);
}

static int ctl_stack(struct ctl *c, const struct lkp_range *r, unsigned int nr)
{
	memset(&c->shm->sc, 0, sizeof(c->shm->sc));
	c->shm->sc.ranges = (uintptr_t)r;
	c->shm->sc.nr_ranges = nr;
	return ctl_run(c, CTL_STACK);
}

static int ctl_poke(struct ctl *c, const struct lkp_poke_entry *e, unsigned int nr)
{
	memset(&c->shm->pk, 0, sizeof(c->shm->pk));
	c->shm->pk.entries = (uintptr_t)e;
	c->shm->pk.nr_entries = nr;
	return ctl_run(c, CTL_POKE);
}

static int ctl_txn(struct ctl *c, const struct lkp_poke_entry *e, unsigned int nr)
{
	memset(&c->shm->t, 0, sizeof(c->shm->t));
	c->shm->t.entries = (uintptr_t)e;
	c->shm->t.nr_entries = nr;
	c->shm->t.timeout_ms = 20000;
	return ctl_run(c, CTL_TXN);
}

/* Lets the controller exit and reaps it: its exit status, or -1. */
static int ctl_stop(struct ctl *c)
{
	uint64_t v = 1;
	int status = -1;

	if (c->pid <= 0)
		return -1;
	c->shm->cmd = CTL_EXIT;
	if (write(c->go, &v, sizeof(v)) != sizeof(v))
		kill(c->pid, SIGKILL);
	if (waitpid(c->pid, &status, 0) != c->pid)
		status = -1;
	c->pid = 0;
	return status;
}

static void ctl_kill(struct ctl *c)
{
	int status;

	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, &status, 0);
		c->pid = 0;
	}
	if (c->go >= 0)
		close(c->go);
	if (c->done >= 0)
		close(c->done);
	if (c->shm && c->shm != MAP_FAILED)
		munmap(c->shm, sizeof(*c->shm));
	c->shm = NULL;
}

/* ------------------------------------------------------------------ */
/* The memory cgroup                                                  */

static int cg_write(const char *dir, const char *file, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return lkp_write_file(path, val);
}

static int cg_read(const char *dir, const char *file, char *buf, size_t len)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return lkp_read_file(path, buf, len);
}

/* The value of "key N" in a flat keyed file (memory.events, memory.stat), or -1. */
static long long cg_key(const char *dir, const char *file, const char *key)
{
	static char buf[16384];
	size_t klen = strlen(key);
	char *line = buf;

	if (cg_read(dir, file, buf, sizeof(buf)))
		return -1;
	while (line) {
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			return strtoll(line + klen + 1, NULL, 10);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}

static long long cg_current(const char *dir)
{
	char buf[64];

	return cg_read(dir, "memory.current", buf, sizeof(buf)) ? -1 : strtoll(buf, NULL, 10);
}

/* A fresh child cgroup with the memory controller: 0, or -errno (SKIP). */
static int cg_create(char *dir, size_t len)
{
	static unsigned int seq;
	char buf[256];
	int ret;

	ret = cg_read(CG_ROOT, "cgroup.controllers", buf, sizeof(buf));
	if (ret)
		return ret;
	if (!strstr(buf, "memory"))
		return -EOPNOTSUPP;
	ret = cg_read(CG_ROOT, "cgroup.subtree_control", buf, sizeof(buf));
	if (!ret && !strstr(buf, "memory"))
		ret = cg_write(CG_ROOT, "cgroup.subtree_control", "+memory");
	if (ret)
		return ret;
	snprintf(dir, len, "%s/lkp-nomem-%d-%u", CG_ROOT, getpid(), seq++);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/* memory.max = usage + margin, never below the usage (that would reclaim, or OOM-kill). */
static long long cg_limit(const char *dir, long long margin)
{
	long long cur = cg_current(dir);
	char buf[32];

	if (cur < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%lld", cur + margin);
	return cg_write(dir, "memory.max", buf) ? -1 : cur;
}

/* ------------------------------------------------------------------ */

FIXTURE(nomem) {
	struct workload wl;
	uint64_t *snap;
	struct ctl ctl;
	char cg[128];
	bool have_cg;
	/* The poke area: at the same address in the target (a fork of this test). */
	unsigned char *area, *oldb, *newb;
	struct lkp_poke_entry *ents;
	struct lkp_range *ranges;
	long long events_max;
};

FIXTURE_SETUP(nomem)
{
	size_t len = (size_t)NR_POKES * POKE_LEN;
	unsigned int i;
	int ret;

	self->ctl.pid = 0;
	self->ctl.go = self->ctl.done = -1;
	self->ctl.shm = NULL;
	self->wl.pid = 0;
	self->wl.shm = NULL;
	self->snap = NULL;
	self->have_cg = false;
	ret = cg_create(self->cg, sizeof(self->cg));
	/* The harness runs the test after a SKIP here: each test checks have_cg. */
	if (ret)
		SKIP(return, "no cgroup v2 memory controller at %s: %s", CG_ROOT, strerror(-ret));
	self->have_cg = true;

	/* Every buffer the controller reads is dirtied before it forks. */
	self->area = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	self->oldb = malloc(len);
	self->newb = malloc(len);
	self->ents = calloc(NR_POKES, sizeof(*self->ents));
	self->ranges = calloc(LKP_MAX_RANGES, sizeof(*self->ranges));
	ASSERT_NE(MAP_FAILED, self->area);
	ASSERT_TRUE(self->oldb && self->newb && self->ents && self->ranges);
	for (i = 0; i < len; i++) {
		self->area[i] = self->oldb[i] = (unsigned char)(i * 7 + 1);
		self->newb[i] = (unsigned char)~self->oldb[i];
	}
	for (i = 0; i < NR_POKES; i++)
		self->ents[i] = (struct lkp_poke_entry){
			.addr = (uintptr_t)self->area + i * POKE_LEN, .len = POKE_LEN,
			.old_bytes = (uintptr_t)self->oldb + i * POKE_LEN,
			.new_bytes = (uintptr_t)self->newb + i * POKE_LEN,
		};
	/* Ranges where no thread is: the user address space's last pages. */
	for (i = 0; i < LKP_MAX_RANGES; i++)
		self->ranges[i] = (struct lkp_range){
			(1ULL << 47) - (i + 2) * 4096ULL, (1ULL << 47) - (i + 1) * 4096ULL,
		};

	memset(&self->wl, 0, sizeof(self->wl));
	self->wl.sleep_ms = 500;
	ASSERT_EQ(0, wl_start_mix(&self->wl, NR_THREADS, 250));
	self->snap = calloc(NR_THREADS, sizeof(*self->snap));
	ASSERT_NE(NULL, self->snap);
	ASSERT_EQ(0, ctl_start(&self->ctl, self->wl.pid));
}

FIXTURE_TEARDOWN(nomem)
{
	ctl_kill(&self->ctl);
	if (self->have_cg) {
		cg_write(self->cg, "memory.max", "max");
		rmdir(self->cg);
	}
	wl_stop(&self->wl);
	free(self->snap);
}

/*
 * The controller's calls before the limit: each one succeeds, or fails
 * only after copying its arguments, so that every page they touch in the
 * controller is touched (and charged) outside the cgroup.
 */
static void rehearse(struct __test_metadata *_metadata, FIXTURE_DATA(nomem) *self)
{
	ASSERT_EQ(0, ctl_freeze(&self->ctl, 0));
	EXPECT_EQ(NR_THREADS + 1, self->ctl.shm->f.nr_threads);
	ASSERT_EQ(0, ctl_thaw(&self->ctl));
	/* Not frozen: EBADFD, after the ranges and entries were copied. */
	ASSERT_EQ(-EBADFD, ctl_stack(&self->ctl, self->ranges, LKP_MAX_RANGES));
	ASSERT_EQ(-EBADFD, ctl_poke(&self->ctl, self->ents, NR_POKES));
}

/* Moves the controller into the cgroup and limits it; returns the usage it saw. */
static long long enter_limit(struct __test_metadata *_metadata,
			     FIXTURE_DATA(nomem) *self, long long margin)
{
	char pid[16];
	long long cur;

	snprintf(pid, sizeof(pid), "%d", self->ctl.pid);
	EXPECT_EQ(0, cg_write(self->cg, "cgroup.procs", pid));
	self->events_max = cg_key(self->cg, "memory.events", "max");
	EXPECT_LE(0, self->events_max);
	cur = cg_limit(self->cg, margin);
	EXPECT_LE(0, cur);
	TH_LOG("cgroup usage %lld bytes, memory.max %lld", cur, cur + margin);
	return cur;
}

/* The failure came from the cgroup's limit: its "max" event count moved. */
static void expect_limit_hit(struct __test_metadata *_metadata, FIXTURE_DATA(nomem) *self)
{
	long long n = cg_key(self->cg, "memory.events", "max");
	char peak[32] = "?";

	EXPECT_LT(self->events_max, n) TH_LOG("memory.events max %lld -> %lld",
					       self->events_max, n);
	self->events_max = n;
	cg_read(self->cg, "memory.peak", peak, sizeof(peak));
	TH_LOG("limit hit; cgroup peak usage %lld", strtoll(peak, NULL, 10));
}

/* Nobody was OOM-killed, and the controller exits by itself. */
static void expect_no_oom(struct __test_metadata *_metadata, FIXTURE_DATA(nomem) *self)
{
	EXPECT_EQ(0, cg_key(self->cg, "memory.events", "oom_kill"));
	EXPECT_EQ(0, ctl_stop(&self->ctl));
}

static void lift_limit(struct __test_metadata *_metadata, FIXTURE_DATA(nomem) *self)
{
	EXPECT_EQ(0, cg_write(self->cg, "memory.max", "max"));
}

/* Every thread of the target runs; none is frozen. */
static void expect_all_running(struct __test_metadata *_metadata, FIXTURE_DATA(nomem) *self)
{
	int stuck = -1;

	wl_snapshot(&self->wl, self->snap);
	ASSERT_EQ(0, wl_wait_all_moved(&self->wl, self->snap, 20000, &stuck))
		TH_LOG("thread %d (kind %d) did not run", stuck,
		       stuck >= 0 ? self->wl.shm->slot[stuck].kind : -1);
}

/* The poke area in the target: as before (want_new false) or all rewritten. */
static void expect_area(struct __test_metadata *_metadata, FIXTURE_DATA(nomem) *self,
			bool want_new)
{
	size_t len = (size_t)NR_POKES * POKE_LEN;
	unsigned char *now = malloc(len);

	ASSERT_NE(NULL, now);
	ASSERT_EQ(0, lkp_target_read(self->wl.pid, (uintptr_t)self->area, now, len));
	EXPECT_EQ(0, memcmp(now, want_new ? self->newb : self->oldb, len))
		TH_LOG("the target's poke area is not %s", want_new ? "rewritten" : "untouched");
	free(now);
}

/*
 * FREEZE at the limit, with no room for any chunk of works and with room
 * for some (the walk queues works on the first threads, then runs short):
 * ENOMEM, the session is not frozen, and every thread runs on. With the
 * limit lifted the same session freezes every thread.
 */
TEST_F_TIMEOUT(nomem, freeze_is_enomem_and_leaves_target_running, 300)
{
	long long margins[] = { TIGHT_MARGIN, LOOSE_MARGIN };
	unsigned int i;

	if (!self->have_cg)
		return;
	rehearse(_metadata, self);
	for (i = 0; i < 2; i++) {
		enter_limit(_metadata, self, margins[i]);
		ASSERT_EQ(-ENOMEM, ctl_freeze(&self->ctl, 0));
		expect_limit_hit(_metadata, self);
		lift_limit(_metadata, self);
		ASSERT_EQ(-EBADFD, ctl_thaw(&self->ctl));
		expect_all_running(_metadata, self);
	}
	ASSERT_EQ(0, ctl_freeze(&self->ctl, 0));
	EXPECT_EQ(NR_THREADS + 1, self->ctl.shm->f.nr_threads);
	ASSERT_EQ(0, ctl_thaw(&self->ctl));
	expect_all_running(_metadata, self);
	expect_no_oom(_metadata, self);
}

/* Likewise in LKP_FREEZE_PARK_ALL mode, where the works wake the sleepers. */
TEST_F_TIMEOUT(nomem, park_all_freeze_is_enomem_and_leaves_target_running, 300)
{
	if (!self->have_cg)
		return;
	rehearse(_metadata, self);
	enter_limit(_metadata, self, LOOSE_MARGIN);
	ASSERT_EQ(-ENOMEM, ctl_freeze(&self->ctl, LKP_FREEZE_PARK_ALL));
	expect_limit_hit(_metadata, self);
	lift_limit(_metadata, self);
	ASSERT_EQ(-EBADFD, ctl_thaw(&self->ctl));
	expect_all_running(_metadata, self);
	ASSERT_EQ(0, ctl_freeze(&self->ctl, LKP_FREEZE_PARK_ALL));
	EXPECT_EQ(NR_THREADS + 1, self->ctl.shm->f.nr_threads);
	ASSERT_EQ(0, ctl_thaw(&self->ctl));
	expect_no_oom(_metadata, self);
}

/*
 * 50 failed freezes leave nothing behind: once the controller and the
 * target are gone, nothing lkp allocated stays charged to the cgroup (a
 * failed freeze's works, its freezer, its hash, its array of chunks).
 *
 * The cgroup's slab count is exact once the per-CPU stocks are drained:
 * each CPU batches the byte counts of the objects freed there, up to a
 * page. Writing memory.high below the usage of a cgroup without tasks
 * drains them (and reclaims nothing: there is nothing left to reclaim). The
 * frees themselves are deferred (a worker, RCU), hence the polling.
 */
TEST_F_TIMEOUT(nomem, failed_freezes_leak_nothing, 600)
{
	struct timespec nap = { 0, 100 * 1000000L };
	long long slab = -1;
	unsigned int i;

	if (!self->have_cg)
		return;
	rehearse(_metadata, self);
	enter_limit(_metadata, self, LOOSE_MARGIN);
	for (i = 0; i < 50; i++) {
		ASSERT_EQ(-ENOMEM, ctl_freeze(&self->ctl, 0)) TH_LOG("attempt %u", i);
	}
	expect_limit_hit(_metadata, self);
	lift_limit(_metadata, self);
	EXPECT_EQ(0, cg_key(self->cg, "memory.events", "oom_kill"));
	ASSERT_EQ(0, ctl_stop(&self->ctl));
	expect_all_running(_metadata, self);
	/*
	 * The target's main thread sleeps in pause() with a work of every
	 * attempt queued: it runs them when it dies.
	 */
	wl_stop(&self->wl);
	for (i = 0; i < 300; i++) {
		EXPECT_EQ(0, cg_write(self->cg, "memory.high", "0"));
		slab = cg_key(self->cg, "memory.stat", "slab");
		if (!slab)
			break;
		nanosleep(&nap, NULL);
	}
	EXPECT_EQ(0, slab) TH_LOG("%lld bytes of slab still charged to the cgroup: leaked", slab);
}

/*
 * STACK_CHECK on a frozen target at the limit: 4096 ranges cannot be
 * copied, and with one range the snapshot of 2001 threads cannot be taken.
 * ENOMEM; the target stays frozen (the session's freeze is untouched) and
 * the same check passes once the limit is lifted.
 */
TEST_F_TIMEOUT(nomem, stack_check_is_enomem, 300)
{
	unsigned int nr[] = { LKP_MAX_RANGES, 1 };
	unsigned int i;

	if (!self->have_cg)
		return;
	rehearse(_metadata, self);
	ASSERT_EQ(0, ctl_freeze(&self->ctl, 0));
	enter_limit(_metadata, self, TIGHT_MARGIN);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(-ENOMEM, ctl_stack(&self->ctl, self->ranges, nr[i]))
			TH_LOG("%u ranges", nr[i]);
		expect_limit_hit(_metadata, self);
	}
	/* Still frozen: no counter moves. */
	wl_snapshot(&self->wl, self->snap);
	usleep(50000);
	EXPECT_EQ(-1, wl_first_moved(&self->wl, self->snap));
	lift_limit(_metadata, self);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, ctl_stack(&self->ctl, self->ranges, nr[i])) TH_LOG("%u ranges", nr[i]);
	}
	ASSERT_EQ(0, ctl_thaw(&self->ctl));
	expect_all_running(_metadata, self);
	expect_no_oom(_metadata, self);
}

/*
 * POKE on a frozen target at the limit: 4096 entries cannot be copied, and
 * one entry finds no room for the snapshot. ENOMEM and nothing written;
 * with the limit lifted the 4096 entries are written.
 */
TEST_F_TIMEOUT(nomem, poke_is_enomem_and_writes_nothing, 300)
{
	unsigned int nr[] = { NR_POKES, 1 };
	unsigned int i;

	if (!self->have_cg)
		return;
	rehearse(_metadata, self);
	ASSERT_EQ(0, ctl_freeze(&self->ctl, 0));
	enter_limit(_metadata, self, TIGHT_MARGIN);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(-ENOMEM, ctl_poke(&self->ctl, self->ents, nr[i])) TH_LOG("%u entries", nr[i]);
		expect_limit_hit(_metadata, self);
		expect_area(_metadata, self, false);
	}
	lift_limit(_metadata, self);
	ASSERT_EQ(0, ctl_poke(&self->ctl, self->ents, NR_POKES));
	ASSERT_EQ(0, ctl_thaw(&self->ctl));
	expect_area(_metadata, self, true);
	expect_all_running(_metadata, self);
	expect_no_oom(_metadata, self);
}

/*
 * TRANSACTION at the limit: 4096 entries cannot be copied (nothing is
 * frozen yet), and one entry lets the copy through but not the freeze of
 * 2001 threads. ENOMEM, nothing written, nothing left frozen; with the
 * limit lifted the transaction writes every entry.
 */
TEST_F_TIMEOUT(nomem, transaction_is_enomem_and_writes_nothing, 300)
{
	unsigned int nr[] = { NR_POKES, 1 };
	unsigned int i;

	if (!self->have_cg)
		return;
	rehearse(_metadata, self);
	enter_limit(_metadata, self, TIGHT_MARGIN);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(-ENOMEM, ctl_txn(&self->ctl, self->ents, nr[i])) TH_LOG("%u entries", nr[i]);
		expect_limit_hit(_metadata, self);
		EXPECT_EQ(-EBADFD, ctl_thaw(&self->ctl));
		expect_area(_metadata, self, false);
		expect_all_running(_metadata, self);
	}
	lift_limit(_metadata, self);
	ASSERT_EQ(0, ctl_txn(&self->ctl, self->ents, NR_POKES));
	EXPECT_EQ(1, self->ctl.shm->t.attempts_made);
	expect_area(_metadata, self, true);
	expect_all_running(_metadata, self);
	expect_no_oom(_metadata, self);
}

TEST_HARNESS_MAIN
