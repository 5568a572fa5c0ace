// SPDX-License-Identifier: GPL-2.0
/* call_test.c: LKP_IOC_CALL: every documented error, a running thread and a woken sleeper borrowed, avoided code respected (ip and stack, or ip only). */
#include "../kselftest_harness.h"
#include "lkp_target.h"

/*
 * The stub the tests run: counts one call in the target's memory, then
 * resumes the thread from the frame, as docs/uapi.md says a stub must:
 *
 *	movabs $COUNTER,%rax; lock incq (%rax)
 *	mov %rdi,%rsp; pop r15 .. rdi; popfq; ret $128
 */
static const uint8_t stub_code[] = {
	0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,	/* movabs $COUNTER, %rax */
	0xf0, 0x48, 0xff, 0x00,			/* lock incq (%rax) */
	LKP_STUB_RESUME,
};

FIXTURE(call) {
	struct lkp_target t;
	int fd;
	__u64 stub;		/* r-x, lkp's */
	__u64 data;		/* rw-, lkp's: the counter */
};

static int map(int fd, __u32 prot, __u64 *addr)
{
	struct lkp_map m = { .hint = 1ULL << 32, .len = 4096,
			     .max_distance = 1ULL << 40, .prot = prot };
	int ret = lkp_ioc(fd, LKP_IOC_MAP, &m);

	*addr = m.addr;
	return ret;
}

FIXTURE_SETUP(call)
{
	uint8_t code[sizeof(stub_code)];
	char path[64];
	int mem;

	ASSERT_EQ(0, lkp_target_start(&self->t));
	self->fd = lkp_open_session(self->t.pid);
	ASSERT_LE(0, self->fd) TH_LOG("attach: %s", strerror(-self->fd));
	ASSERT_EQ(0, map(self->fd, PROT_READ | PROT_EXEC, &self->stub));
	ASSERT_EQ(0, map(self->fd, PROT_READ | PROT_WRITE, &self->data));
	memcpy(code, stub_code, sizeof(code));
	memcpy(code + 2, &self->data, 8);
	snprintf(path, sizeof(path), "/proc/%d/mem", self->t.pid);
	mem = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, mem);
	ASSERT_EQ((ssize_t)sizeof(code), pwrite(mem, code, sizeof(code), self->stub));
	close(mem);
}

FIXTURE_TEARDOWN(call)
{
	close(self->fd);
	lkp_target_stop(&self->t);
}

static int call(int fd, struct lkp_call *c)
{
	return lkp_ioc(fd, LKP_IOC_CALL, c);
}

static struct lkp_call call_args(uint64_t stub, __u32 timeout_ms)
{
	struct lkp_call c;

	LKP_POISON(c);
	c.stub = stub;
	c.avoid = 0;
	c.nr_avoid = 0;
	c.flags = 0;
	c.timeout_ms = timeout_ms;
	c.max_stack = 0;
	c.nr_avoid_ip = 0;
	c.reserved = 0;
	return c;
}

/* The counter the stub increments, once it reaches @want (bounded wait); else its value. */
static uint64_t counter_reaches(pid_t pid, uint64_t at, uint64_t want)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 10000; i++) {
		if (lkp_target_read(pid, at, &v, sizeof(v)) || v >= want)
			break;
		lkp_sleep_ms(1);
	}
	return v;
}

TEST_F(call, einval)
{
	struct lkp_range r = { 1, 2 };
	struct lkp_call c;

	c = call_args(self->stub, 0);
	c.flags = 1;
	EXPECT_EQ(-EINVAL, call(self->fd, &c));
	c = call_args(self->stub, 0);
	c.reserved = 1;
	EXPECT_EQ(-EINVAL, call(self->fd, &c));
	c = call_args(0, 0);
	EXPECT_EQ(-EINVAL, call(self->fd, &c));
	c = call_args(self->stub, 0);
	c.avoid = (uintptr_t)&r;
	c.nr_avoid = LKP_MAX_RANGES + 1;
	EXPECT_EQ(-EINVAL, call(self->fd, &c));
	c = call_args(self->stub, 0);
	c.avoid = (uintptr_t)&r;
	c.nr_avoid = 1;
	c.nr_avoid_ip = LKP_MAX_RANGES;	/* together above the limit */
	EXPECT_EQ(-EINVAL, call(self->fd, &c));
	c = call_args(self->stub, 0);
	c.avoid = (uintptr_t)&r;
	c.nr_avoid_ip = LKP_MAX_RANGES + 1;
	EXPECT_EQ(-EINVAL, call(self->fd, &c));
	c = call_args(self->stub, 0);
	c.avoid = (uintptr_t)&r;	/* a pointer with no count */
	EXPECT_EQ(-EINVAL, call(self->fd, &c));
}

