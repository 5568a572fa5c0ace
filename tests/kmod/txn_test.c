// SPDX-License-Identifier: GPL-2.0
/* txn_test.c: LKP_IOC_TRANSACTION: validation, all or nothing, blockers and retries, the pause it reports. */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "../kselftest_harness.h"
#include "lkp_target.h"
#include "workload.h"

/* mov $2, %eax; ret: lkp_t_fn() then returns 2. */
static const unsigned char ret2[6] = { 0xb8, 0x02, 0x00, 0x00, 0x00, 0xc3 };

FIXTURE(tx) {
	struct lkp_target t;
	int fd;
	unsigned char orig[sizeof(ret2)];
	struct lkp_poke_entry e;
	struct lkp_range r;
};

FIXTURE_SETUP(tx)
{
	ASSERT_EQ(0, lkp_target_start(&self->t));
	self->fd = lkp_open_session(self->t.pid);
	ASSERT_LE(0, self->fd) TH_LOG("attach: %s", strerror(-self->fd));
	memcpy(self->orig, (void *)lkp_t_fn, sizeof(self->orig));
	self->e = (struct lkp_poke_entry){
		.addr = (uintptr_t)lkp_t_fn, .len = sizeof(ret2),
		.old_bytes = (uintptr_t)self->orig, .new_bytes = (uintptr_t)ret2,
	};
	self->r = (struct lkp_range){ (uintptr_t)lkp_t_fn,
				      (uintptr_t)lkp_t_fn + lkp_fn_size(lkp_t_fn) };
	ASSERT_LT(self->r.start, self->r.end);
}

FIXTURE_TEARDOWN(tx)
{
	close(self->fd);
	lkp_target_stop(&self->t);
}

static void txn_init(struct lkp_transaction *t, struct lkp_poke_entry *e, __u32 nr_e,
		     struct lkp_range *r, __u32 nr_r)
{
	LKP_POISON(*t);
	t->entries = (uintptr_t)e;
	t->nr_entries = nr_e;
	t->ranges = (uintptr_t)r;
	t->nr_ranges = nr_r;
	t->flags = 0;
	t->attempts = 0;
	t->retry_delay_ms = 0;
	t->timeout_ms = 0;
	t->max_stack = 0;
	t->reserved = 0;
}

static bool blocker_is_zero(const struct lkp_blocker *b)
{
	static const struct lkp_blocker zero;

	return !memcmp(b, &zero, sizeof(zero));
}

TEST_F(tx, validation)
{
	struct lkp_range bad = { 0x3000, 0x1000 };
	struct lkp_transaction t;

	txn_init(&t, &self->e, 1, &self->r, 1);
	t.reserved = 1;
	ASSERT_EQ(-EINVAL, lkp_ioc(self->fd, LKP_IOC_TRANSACTION, &t));
	txn_init(&t, &self->e, 1, &self->r, 1);
	t.flags = 1U << 7;
	ASSERT_EQ(-EINVAL, lkp_ioc(self->fd, LKP_IOC_TRANSACTION, &t));
	txn_init(&t, &self->e, 0, &self->r, 1);
	ASSERT_EQ(-EINVAL, lkp_ioc(self->fd, LKP_IOC_TRANSACTION, &t));
	txn_init(&t, &self->e, 1, &bad, 1);
	ASSERT_EQ(-EINVAL, lkp_ioc(self->fd, LKP_IOC_TRANSACTION, &t));
	txn_init(&t, &self->e, 1, &self->r, LKP_MAX_RANGES + 1);
	ASSERT_EQ(-EINVAL, lkp_ioc(self->fd, LKP_IOC_TRANSACTION, &t));
	txn_init(&t, NULL, 1, &self->r, 1);
	ASSERT_EQ(-EFAULT, lkp_ioc(self->fd, LKP_IOC_TRANSACTION, &t));
	txn_init(&t, &self->e, 1, NULL, 1);
	ASSERT_EQ(-EFAULT, lkp_ioc(self->fd, LKP_IOC_TRANSACTION, &t));

	/* Inside the caller's own freeze: refused, nothing frozen twice. */
	ASSERT_EQ(0, lkp_freeze(self->fd, 0, 0, NULL));
	txn_init(&t, &self->e, 1, &self->r, 1);
	ASSERT_EQ(-EALREADY, lkp_ioc(self->fd, LKP_IOC_TRANSACTION, &t));
	ASSERT_EQ(0, lkp_thaw(self->fd, NULL));
	EXPECT_EQ(1, lkp_target_call(&self->t, LKP_CMD_CALL));
}

