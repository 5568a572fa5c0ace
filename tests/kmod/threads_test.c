// SPDX-License-Identifier: GPL-2.0
/* threads_test.c: LKP_IOC_GET_THREADS: tids, user registers and flags of the frozen threads. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "lkp_test.h"
#include "workload.h"

/* Two threads of every kind; the spinners are kicked and park. */
#define PER_KIND	2
#define NR_WORKERS	(PER_KIND * WL_CLONE)

static int get_threads(int sfd, struct lkp_thread *buf, unsigned int *count,
		       unsigned int size)
{
	struct lkp_threads t = {
		.threads = (uintptr_t)buf, .count = *count, .thread_size = size,
	};
	int ret = lkp_ioc(sfd, LKP_IOC_GET_THREADS, &t);

	*count = t.count;
	return ret;
}

/* Is addr inside a mapping of pid whose permissions contain perm ("x", "w")? */
static int in_mapping(pid_t pid, uint64_t addr, const char *perm)
{
	char path[64], line[512], perms[8];
	unsigned long lo, hi;
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3)
			continue;
		if (addr >= lo && addr < hi) {
			found = strstr(perms, perm) != NULL;
			break;
		}
	}
	fclose(f);
	return found;
}

/* The system calls a sleeper of each kind sits in (glibc may pick either). */
static int kind_syscall_ok(int kind, long nr)
{
	switch (kind) {
	case WL_NANOSLEEP:
		return nr == SYS_nanosleep || nr == SYS_clock_nanosleep;
	case WL_EPOLL:
		return nr == SYS_epoll_wait || nr == SYS_epoll_pwait;
	case WL_SIGWAIT:
		return nr == SYS_rt_sigtimedwait;
	case WL_FUTEX:
		return nr == SYS_futex;
	case WL_READ:
		return nr == SYS_read;
	}
	return 0;
}

FIXTURE(frozen) {
	struct workload wl;
	struct lkp_thread *buf;
	unsigned int nr;	/* workers + main */
	int sfd;
};

FIXTURE_SETUP(frozen)
{
	unsigned int nr[WL_NR_KINDS], k;
	struct lkp_freeze f;

	for (k = 0; k < WL_NR_KINDS; k++)
		nr[k] = k < WL_CLONE ? PER_KIND : 0;
	memset(&self->wl, 0, sizeof(self->wl));
	self->wl.sleep_ms = 10000;	/* sleepers stay asleep */
	ASSERT_EQ(0, wl_start(&self->wl, nr));
	self->nr = NR_WORKERS + 1;
	self->buf = calloc(self->nr + 8, sizeof(*self->buf));
	ASSERT_NE(NULL, self->buf);
	self->sfd = lkp_open_session(self->wl.pid);
	ASSERT_LE(0, self->sfd);
	ASSERT_EQ(0, wl_wait_asleep(&self->wl, 10000));
	ASSERT_EQ(0, lkp_freeze(self->sfd, 0, 0, &f));
	ASSERT_EQ(self->nr, f.nr_threads);
}

FIXTURE_TEARDOWN(frozen)
{
	close(self->sfd);
	wl_stop(&self->wl);
	free(self->buf);
}

/* The slot of tid in the workload, -1 for the main thread, -2 if unknown. */
static int slot_of(struct workload *wl, pid_t tid)
{
	unsigned int i;

	if (tid == wl->pid)
		return -1;
	for (i = 0; i < wl->nr_threads; i++)
		if (wl_tid(wl, i) == tid)
			return i;
	return -2;
}

