// SPDX-License-Identifier: GPL-2.0
/* stack_test.c: LKP_IOC_STACK_CHECK: validation, ip and return-address blockers, function pointers, own stacks. */
#include "../kselftest_harness.h"
#include "lkp_target.h"

FIXTURE(stk) {
	struct lkp_target t;
	int fd;
};

FIXTURE_SETUP(stk)
{
	ASSERT_EQ(0, lkp_target_start(&self->t));
	self->fd = lkp_open_session(self->t.pid);
	ASSERT_LE(0, self->fd) TH_LOG("attach: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(stk)
{
	close(self->fd);
	lkp_target_stop(&self->t);
}

/* Run a stack check with the blocker poisoned; 0 or -errno. */
static int check(int fd, struct lkp_range *ranges, __u32 nr, __u32 max_stack,
		 struct lkp_stack_check *sc)
{
	LKP_POISON(*sc);
	sc->ranges = (uintptr_t)ranges;
	sc->nr_ranges = nr;
	sc->flags = 0;
	sc->max_stack = max_stack;
	sc->reserved = 0;
	return lkp_ioc(fd, LKP_IOC_STACK_CHECK, sc);
}

static struct lkp_range fn_range(const void *fn)
{
	struct lkp_range r = { (uintptr_t)fn, (uintptr_t)fn + lkp_fn_size(fn) };

	return r;
}

static bool blocker_is_zero(const struct lkp_blocker *b)
{
	static const struct lkp_blocker zero;

	return !memcmp(b, &zero, sizeof(zero));
}

TEST_F(stk, validation)
{
	struct lkp_range r = fn_range(lkp_t_fn), bad = { 0x2000, 0x2000 };
	struct lkp_stack_check sc;
	void *none;

	ASSERT_NE(0, r.end - r.start) TH_LOG("no symbol size: link with -rdynamic");
	/* Not frozen. */
	ASSERT_EQ(-EBADFD, check(self->fd, &r, 1, 0, &sc));

	ASSERT_EQ(0, lkp_freeze(self->fd, 0, 0, NULL));
	ASSERT_EQ(-EINVAL, check(self->fd, &r, 0, 0, &sc));
	ASSERT_EQ(-EINVAL, check(self->fd, &r, LKP_MAX_RANGES + 1, 0, &sc));
	ASSERT_EQ(-EINVAL, check(self->fd, &bad, 1, 0, &sc));
	bad.end = bad.start - 1;
	ASSERT_EQ(-EINVAL, check(self->fd, &bad, 1, 0, &sc));

	LKP_POISON(sc);
	sc.ranges = (uintptr_t)&r;
	sc.nr_ranges = 1;
	sc.flags = 1;
	sc.max_stack = 0;
	sc.reserved = 0;
	ASSERT_EQ(-EINVAL, lkp_ioc(self->fd, LKP_IOC_STACK_CHECK, &sc));
	sc.flags = 0;
	sc.reserved = 1;
	ASSERT_EQ(-EINVAL, lkp_ioc(self->fd, LKP_IOC_STACK_CHECK, &sc));

	none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	ASSERT_EQ(-EFAULT, check(self->fd, none, 1, 0, &sc));
	ASSERT_EQ(-EFAULT, check(self->fd, NULL, 1, 0, &sc));
	munmap(none, 4096);

	/* A valid check of a function nobody runs passes. */
	ASSERT_EQ(0, check(self->fd, &r, 1, 0, &sc));
	EXPECT_TRUE(blocker_is_zero(&sc.blocker));
	ASSERT_EQ(0, lkp_thaw(self->fd, NULL));
	/* Thawed again: EBADFD again. */
	ASSERT_EQ(-EBADFD, check(self->fd, &r, 1, 0, &sc));
}

TEST_F(stk, target_gone_is_esrch)
{
	struct lkp_range r = fn_range(lkp_t_fn);
	struct lkp_stack_check sc;
	int status;

	ASSERT_EQ(0, lkp_freeze(self->fd, 0, 0, NULL));
	/* SIGKILL still kills a frozen target. */
	kill(self->t.pid, SIGKILL);
	ASSERT_EQ(self->t.pid, waitpid(self->t.pid, &status, 0));
	self->t.pid = 0;
	ASSERT_EQ(-ESRCH, check(self->fd, &r, 1, 0, &sc));
}

TEST_F(stk, finds_return_address_fifty_frames_deep)
{
	struct lkp_range r[3] = {
		fn_range(lkp_t_fn), fn_range(lkp_t_deep_root), fn_range(lkp_t_pointee),
	};
	struct lkp_stack_check sc;
	struct lkp_tshm *shm = self->t.shm;

	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_DEEP));
	ASSERT_EQ(0, lkp_freeze(self->fd, 0, 0, NULL));
	ASSERT_EQ(-EBUSY, check(self->fd, r, 3, 0, &sc));
	EXPECT_EQ(LKP_BLOCKER_RETADDR, sc.blocker.kind);
	EXPECT_EQ(shm->tid[LKP_T_DEEP], sc.blocker.tid);
	EXPECT_EQ(1, sc.blocker.index);
	EXPECT_EQ(shm->deep_ret, sc.blocker.addr);
	/* Found in lkp_t_deep_root's caller-facing slot: between the frames. */
	EXPECT_LT(shm->deep_sp_lo, sc.blocker.stack_addr);
	EXPECT_GT(shm->deep_sp_hi, sc.blocker.stack_addr);
	EXPECT_GT(sc.blocker.stack_addr - shm->deep_sp_lo, LKP_DEEP_FRAMES * 16);
	EXPECT_EQ(0, sc.blocker.reserved);

	/* A scan bounded to less than the 50 frames does not get there. */
	ASSERT_EQ(0, check(self->fd, &r[1], 1, 512, &sc));
	EXPECT_TRUE(blocker_is_zero(&sc.blocker));

	ASSERT_EQ(0, lkp_thaw(self->fd, NULL));
	ASSERT_EQ(0, lkp_target_release(&self->t));
	/* The thread left: the same check passes. */
	ASSERT_EQ(0, lkp_freeze(self->fd, 0, 0, NULL));
	ASSERT_EQ(0, check(self->fd, r, 3, 0, &sc));
	ASSERT_EQ(0, lkp_thaw(self->fd, NULL));
}

