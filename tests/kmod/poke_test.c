// SPDX-License-Identifier: GPL-2.0
/* poke_test.c: LKP_IOC_POKE: validation, all-or-nothing compare-and-write, copy-on-write scope, syscall ips, exec. */
#include <limits.h>
#include <poll.h>
#include <time.h>

#include "../kselftest_harness.h"
#include "lkp_target.h"

/* mov $2, %eax; ret: lkp_t_fn() then returns 2. */
static const unsigned char ret2[6] = { 0xb8, 0x02, 0x00, 0x00, 0x00, 0xc3 };

FIXTURE(pk) {
	struct lkp_target t;
	int fd;
};

FIXTURE_SETUP(pk)
{
	ASSERT_EQ(0, lkp_target_start(&self->t));
	self->fd = lkp_open_session(self->t.pid);
	ASSERT_LE(0, self->fd) TH_LOG("attach: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(pk)
{
	close(self->fd);
	lkp_target_stop(&self->t);
}

static int poke(int fd, struct lkp_poke_entry *e, __u32 nr, struct lkp_poke *p)
{
	LKP_POISON(*p);
	p->entries = (uintptr_t)e;
	p->nr_entries = nr;
	p->flags = 0;
	return lkp_ioc(fd, LKP_IOC_POKE, p);
}

static struct lkp_poke_entry entry(uint64_t addr, const void *old, const void *new,
				   __u32 len)
{
	struct lkp_poke_entry e = {
		.addr = addr, .len = len,
		.old_bytes = (uintptr_t)old, .new_bytes = (uintptr_t)new,
	};

	return e;
}

static bool blocker_is_zero(const struct lkp_blocker *b)
{
	static const struct lkp_blocker zero;

	return !memcmp(b, &zero, sizeof(zero));
}

/* The bytes of this binary's file at the address @p has in this process. */
static int file_bytes(const void *p, void *buf, size_t len)
{
	unsigned long start, end, off;
	char line[512], path[PATH_MAX];
	int ret = -ENOENT, fd;
	FILE *maps;

	maps = fopen("/proc/self/maps", "re");
	if (!maps)
		return -errno;
	while (fgets(line, sizeof(line), maps)) {
		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %4095s", &start, &end,
			   &off, path) != 4)
			continue;
		if ((uintptr_t)p < start || (uintptr_t)p >= end)
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			ret = -errno;
		else
			ret = pread(fd, buf, len, (uintptr_t)p - start + off) ==
				(ssize_t)len ? 0 : -EIO;
		close(fd);
		break;
	}
	fclose(maps);
	return ret;
}

TEST_F(pk, validation)
{
	unsigned char old[LKP_MAX_POKE + 1], new[LKP_MAX_POKE + 1];
	uint64_t fn = (uintptr_t)lkp_t_fn;
	struct lkp_poke_entry e;
	struct lkp_poke p;
	void *none;

	memcpy(old, (void *)lkp_t_fn, sizeof(ret2));
	memcpy(new, ret2, sizeof(ret2));
	e = entry(fn, old, new, sizeof(ret2));
	/* Not frozen. */
	ASSERT_EQ(-EBADFD, poke(self->fd, &e, 1, &p));

	ASSERT_EQ(0, lkp_freeze(self->fd, 0, 0, NULL));
	LKP_POISON(p);
	p.entries = (uintptr_t)&e;
	p.nr_entries = 1;
	p.flags = 1;
	ASSERT_EQ(-EINVAL, lkp_ioc(self->fd, LKP_IOC_POKE, &p));
	ASSERT_EQ(-EINVAL, poke(self->fd, &e, 0, &p));
	ASSERT_EQ(-EINVAL, poke(self->fd, &e, LKP_MAX_POKES + 1, &p));
	e.len = 0;
	ASSERT_EQ(-EINVAL, poke(self->fd, &e, 1, &p));
	e.len = LKP_MAX_POKE + 1;
	ASSERT_EQ(-EINVAL, poke(self->fd, &e, 1, &p));
	e.len = sizeof(ret2);
	e.reserved = 1;
	ASSERT_EQ(-EINVAL, poke(self->fd, &e, 1, &p));
	e.reserved = 0;
	e.addr = UINT64_MAX - 2;
	ASSERT_EQ(-EINVAL, poke(self->fd, &e, 1, &p));

	none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	ASSERT_EQ(-EFAULT, poke(self->fd, none, 1, &p));
	e = entry(fn, none, new, sizeof(ret2));
	ASSERT_EQ(-EFAULT, poke(self->fd, &e, 1, &p));
	e = entry(fn, old, NULL, sizeof(ret2));
	ASSERT_EQ(-EFAULT, poke(self->fd, &e, 1, &p));
	/* Addresses the target has not mapped (this page is only ours). */
	e = entry((uintptr_t)none, old, new, 1);
	ASSERT_EQ(-EFAULT, poke(self->fd, &e, 1, &p));
	e = entry(1ULL << 62, old, new, 1);
	ASSERT_EQ(-EFAULT, poke(self->fd, &e, 1, &p));
	munmap(none, 4096);

	/* A shared mapping of the target: the test's page it shares. */
	memcpy(old, self->t.shm, 8);
	e = entry((uintptr_t)self->t.shm, old, old, 8);
	ASSERT_EQ(-EPERM, poke(self->fd, &e, 1, &p));
	ASSERT_EQ(0, lkp_thaw(self->fd, NULL));
}