TEST_F(tx, success_changes_behaviour)
{
	struct lkp_transaction t;

	ASSERT_EQ(1, lkp_target_call(&self->t, LKP_CMD_CALL));
	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_DEEP));
	txn_init(&t, &self->e, 1, &self->r, 1);
	ASSERT_EQ(0, lkp_ioc(self->fd, LKP_IOC_TRANSACTION, &t));
	EXPECT_EQ(1, t.attempts_made);
	EXPECT_EQ(2, t.nr_threads);
	EXPECT_LT(0, t.pause_ns);
	EXPECT_GT(1000000000ULL, t.pause_ns);
	EXPECT_TRUE(blocker_is_zero(&t.blocker));
	TH_LOG("transaction pause: %llu ns, %u threads", t.pause_ns, t.nr_threads);
	/* Thawed, and running the new code. */
	EXPECT_EQ(2, lkp_target_call(&self->t, LKP_CMD_CALL));
	EXPECT_EQ(1, lkp_t_fn_ptr());
	ASSERT_EQ(0, lkp_target_release(&self->t));

	/* Without ranges too, and back to the original. */
	self->e.old_bytes = (uintptr_t)ret2;
	self->e.new_bytes = (uintptr_t)self->orig;
	txn_init(&t, &self->e, 1, NULL, 0);
	t.flags = LKP_FREEZE_PARK_ALL;
	ASSERT_EQ(0, lkp_ioc(self->fd, LKP_IOC_TRANSACTION, &t));
	TH_LOG("park-all transaction pause: %llu ns", t.pause_ns);
	EXPECT_EQ(1, lkp_target_call(&self->t, LKP_CMD_CALL));
}

TEST_F(tx, stale_old_bytes_leave_every_byte_and_thaw)
{
	unsigned char before[2][16], after[2][16], wrong[sizeof(ret2)], new1[8];
	struct lkp_poke_entry e[2];
	struct lkp_transaction t;

	ASSERT_EQ(0, lkp_target_read(self->t.pid, (uintptr_t)lkp_t_fn, before[0], 16));
	ASSERT_EQ(0, lkp_target_read(self->t.pid, (uintptr_t)lkp_t_pointee, before[1], 16));
	memcpy(wrong, before[1], sizeof(wrong));
	wrong[0] ^= 1;
	memset(new1, 0x90, sizeof(new1));
	e[0] = self->e;
	e[1] = (struct lkp_poke_entry){
		.addr = (uintptr_t)lkp_t_pointee, .len = sizeof(wrong),
		.old_bytes = (uintptr_t)wrong, .new_bytes = (uintptr_t)new1,
	};
	txn_init(&t, e, 2, &self->r, 1);
	t.attempts = 5;
	ASSERT_EQ(-ESTALE, lkp_ioc(self->fd, LKP_IOC_TRANSACTION, &t));
	/* Not retried: old bytes do not change by waiting. */
	EXPECT_EQ(1, t.attempts_made);
	EXPECT_EQ(1, t.blocker.index);
	EXPECT_EQ((uintptr_t)lkp_t_pointee, t.blocker.addr);
	EXPECT_LT(0, t.pause_ns);
	ASSERT_EQ(0, lkp_target_read(self->t.pid, (uintptr_t)lkp_t_fn, after[0], 16));
	ASSERT_EQ(0, lkp_target_read(self->t.pid, (uintptr_t)lkp_t_pointee, after[1], 16));
	EXPECT_EQ(0, memcmp(before, after, sizeof(before)));
	EXPECT_EQ(1, lkp_target_call(&self->t, LKP_CMD_CALL));
}