TEST_F(stk, overlapping_ranges_are_all_searched)
{
	uint64_t root = (uintptr_t)lkp_t_deep_root;
	struct lkp_range r[2] = {
		/* Starts lower and covers the return address ... */
		{ root, root + lkp_fn_size(lkp_t_deep_root) },
		/* ... while the range starting closest below it does not. */
		{ root + 1, root + 2 },
	};
	struct lkp_stack_check sc;

	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_DEEP));
	ASSERT_LT(root + 2, self->t.shm->deep_ret);
	ASSERT_EQ(0, lkp_freeze(self->fd, 0, 0, NULL));
	ASSERT_EQ(-EBUSY, check(self->fd, r, 2, 0, &sc));
	EXPECT_EQ(LKP_BLOCKER_RETADDR, sc.blocker.kind);
	EXPECT_EQ(0, sc.blocker.index);
	EXPECT_EQ(self->t.shm->deep_ret, sc.blocker.addr);
	ASSERT_EQ(0, lkp_thaw(self->fd, NULL));
	ASSERT_EQ(0, lkp_target_release(&self->t));
}

TEST_F(stk, passes_when_function_is_on_no_stack)
{
	struct lkp_range r[2] = { fn_range(lkp_t_fn), fn_range(lkp_t_spin) };
	struct lkp_stack_check sc;

	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_DEEP));
	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_FPTR));
	ASSERT_EQ(0, lkp_freeze(self->fd, 0, 0, NULL));
	ASSERT_EQ(0, check(self->fd, r, 2, 0, &sc));
	EXPECT_TRUE(blocker_is_zero(&sc.blocker));
	ASSERT_EQ(0, lkp_thaw(self->fd, NULL));
	ASSERT_EQ(0, lkp_target_release(&self->t));
}

TEST_F(stk, function_pointer_is_not_a_blocker)
{
	struct lkp_range r = fn_range(lkp_t_pointee);
	struct lkp_stack_check sc;

	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_FPTR));
	ASSERT_EQ(0, lkp_freeze(self->fd, 0, 0, NULL));
	ASSERT_EQ(0, check(self->fd, &r, 1, 0, &sc));
	EXPECT_TRUE(blocker_is_zero(&sc.blocker));
	/* The pointer is there: a range starting one byte lower catches it. */
	r.start--;
	ASSERT_EQ(-EBUSY, check(self->fd, &r, 1, 0, &sc));
	EXPECT_EQ(LKP_BLOCKER_RETADDR, sc.blocker.kind);
	EXPECT_EQ((uintptr_t)lkp_t_pointee, sc.blocker.addr);
	EXPECT_EQ(self->t.shm->tid[LKP_T_FPTR], sc.blocker.tid);
	ASSERT_EQ(0, lkp_thaw(self->fd, NULL));
	ASSERT_EQ(0, lkp_target_release(&self->t));
}

TEST_F(stk, ip_inside_a_range_is_a_blocker)
{
	struct lkp_range r[2] = { fn_range(lkp_t_fn), fn_range(lkp_t_spin) };
	struct lkp_stack_check sc;

	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_SPIN));
	ASSERT_EQ(0, lkp_freeze(self->fd, 0, 0, NULL));
	ASSERT_EQ(-EBUSY, check(self->fd, r, 2, 0, &sc));
	EXPECT_EQ(LKP_BLOCKER_IP, sc.blocker.kind);
	EXPECT_EQ(1, sc.blocker.index);
	EXPECT_EQ(self->t.shm->tid[LKP_T_SPIN], sc.blocker.tid);
	EXPECT_LE(r[1].start, sc.blocker.addr);
	EXPECT_GT(r[1].end, sc.blocker.addr);
	EXPECT_EQ(0, sc.blocker.stack_addr);
	ASSERT_EQ(0, lkp_thaw(self->fd, NULL));
	ASSERT_EQ(0, lkp_target_release(&self->t));
}

TEST_F(stk, thread_on_its_own_stack_is_scanned)
{
	struct lkp_range r = fn_range(lkp_t_coro_fn);
	struct lkp_tshm *shm = self->t.shm;
	struct lkp_stack_check sc;

	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_CORO));
	ASSERT_EQ(0, lkp_freeze(self->fd, 0, 0, NULL));
	ASSERT_EQ(-EBUSY, check(self->fd, &r, 1, 0, &sc));
	EXPECT_EQ(LKP_BLOCKER_RETADDR, sc.blocker.kind);
	EXPECT_EQ(shm->tid[LKP_T_CORO], sc.blocker.tid);
	/* Found on the coroutine's mmap'd stack, not on a [stack] VMA. */
	EXPECT_LE(shm->coro_stack, sc.blocker.stack_addr);
	EXPECT_GT(shm->coro_stack + shm->coro_stack_len, sc.blocker.stack_addr);
	ASSERT_EQ(0, lkp_thaw(self->fd, NULL));
	ASSERT_EQ(0, lkp_target_release(&self->t));
}

TEST_HARNESS_MAIN