TEST_F(pk, wrong_old_bytes_write_nothing)
{
	unsigned char before[2][32], after[2][32], old1[8], new1[8];
	struct lkp_poke_entry e[2];
	struct lkp_poke p;

	ASSERT_EQ(0, lkp_target_read(self->t.pid, (uintptr_t)lkp_t_fn, before[0], 32));
	ASSERT_EQ(0, lkp_target_read(self->t.pid, (uintptr_t)lkp_t_pointee, before[1], 32));
	memcpy(old1, before[1], 8);
	old1[5] ^= 0xff;
	memset(new1, 0xcc, sizeof(new1));
	/* Entry 0 is right, entry 1 wrong at its 6th byte. */
	e[0] = entry((uintptr_t)lkp_t_fn, before[0], ret2, sizeof(ret2));
	e[1] = entry((uintptr_t)lkp_t_pointee, old1, new1, sizeof(old1));

	ASSERT_EQ(0, lkp_freeze(self->fd, 0, 0, NULL));
	ASSERT_EQ(-ESTALE, poke(self->fd, e, 2, &p));
	EXPECT_EQ(1, p.blocker.index);
	EXPECT_EQ((uintptr_t)lkp_t_pointee + 5, p.blocker.addr);
	EXPECT_EQ(LKP_BLOCKER_NONE, p.blocker.kind);
	EXPECT_EQ(0, p.blocker.tid);
	ASSERT_EQ(0, lkp_target_read(self->t.pid, (uintptr_t)lkp_t_fn, after[0], 32));
	ASSERT_EQ(0, lkp_target_read(self->t.pid, (uintptr_t)lkp_t_pointee, after[1], 32));
	EXPECT_EQ(0, memcmp(before, after, sizeof(before)));
	ASSERT_EQ(0, lkp_thaw(self->fd, NULL));
	EXPECT_EQ(1, lkp_target_call(&self->t, LKP_CMD_CALL));
}

TEST_F(pk, patch_changes_behaviour_in_target_and_forks_only)
{
	unsigned char orig[sizeof(ret2)], disk[sizeof(ret2)], mem[sizeof(ret2)];
	struct lkp_poke_entry e;
	struct lkp_poke p;

	memcpy(orig, (void *)lkp_t_fn, sizeof(orig));
	ASSERT_EQ(0, file_bytes(lkp_t_fn, disk, sizeof(disk)));
	ASSERT_EQ(0, memcmp(orig, disk, sizeof(disk)));
	ASSERT_EQ(1, lkp_target_call(&self->t, LKP_CMD_CALL));

	e = entry((uintptr_t)lkp_t_fn, orig, ret2, sizeof(ret2));
	ASSERT_EQ(0, lkp_freeze(self->fd, 0, 0, NULL));
	ASSERT_EQ(0, poke(self->fd, &e, 1, &p));
	EXPECT_TRUE(blocker_is_zero(&p.blocker));
	ASSERT_EQ(0, lkp_thaw(self->fd, NULL));

	ASSERT_EQ(0, lkp_target_read(self->t.pid, (uintptr_t)lkp_t_fn, mem, sizeof(mem)));
	EXPECT_EQ(0, memcmp(mem, ret2, sizeof(ret2)));
	EXPECT_EQ(2, lkp_target_call(&self->t, LKP_CMD_CALL));
	/* A child forked after the poke inherits the patched text. */
	EXPECT_EQ(2, lkp_target_call(&self->t, LKP_CMD_FORK));
	/* This process maps the same binary: untouched, as is the file. */
	EXPECT_EQ(0, memcmp((void *)lkp_t_fn, orig, sizeof(orig)));
	EXPECT_EQ(1, lkp_t_fn_ptr());
	ASSERT_EQ(0, file_bytes(lkp_t_fn, disk, sizeof(disk)));
	EXPECT_EQ(0, memcmp(orig, disk, sizeof(disk)));

	/* And back: the old bytes are now ret2. */
	e = entry((uintptr_t)lkp_t_fn, ret2, orig, sizeof(ret2));
	ASSERT_EQ(0, lkp_freeze(self->fd, 0, 0, NULL));
	ASSERT_EQ(0, poke(self->fd, &e, 1, &p));
	ASSERT_EQ(0, lkp_thaw(self->fd, NULL));
	EXPECT_EQ(1, lkp_target_call(&self->t, LKP_CMD_CALL));
}

/* A thread of the target parked inside a system call: its tid and ip. */
static int syscall_thread(int fd, __u32 *tid, __u64 *ip)
{
	struct lkp_thread th[8];
	struct lkp_threads ts = {
		.threads = (uintptr_t)th, .count = 8, .thread_size = sizeof(th[0]),
	};
	__u32 i;
	int ret;

	ret = lkp_ioc(fd, LKP_IOC_GET_THREADS, &ts);
	if (ret)
		return ret;
	for (i = 0; i < ts.count; i++) {
		if (th[i].flags & LKP_THREAD_IN_SYSCALL) {
			*tid = th[i].tid;
			*ip = th[i].regs.ip;
			return 0;
		}
	}
	return -ENOENT;
}