TEST_F(tx, busy_retries_then_fails_without_writing)
{
	struct lkp_range r[2] = {
		self->r,
		{ (uintptr_t)lkp_t_deep_root,
		  (uintptr_t)lkp_t_deep_root + lkp_fn_size(lkp_t_deep_root) },
	};
	unsigned char now[sizeof(ret2)];
	struct lkp_transaction t;
	uint64_t t0, elapsed;

	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_DEEP));
	txn_init(&t, &self->e, 1, r, 2);
	t.attempts = 3;
	t.retry_delay_ms = 50;
	t0 = lkp_now_ns();
	ASSERT_EQ(-EBUSY, lkp_ioc(self->fd, LKP_IOC_TRANSACTION, &t));
	elapsed = lkp_now_ns() - t0;
	EXPECT_EQ(3, t.attempts_made);
	EXPECT_LE(100000000ULL, elapsed);	/* two thawed waits */
	EXPECT_EQ(LKP_BLOCKER_RETADDR, t.blocker.kind);
	EXPECT_EQ(1, t.blocker.index);
	EXPECT_EQ(self->t.shm->tid[LKP_T_DEEP], t.blocker.tid);
	EXPECT_EQ(self->t.shm->deep_ret, t.blocker.addr);
	ASSERT_EQ(0, lkp_target_read(self->t.pid, (uintptr_t)lkp_t_fn, now, sizeof(now)));
	EXPECT_EQ(0, memcmp(now, self->orig, sizeof(now)));
	/* Thawed: the target answers; the blocked thread can leave. */
	EXPECT_EQ(1, lkp_target_call(&self->t, LKP_CMD_CALL));
	ASSERT_EQ(0, lkp_target_release(&self->t));

	/* Once it has left, the same transaction goes through. */
	txn_init(&t, &self->e, 1, r, 2);
	ASSERT_EQ(0, lkp_ioc(self->fd, LKP_IOC_TRANSACTION, &t));
	EXPECT_EQ(1, t.attempts_made);
	EXPECT_EQ(2, lkp_target_call(&self->t, LKP_CMD_CALL));
}

TEST_F(tx, ip_in_range_is_busy)
{
	struct lkp_range r = {
		(uintptr_t)lkp_t_spin, (uintptr_t)lkp_t_spin + lkp_fn_size(lkp_t_spin),
	};
	struct lkp_transaction t;

	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_SPIN));
	txn_init(&t, &self->e, 1, &r, 1);
	ASSERT_EQ(-EBUSY, lkp_ioc(self->fd, LKP_IOC_TRANSACTION, &t));
	EXPECT_EQ(1, t.attempts_made);
	EXPECT_EQ(LKP_BLOCKER_IP, t.blocker.kind);
	EXPECT_EQ(self->t.shm->tid[LKP_T_SPIN], t.blocker.tid);
	ASSERT_EQ(0, lkp_target_release(&self->t));
	EXPECT_EQ(1, lkp_target_call(&self->t, LKP_CMD_CALL));
}

#define PRESCAN_PARAM		"/sys/module/lkp/parameters/txn_prescan"
#define PRESCAN_GAP_PARAM	"/sys/module/lkp/parameters/txn_prescan_gap_us"

static void *txn_open_gate(void *arg)
{
	struct lkp_target *t = arg;
	char c = 'g';

	/* Well inside the 1 s gap: the look at the stacks takes milliseconds. */
	usleep(300000);
	return (void *)(intptr_t)(write(t->gate, &c, 1) == 1 ? 0 : -errno);
}

/*
 * The stacks of sleeping threads are read before the freeze. A thread that
 * sleeps below lkp_t_late_a() then, and before the freeze sleeps again with
 * the same sp and ip but below lkp_t_late_b(), a range, has run in between:
 * it must be checked again under the freeze, and the transaction is busy.
 */