TEST_F(frozen, tids_match_proc)
{
	unsigned int count = self->nr + 8, i, n = 0;
	char path[64];
	struct dirent *de;
	DIR *d;

	memset(self->buf, 0xcc, (self->nr + 8) * sizeof(*self->buf));
	ASSERT_EQ(0, get_threads(self->sfd, self->buf, &count, sizeof(*self->buf)));
	ASSERT_EQ(self->nr, count);
	/* The entries past count are untouched. */
	EXPECT_EQ(0xccccccccU, self->buf[count].tid);

	snprintf(path, sizeof(path), "/proc/%d/task", self->wl.pid);
	d = opendir(path);
	ASSERT_NE(NULL, d);
	while ((de = readdir(d))) {
		pid_t tid = atoi(de->d_name);

		if (tid <= 0)
			continue;
		n++;
		for (i = 0; i < count; i++)
			if (self->buf[i].tid == (__u32)tid)
				break;
		EXPECT_LT(i, count) TH_LOG("tid %d of /proc not reported", tid);
	}
	closedir(d);
	EXPECT_EQ(count, n);
	for (i = 0; i < count; i++)
		EXPECT_NE(-2, slot_of(&self->wl, self->buf[i].tid));
}

TEST_F(frozen, registers_and_flags)
{
	unsigned int count = self->nr, i;

	ASSERT_EQ(0, get_threads(self->sfd, self->buf, &count, sizeof(*self->buf)));
	ASSERT_EQ(self->nr, count);
	for (i = 0; i < count; i++) {
		struct lkp_thread *t = &self->buf[i];
		int slot = slot_of(&self->wl, t->tid);
		int kind = slot >= 0 ? self->wl.shm->slot[slot].kind : -1;

		EXPECT_TRUE(in_mapping(self->wl.pid, t->regs.ip, "x"))
			TH_LOG("tid %u: ip %llx not in executable memory", t->tid, t->regs.ip);
		EXPECT_TRUE(in_mapping(self->wl.pid, t->regs.sp, "w"))
			TH_LOG("tid %u: sp %llx not in writable memory", t->tid, t->regs.sp);
		EXPECT_TRUE(in_mapping(self->wl.pid, t->regs.fs_base, "w"))
			TH_LOG("tid %u: fs_base %llx is not its TLS", t->tid, t->regs.fs_base);
		EXPECT_EQ(0x33, t->regs.cs);
		EXPECT_EQ(0x2b, t->regs.ss);
		EXPECT_EQ(0, t->flags & ~(LKP_THREAD_IN_SYSCALL | LKP_THREAD_PARKED));
		if (kind == WL_SPIN) {
			/*
			 * Interrupted in user mode: parked after a kick, or
			 * preempted (off-CPU counts as frozen).
			 */
			EXPECT_EQ(0, t->flags & LKP_THREAD_IN_SYSCALL) TH_LOG("spinner %u", t->tid);
			EXPECT_EQ(-1, (long long)t->regs.orig_ax);
		} else if (kind > WL_SPIN) {
			/* Asleep in its system call: not woken, not parked. */
			EXPECT_EQ(LKP_THREAD_IN_SYSCALL, t->flags) TH_LOG("sleeper %u kind %d", t->tid, kind);
			EXPECT_TRUE(kind_syscall_ok(kind, t->regs.orig_ax))
				TH_LOG("tid %u kind %d in syscall %lld", t->tid, kind, t->regs.orig_ax);
		} else {
			/* The main thread waits in pause(). */
			EXPECT_EQ(LKP_THREAD_IN_SYSCALL, t->flags);
			EXPECT_EQ(SYS_pause, t->regs.orig_ax);
		}
	}
}

TEST_F(frozen, too_small_is_enospc_with_the_count)
{
	unsigned int count = 1;

	memset(self->buf, 0xcc, 2 * sizeof(*self->buf));
	ASSERT_EQ(-ENOSPC, get_threads(self->sfd, self->buf, &count, sizeof(*self->buf)));
	EXPECT_EQ(self->nr, count);
	EXPECT_NE(0xccccccccU, self->buf[0].tid);
	EXPECT_EQ(0xccccccccU, self->buf[1].tid);
	/* A size query. */
	count = 0;
	ASSERT_EQ(-ENOSPC, get_threads(self->sfd, NULL, &count, sizeof(*self->buf)));
	EXPECT_EQ(self->nr, count);
}