TEST_F(pk, never_writes_before_a_syscall_ip)
{
	unsigned char bytes[4];
	struct lkp_poke_entry e;
	struct lkp_poke p;
	__u32 tid;
	__u64 ip;

	/* The target's main thread waits in read() for the next command. */
	ASSERT_EQ(0, lkp_target_wait_in_read(self->t.pid));
	ASSERT_EQ(0, lkp_freeze(self->fd, 0, 0, NULL));
	ASSERT_EQ(0, syscall_thread(self->fd, &tid, &ip));
	ASSERT_EQ(0, lkp_target_read(self->t.pid, ip - 3, bytes, 4));
	EXPECT_EQ(0x0f, bytes[1]);	/* syscall */
	EXPECT_EQ(0x05, bytes[2]);

	/* Same bytes in and out: only the position is refused. */
	e = entry(ip - 2, &bytes[1], &bytes[1], 2);
	ASSERT_EQ(-EBUSY, poke(self->fd, &e, 1, &p));
	EXPECT_EQ(LKP_BLOCKER_SYSCALL_IP, p.blocker.kind);
	EXPECT_EQ(tid, p.blocker.tid);
	EXPECT_EQ(ip, p.blocker.addr);
	EXPECT_EQ(0, p.blocker.index);
	e = entry(ip - 1, &bytes[2], &bytes[2], 1);
	ASSERT_EQ(-EBUSY, poke(self->fd, &e, 1, &p));
	e = entry(ip - 3, &bytes[0], &bytes[0], 2);
	ASSERT_EQ(-EBUSY, poke(self->fd, &e, 1, &p));
	/* Just outside the two bytes is allowed. */
	e = entry(ip - 3, &bytes[0], &bytes[0], 1);
	ASSERT_EQ(0, poke(self->fd, &e, 1, &p));
	e = entry(ip, &bytes[3], &bytes[3], 1);
	ASSERT_EQ(0, poke(self->fd, &e, 1, &p));
	ASSERT_EQ(0, lkp_thaw(self->fd, NULL));
	EXPECT_EQ(1, lkp_target_call(&self->t, LKP_CMD_CALL));
}

/* The first executable mapping of @pid's main binary. */
static int first_text(pid_t pid, const char *exe, uint64_t *addr)
{
	char path[64], line[512], file[PATH_MAX], perms[8];
	unsigned long start;
	int ret = -ENOENT;
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = fopen(path, "re");
	if (!maps)
		return -errno;
	while (fgets(line, sizeof(line), maps)) {
		if (sscanf(line, "%lx-%*x %7s %*s %*s %*s %4095s", &start, perms,
			   file) == 3 && perms[2] == 'x' && !strcmp(file, exe)) {
			*addr = start;
			ret = 0;
			break;
		}
	}
	fclose(maps);
	return ret;
}

/* Wait (bounded) until @pid runs @exe with its text mapped: the exec is done. */
static int wait_exe(pid_t pid, const char *exe, uint64_t *text)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	for (i = 0; i < 20000; i++) {
		if (!first_text(pid, exe, text))
			return 0;
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

TEST_F(pk, exec_between_freeze_and_poke_is_esrch)
{
	static char fill[4096] __attribute__((aligned(4096))) = "exec-arg";
	unsigned char before[16], after[16], new[16];
	struct uffdio_copy copy = { 0 };
	struct uffd_msg msg;
	char truebin[PATH_MAX];
	struct lkp_poke_entry e;
	struct lkp_poke p;
	uint64_t text = 0;
	int uffd;

	ASSERT_NE(NULL, realpath("/bin/true", truebin));
	uffd = lkp_target_exec(&self->t);
	ASSERT_LE(0, uffd);
	/* The exec is now asleep in the kernel, on the missing argument page. */
	ASSERT_EQ(sizeof(msg), read(uffd, &msg, sizeof(msg)));
	ASSERT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);

	ASSERT_EQ(0, lkp_freeze(self->fd, 0, 0, NULL));
	copy.dst = msg.arg.pagefault.address & ~4095ULL;
	copy.src = (uintptr_t)fill;
	copy.len = 4096;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_COPY, &copy));
	/* The new image: its mm in place, then its text mapped. */
	ASSERT_EQ(0, wait_exe(self->t.pid, truebin, &text));

	/* Bytes the new image really has, so only the exec check can refuse. */
	ASSERT_EQ(0, lkp_target_read(self->t.pid, text, before, sizeof(before)));
	memset(new, 0xcc, sizeof(new));
	e = entry(text, before, new, sizeof(before));
	ASSERT_EQ(-ESRCH, poke(self->fd, &e, 1, &p));
	ASSERT_EQ(0, lkp_target_read(self->t.pid, text, after, sizeof(after)));
	EXPECT_EQ(0, memcmp(before, after, sizeof(before)));
	close(uffd);
}

TEST_HARNESS_MAIN