TEST_F(tx, thread_that_runs_after_the_stack_look_is_checked_again)
{
	struct lkp_range r[2] = {
		self->r,
		{ (uintptr_t)lkp_t_late_b,
		  (uintptr_t)lkp_t_late_b + lkp_fn_size(lkp_t_late_b) },
	};
	unsigned char now[sizeof(ret2)];
	struct lkp_transaction t;
	pthread_t opener;
	void *opened;
	int ret;

	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_LATE));
	ASSERT_EQ(0, lkp_write_file(PRESCAN_GAP_PARAM, "1000000\n"))
		TH_LOG("%s: is lkp.ko loaded?", PRESCAN_GAP_PARAM);
	ASSERT_EQ(0, pthread_create(&opener, NULL, txn_open_gate, &self->t));
	txn_init(&t, &self->e, 1, r, 2);
	ret = lkp_ioc(self->fd, LKP_IOC_TRANSACTION, &t);
	pthread_join(opener, &opened);
	ASSERT_EQ(0, lkp_write_file(PRESCAN_GAP_PARAM, "0\n"));
	ASSERT_EQ(0, (intptr_t)opened);
	ASSERT_LE(r[1].start, self->t.shm->late_ret);
	ASSERT_GT(r[1].end, self->t.shm->late_ret);
	ASSERT_EQ(-EBUSY, ret);
	EXPECT_EQ(1, t.attempts_made);
	EXPECT_EQ(LKP_BLOCKER_RETADDR, t.blocker.kind);
	EXPECT_EQ(1, t.blocker.index);
	EXPECT_EQ(self->t.shm->tid[LKP_T_LATE], t.blocker.tid);
	EXPECT_EQ(self->t.shm->late_ret, t.blocker.addr);
	ASSERT_EQ(0, lkp_target_read(self->t.pid, (uintptr_t)lkp_t_fn, now, sizeof(now)));
	EXPECT_EQ(0, memcmp(now, self->orig, sizeof(now)));
	ASSERT_EQ(0, lkp_target_release(&self->t));
}

/* Without the look before the freeze: the same answers. */
TEST_F(tx, without_the_stack_look_the_check_is_the_same)
{
	struct lkp_range r[2] = {
		self->r,
		{ (uintptr_t)lkp_t_deep_root,
		  (uintptr_t)lkp_t_deep_root + lkp_fn_size(lkp_t_deep_root) },
	};
	struct lkp_transaction t;
	int busy, ok;

	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_DEEP));
	ASSERT_EQ(0, lkp_write_file(PRESCAN_PARAM, "0\n"))
		TH_LOG("%s: is lkp.ko loaded?", PRESCAN_PARAM);
	txn_init(&t, &self->e, 1, r, 2);
	busy = lkp_ioc(self->fd, LKP_IOC_TRANSACTION, &t);
	lkp_target_release(&self->t);
	txn_init(&t, &self->e, 1, r, 2);
	ok = lkp_ioc(self->fd, LKP_IOC_TRANSACTION, &t);
	ASSERT_EQ(0, lkp_write_file(PRESCAN_PARAM, "1\n"));
	EXPECT_EQ(-EBUSY, busy);
	EXPECT_EQ(0, ok);
	EXPECT_EQ(2, lkp_target_call(&self->t, LKP_CMD_CALL));
}

TEST_F(tx, pause_is_reported_for_many_threads)
{
	struct lkp_transaction t;
	uint64_t best = UINT64_MAX, worst = 0;
	int i;

	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_DEEP));
	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_FPTR));
	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_SPIN));
	for (i = 0; i < 10; i++) {
		self->e.old_bytes = (uintptr_t)(i % 2 ? ret2 : self->orig);
		self->e.new_bytes = (uintptr_t)(i % 2 ? self->orig : ret2);
		txn_init(&t, &self->e, 1, &self->r, 1);
		ASSERT_EQ(0, lkp_ioc(self->fd, LKP_IOC_TRANSACTION, &t));
		EXPECT_EQ(4, t.nr_threads);
		best = t.pause_ns < best ? t.pause_ns : best;
		worst = t.pause_ns > worst ? t.pause_ns : worst;
	}
	TH_LOG("10 transactions, 4 threads: pause %llu..%llu ns",
	       (unsigned long long)best, (unsigned long long)worst);
	EXPECT_EQ(1, lkp_target_call(&self->t, LKP_CMD_CALL));
	ASSERT_EQ(0, lkp_target_release(&self->t));
}