TEST_F(frozen, newer_thread_struct_gets_a_zeroed_tail)
{
	unsigned int size = sizeof(struct lkp_thread) + 16, count = self->nr, i;
	unsigned char *buf = malloc((size_t)size * count);

	ASSERT_NE(NULL, buf);
	memset(buf, 0xcc, (size_t)size * count);
	ASSERT_EQ(0, get_threads(self->sfd, (struct lkp_thread *)buf, &count, size));
	ASSERT_EQ(self->nr, count);
	for (i = 0; i < count; i++) {
		struct lkp_thread *t = (struct lkp_thread *)(buf + (size_t)i * size);
		unsigned char *tail = buf + (size_t)i * size + sizeof(*t);

		EXPECT_NE(-2, slot_of(&self->wl, t->tid));
		EXPECT_EQ(0, tail[0] | tail[15]);
	}
	free(buf);
}

TEST_F(frozen, validation)
{
	struct lkp_threads t = {
		.threads = (uintptr_t)self->buf, .count = self->nr,
		.thread_size = sizeof(struct lkp_thread),
	};
	unsigned int count = self->nr;
	void *ro;

	t.flags = 1;
	EXPECT_EQ(-EINVAL, lkp_ioc(self->sfd, LKP_IOC_GET_THREADS, &t));
	t.flags = 0;
	t.reserved = 1;
	EXPECT_EQ(-EINVAL, lkp_ioc(self->sfd, LKP_IOC_GET_THREADS, &t));
	t.reserved = 0;
	t.thread_size = sizeof(struct lkp_thread) - 8;
	EXPECT_EQ(-EINVAL, lkp_ioc(self->sfd, LKP_IOC_GET_THREADS, &t));
	t.thread_size = 0;
	EXPECT_EQ(-EINVAL, lkp_ioc(self->sfd, LKP_IOC_GET_THREADS, &t));
	t.thread_size = 4097;
	EXPECT_EQ(-EINVAL, lkp_ioc(self->sfd, LKP_IOC_GET_THREADS, &t));

	ro = mmap(NULL, 65536, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-EFAULT, get_threads(self->sfd, ro, &count, sizeof(struct lkp_thread)));
	count = self->nr;
	EXPECT_EQ(-EFAULT, get_threads(self->sfd, (void *)8, &count, sizeof(struct lkp_thread)));
	munmap(ro, 65536);

	/* Not frozen. */
	ASSERT_EQ(0, lkp_thaw(self->sfd, NULL));
	count = self->nr;
	EXPECT_EQ(-EBADFD, get_threads(self->sfd, self->buf, &count, sizeof(struct lkp_thread)));
}

/*
 * The state a parked thread settles in, within @timeout_ms: it counts as
 * parked once its work runs, a few instructions before it sleeps, and a
 * vCPU taken off in between (a loaded host) shows it running a while.
 * Any sleep it shows is its last one: a parked thread sleeps only there.
 */
static char parked_state(pid_t pid, pid_t tid, unsigned int timeout_ms)
{
	uint64_t deadline = lkp_now_ms() + timeout_ms;
	char st;

	while ((st = wl_task_state(pid, tid)) == 'R' && lkp_now_ms() < deadline)
		lkp_sleep_ms(1);
	return st;
}

/* With LKP_FREEZE_PARK_ALL every thread, sleepers too, is parked. */
TEST_F(frozen, park_all_parks_everyone)
{
	unsigned int count = self->nr, i;

	ASSERT_EQ(0, lkp_thaw(self->sfd, NULL));
	ASSERT_EQ(0, lkp_freeze(self->sfd, LKP_FREEZE_PARK_ALL, 0, NULL));
	ASSERT_EQ(0, get_threads(self->sfd, self->buf, &count, sizeof(*self->buf)));
	ASSERT_EQ(self->nr, count);
	for (i = 0; i < count; i++) {
		EXPECT_TRUE(self->buf[i].flags & LKP_THREAD_PARKED)
			TH_LOG("tid %u flags %x", self->buf[i].tid, self->buf[i].flags);
		/*
		 * 'I', idle: not counted in the load average, and not the
		 * plain uninterruptible sleep the hung-task detector checks.
		 */
		EXPECT_EQ('I', parked_state(self->wl.pid, self->buf[i].tid, 5000));
	}
}

TEST_HARNESS_MAIN