TEST_F(call, stub_not_lkps_executable_memory)
{
	struct lkp_call c;

	/* The target's own text: not memory lkp mapped. */
	c = call_args((uintptr_t)lkp_t_fn, 0);
	EXPECT_EQ(-ENOENT, call(self->fd, &c));
	/* lkp's, but not executable. */
	c = call_args(self->data, 0);
	EXPECT_EQ(-ENOENT, call(self->fd, &c));
	/* Just past the stub's page. */
	c = call_args(self->stub + 4096, 0);
	EXPECT_EQ(-ENOENT, call(self->fd, &c));
}

TEST_F(call, efault_avoid)
{
	struct lkp_call c = call_args(self->stub, 0);

	c.avoid = 8;
	c.nr_avoid = 1;
	EXPECT_EQ(-EFAULT, call(self->fd, &c));
	/* The ip-only ranges are read from there too. */
	c = call_args(self->stub, 0);
	c.avoid = 8;
	c.nr_avoid_ip = 1;
	EXPECT_EQ(-EFAULT, call(self->fd, &c));
}

TEST_F(call, ealready_while_frozen)
{
	struct lkp_call c = call_args(self->stub, 0);

	ASSERT_EQ(0, lkp_freeze(self->fd, 0, 0, NULL));
	EXPECT_EQ(-EALREADY, call(self->fd, &c));
	ASSERT_EQ(0, lkp_thaw(self->fd, NULL));
}

/* Its only thread sleeps in read() of a socket, which may say EINTR: never woken. */
TEST_F(call, etimedout_without_a_thread_to_borrow)
{
	struct lkp_call c = call_args(self->stub, 50);

	ASSERT_EQ(0, lkp_target_wait_in_read(self->t.pid));
	EXPECT_EQ(-ETIMEDOUT, call(self->fd, &c));
	EXPECT_LE(1, c.attempts);
	EXPECT_EQ(0, counter_reaches(self->t.pid, self->data, 0));
	EXPECT_EQ(1, lkp_target_call(&self->t, LKP_CMD_CALL));
}

TEST_F(call, esrch_after_exit)
{
	struct lkp_call c = call_args(self->stub, 0);
	int status;

	ASSERT_EQ(0, lkp_target_cmd(&self->t, LKP_CMD_QUIT));
	ASSERT_EQ(self->t.pid, waitpid(self->t.pid, &status, 0));
	self->t.pid = 0;
	/* The target is checked before the stub: its memory is gone too. */
	EXPECT_EQ(-ESRCH, call(self->fd, &c));
}

TEST_F(call, borrows_a_running_thread)
{
	struct lkp_call c = call_args(self->stub, 0);
	uint64_t spins;

	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_SPIN));
	ASSERT_EQ(0, lkp_target_wait_in_read(self->t.pid));
	ASSERT_EQ(0, call(self->fd, &c));
	EXPECT_EQ(self->t.shm->tid[LKP_T_SPIN], (pid_t)c.tid);
	EXPECT_LE(1, c.attempts);
	EXPECT_NE(0, c.frame);
	EXPECT_EQ(1, counter_reaches(self->t.pid, self->data, 1));
	/* It resumed where it was: it spins on, and the process answers. */
	spins = self->t.shm->spins;
	while (self->t.shm->spins == spins)
		sched_yield();
	EXPECT_EQ(1, lkp_target_call(&self->t, LKP_CMD_CALL));
	ASSERT_EQ(0, lkp_target_release(&self->t));
}

/*
 * A thread asleep in read() of a pipe is woken without a signal, runs the
 * stub, and reads on: an EINTR would make it _exit(91), and the release
 * below, which needs its byte read, would fail.
 */