TEST_F(tx, patching_ioctls_are_listed_and_session_only)
{
	struct lkp_stack_check sc = { 0 };
	struct lkp_transaction t = { 0 };
	struct lkp_poke p = { 0 };
	struct lkp_unmap u = { 0 };
	struct lkp_map m = { 0 };
	struct lkp_api api = { 0 };
	int dev = open(LKP_DEV, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, dev);
	ASSERT_EQ(0, lkp_ioc(self->fd, LKP_IOC_GET_API, &api));
	EXPECT_TRUE(api.ioctls & (1ULL << LKP_IOC_NR_STACK_CHECK));
	EXPECT_TRUE(api.ioctls & (1ULL << LKP_IOC_NR_POKE));
	EXPECT_TRUE(api.ioctls & (1ULL << LKP_IOC_NR_MAP));
	EXPECT_TRUE(api.ioctls & (1ULL << LKP_IOC_NR_UNMAP));
	EXPECT_TRUE(api.ioctls & (1ULL << LKP_IOC_NR_TRANSACTION));
	/* They need a target: /dev/lkp itself does not take them. */
	EXPECT_EQ(-ENOTTY, lkp_ioc(dev, LKP_IOC_STACK_CHECK, &sc));
	EXPECT_EQ(-ENOTTY, lkp_ioc(dev, LKP_IOC_POKE, &p));
	EXPECT_EQ(-ENOTTY, lkp_ioc(dev, LKP_IOC_MAP, &m));
	EXPECT_EQ(-ENOTTY, lkp_ioc(dev, LKP_IOC_UNMAP, &u));
	EXPECT_EQ(-ENOTTY, lkp_ioc(dev, LKP_IOC_TRANSACTION, &t));
	close(dev);
}

TEST_F(tx, write_before_a_syscall_ip_is_busy_and_retried)
{
	struct lkp_thread th[4];
	struct lkp_threads ts = {
		.threads = (uintptr_t)th, .count = 4, .thread_size = sizeof(th[0]),
	};
	unsigned char sc[2];
	struct lkp_poke_entry e;
	struct lkp_transaction t;
	int i;

	/*
	 * Where the target's main thread waits in read() for a command, and
	 * stays until the next one: freeze until it is seen there (a fresh
	 * target may still be on its way out of fork()).
	 */
	for (i = 0;; i++) {
		ASSERT_GT(100000, i);
		ASSERT_EQ(0, lkp_freeze(self->fd, 0, 0, NULL));
		ts.count = 4;
		ASSERT_EQ(0, lkp_ioc(self->fd, LKP_IOC_GET_THREADS, &ts));
		ASSERT_EQ(0, lkp_thaw(self->fd, NULL));
		ASSERT_EQ(1, ts.count);
		if ((th[0].flags & LKP_THREAD_IN_SYSCALL) && th[0].regs.orig_ax == SYS_read)
			break;
		sched_yield();
	}
	ASSERT_EQ(0, lkp_target_read(self->t.pid, th[0].regs.ip - 2, sc, 2));

	e = (struct lkp_poke_entry){
		.addr = th[0].regs.ip - 2, .len = 2,
		.old_bytes = (uintptr_t)sc, .new_bytes = (uintptr_t)sc,
	};
	txn_init(&t, &e, 1, NULL, 0);
	t.attempts = 2;
	ASSERT_EQ(-EBUSY, lkp_ioc(self->fd, LKP_IOC_TRANSACTION, &t));
	EXPECT_EQ(2, t.attempts_made);
	EXPECT_EQ(LKP_BLOCKER_SYSCALL_IP, t.blocker.kind);
	EXPECT_EQ(th[0].tid, t.blocker.tid);
	EXPECT_EQ(th[0].regs.ip, t.blocker.addr);
	EXPECT_EQ(1, lkp_target_call(&self->t, LKP_CMD_CALL));
}

TEST_F(tx, entry_in_shared_or_unmapped_memory_is_refused)
{
	unsigned char old[8], new[8] = { 0 };
	struct lkp_poke_entry e[2];
	struct lkp_transaction t;
	void *none;

	memcpy(old, self->t.shm, sizeof(old));
	e[0] = self->e;
	e[1] = (struct lkp_poke_entry){
		.addr = (uintptr_t)self->t.shm, .len = sizeof(old),
		.old_bytes = (uintptr_t)old, .new_bytes = (uintptr_t)new,
	};
	txn_init(&t, e, 2, NULL, 0);
	ASSERT_EQ(-EPERM, lkp_ioc(self->fd, LKP_IOC_TRANSACTION, &t));
	none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	e[1].addr = (uintptr_t)none;	/* mapped here, not in the target */
	txn_init(&t, e, 2, NULL, 0);
	ASSERT_EQ(-EFAULT, lkp_ioc(self->fd, LKP_IOC_TRANSACTION, &t));
	munmap(none, 4096);
	/* Entry 0 was fine, but nothing was written. */
	EXPECT_EQ(1, lkp_target_call(&self->t, LKP_CMD_CALL));
}

TEST_F(tx, target_gone_is_esrch)
{
	struct lkp_transaction t;
	int status;

	kill(self->t.pid, SIGKILL);
	ASSERT_EQ(self->t.pid, waitpid(self->t.pid, &status, 0));
	self->t.pid = 0;
	txn_init(&t, &self->e, 1, &self->r, 1);
	ASSERT_EQ(-ESRCH, lkp_ioc(self->fd, LKP_IOC_TRANSACTION, &t));
}

static void on_alarm(int sig)
{
}

TEST_F(tx, signal_during_retry_wait_is_eintr)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct lkp_range r = {
		(uintptr_t)lkp_t_deep_root,
		(uintptr_t)lkp_t_deep_root + lkp_fn_size(lkp_t_deep_root),
	};
	struct lkp_transaction t;

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_DEEP));
	txn_init(&t, &self->e, 1, &r, 1);
	t.attempts = 1000;
	t.retry_delay_ms = 100;	/* 100 s in all: the alarm comes first */
	alarm(1);
	ASSERT_EQ(-EINTR, lkp_ioc(self->fd, LKP_IOC_TRANSACTION, &t));
	alarm(0);
	/* Thawed and untouched. */
	EXPECT_EQ(1, lkp_target_call(&self->t, LKP_CMD_CALL));
	ASSERT_EQ(0, lkp_target_release(&self->t));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The pause a patch costs a busy process: a workload of spinners and
 * sleepers (forked from this binary, so it has lkp_t_fn too), patched and
 * unpatched in turn; the median is logged.
 */
static void pause_at(struct __test_metadata *_metadata, unsigned int nr_threads)
{
	unsigned char orig[sizeof(ret2)];
	struct lkp_poke_entry e = {
		.addr = (uintptr_t)lkp_t_fn, .len = sizeof(ret2),
	};
	struct lkp_range r = {
		(uintptr_t)lkp_t_fn, (uintptr_t)lkp_t_fn + lkp_fn_size(lkp_t_fn),
	};
	struct lkp_transaction t;
	struct workload wl = { .sleep_ms = 50 };
	uint64_t pause[7];
	int fd, i;

	memcpy(orig, (void *)lkp_t_fn, sizeof(orig));
	ASSERT_EQ(0, wl_start_mix(&wl, nr_threads, 8));
	fd = lkp_open_session(wl.pid);
	ASSERT_LE(0, fd);
	for (i = 0; i < 7; i++) {
		e.old_bytes = (uintptr_t)(i % 2 ? ret2 : orig);
		e.new_bytes = (uintptr_t)(i % 2 ? orig : ret2);
		txn_init(&t, &e, 1, &r, 1);
		t.timeout_ms = 10000;
		ASSERT_EQ(0, lkp_ioc(fd, LKP_IOC_TRANSACTION, &t));
		EXPECT_EQ(nr_threads + 1, t.nr_threads);
		pause[i] = t.pause_ns;
	}
	qsort(pause, 7, sizeof(pause[0]), cmp_u64);
	TH_LOG("transaction pause, %u threads: median %.2f ms (min %.2f, max %.2f) over 7",
	       nr_threads + 1, pause[3] / 1e6, pause[0] / 1e6, pause[6] / 1e6);
	close(fd);
	wl_stop(&wl);
}