TEST_F(call, wakes_a_sleeper_unseen)
{
	struct lkp_call c = call_args(self->stub, 0);

	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_DEEP));
	ASSERT_EQ(0, lkp_thread_wait_in_read(self->t.pid, self->t.shm->tid[LKP_T_DEEP]));
	ASSERT_EQ(0, lkp_target_wait_in_read(self->t.pid));
	ASSERT_EQ(0, call(self->fd, &c));
	EXPECT_EQ(self->t.shm->tid[LKP_T_DEEP], (pid_t)c.tid);
	EXPECT_EQ(1, counter_reaches(self->t.pid, self->data, 1));
	ASSERT_EQ(0, lkp_thread_wait_in_read(self->t.pid, self->t.shm->tid[LKP_T_DEEP]));
	/* Twice: the restarted read() is a read() like the first. */
	c = call_args(self->stub, 0);
	ASSERT_EQ(0, call(self->fd, &c));
	EXPECT_EQ(2, counter_reaches(self->t.pid, self->data, 2));
	ASSERT_EQ(0, lkp_target_release(&self->t));
	EXPECT_EQ(1, lkp_target_call(&self->t, LKP_CMD_CALL));
}

/* A thread in avoided code is never borrowed, however long it runs there. */
TEST_F(call, avoid_keeps_a_thread)
{
	struct lkp_call c = call_args(self->stub, 100);
	struct lkp_range r;
	size_t size = lkp_fn_size(lkp_t_spin);

	ASSERT_NE(0, size);
	r.start = (uintptr_t)lkp_t_spin;
	r.end = r.start + size;
	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_SPIN));
	ASSERT_EQ(0, lkp_target_wait_in_read(self->t.pid));
	c.avoid = (uintptr_t)&r;
	c.nr_avoid = 1;
	EXPECT_EQ(-ETIMEDOUT, call(self->fd, &c));
	EXPECT_EQ(0, counter_reaches(self->t.pid, self->data, 0));
	ASSERT_EQ(0, lkp_target_release(&self->t));
}

/* All of user space, for the ip-only ranges. */
static const struct lkp_range everywhere = { 4096, 1ULL << 47 };

/*
 * An ip-only range keeps a thread that runs there, wherever it would
 * parked, and no stack word is looked at: with no sleeper to wake, nothing
 * is borrowed.
 */
TEST_F(call, avoid_ip_keeps_a_running_thread)
{
	struct lkp_call c = call_args(self->stub, 100);

	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_SPIN));
	ASSERT_EQ(0, lkp_target_wait_in_read(self->t.pid));
	c.avoid = (uintptr_t)&everywhere;
	c.nr_avoid_ip = 1;
	EXPECT_EQ(-ETIMEDOUT, call(self->fd, &c));
	EXPECT_EQ(0, counter_reaches(self->t.pid, self->data, 0));
	ASSERT_EQ(0, lkp_target_release(&self->t));
}

/*
 * The same range spares a sleeper woken for the call, though its ip (the
 * read() in libc) lies in it: it stopped at a system call, not inside
 * whatever code the range holds. The spinner, preferred otherwise, is not
 * borrowed.
 */
TEST_F(call, avoid_ip_spares_a_woken_sleeper)
{
	struct lkp_call c = call_args(self->stub, 0);

	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_SPIN));
	ASSERT_EQ(0, lkp_target_thread(&self->t, LKP_T_DEEP));
	ASSERT_EQ(0, lkp_thread_wait_in_read(self->t.pid, self->t.shm->tid[LKP_T_DEEP]));
	ASSERT_EQ(0, lkp_target_wait_in_read(self->t.pid));
	c.avoid = (uintptr_t)&everywhere;
	c.nr_avoid_ip = 1;
	ASSERT_EQ(0, call(self->fd, &c));
	EXPECT_EQ(self->t.shm->tid[LKP_T_DEEP], (pid_t)c.tid);
	EXPECT_EQ(1, counter_reaches(self->t.pid, self->data, 1));
	ASSERT_EQ(0, lkp_thread_wait_in_read(self->t.pid, self->t.shm->tid[LKP_T_DEEP]));
	ASSERT_EQ(0, lkp_target_release(&self->t));
	EXPECT_EQ(1, lkp_target_call(&self->t, LKP_CMD_CALL));
}

TEST_HARNESS_MAIN