FIXTURE(busy) {
	int unused;
};

FIXTURE_SETUP(busy)
{
}

FIXTURE_TEARDOWN(busy)
{
}

TEST_F_TIMEOUT(busy, pause_100_threads, 120)
{
	pause_at(_metadata, 99);
}

TEST_F_TIMEOUT(busy, pause_1000_threads, 300)
{
	pause_at(_metadata, 999);
}

/*
 * The freeze inside a transaction times out as LKP_IOC_FREEZE does: waking
 * and parking 2000 sleepers (LKP_FREEZE_PARK_ALL) takes longer than 1 ms.
 * Then the call fails with ETIMEDOUT, writes nothing and leaves nothing
 * frozen. The workload child is a fork of this binary: lkp_t_fn is there.
 */
FIXTURE(sleepers) {
	struct workload wl;
	uint64_t *snap;
	int fd;
};

FIXTURE_SETUP(sleepers)
{
	unsigned int nr[WL_NR_KINDS] = { [WL_EPOLL] = 1000, [WL_SIGWAIT] = 1000 };

	memset(&self->wl, 0, sizeof(self->wl));
	self->wl.sleep_ms = 1000;
	ASSERT_EQ(0, wl_start(&self->wl, nr));
	self->snap = calloc(self->wl.nr_threads, sizeof(*self->snap));
	ASSERT_NE(NULL, self->snap);
	ASSERT_EQ(0, wl_wait_asleep(&self->wl, 60000));
	self->fd = lkp_open_session(self->wl.pid);
	ASSERT_LE(0, self->fd) TH_LOG("attach: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(sleepers)
{
	close(self->fd);
	wl_stop(&self->wl);
	free(self->snap);
}

TEST_F_TIMEOUT(sleepers, freeze_timeout_is_etimedout_and_writes_nothing, 120)
{
	unsigned char orig[sizeof(ret2)], before[16], after[16];
	struct lkp_poke_entry e;
	struct lkp_transaction t;
	struct lkp_thaw th = { 0 };
	int stuck = -1;

	memcpy(orig, (void *)lkp_t_fn, sizeof(orig));
	e = (struct lkp_poke_entry){
		.addr = (uintptr_t)lkp_t_fn, .len = sizeof(ret2),
		.old_bytes = (uintptr_t)orig, .new_bytes = (uintptr_t)ret2,
	};
	ASSERT_EQ(0, lkp_target_read(self->wl.pid, (uintptr_t)lkp_t_fn, before, sizeof(before)));
	txn_init(&t, &e, 1, NULL, 0);
	t.flags = LKP_FREEZE_PARK_ALL;
	t.timeout_ms = 1;
	t.attempts = 3;
	ASSERT_EQ(-ETIMEDOUT, lkp_ioc(self->fd, LKP_IOC_TRANSACTION, &t));
	ASSERT_EQ(0, lkp_target_read(self->wl.pid, (uintptr_t)lkp_t_fn, after, sizeof(after)));
	EXPECT_EQ(0, memcmp(before, after, sizeof(before)));
	/* Nothing left frozen: the session is thawed, every thread runs. */
	EXPECT_EQ(-EBADFD, lkp_ioc(self->fd, LKP_IOC_THAW, &th));
	wl_snapshot(&self->wl, self->snap);
	ASSERT_EQ(0, wl_wait_all_moved(&self->wl, self->snap, 20000, &stuck))
		TH_LOG("thread %d still frozen", stuck);
}

TEST_HARNESS_MAIN
