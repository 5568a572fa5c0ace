// SPDX-License-Identifier: GPL-2.0
/* target.c: the process the freeze benchmark freezes: N threads, half spinning, half asleep. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* Small stacks: 4000 threads must fit in the VM's 2 GiB. */
#define BENCH_STACK_SIZE	(64 * 1024)

/*
 * Never called: only patched. Long enough (more than the 5 bytes of a
 * jmp rel32) whatever the optimiser does with them.
 */
__attribute__((noinline, noclone, used, aligned(16))) int bench_site_a(int x)
{
	asm volatile("" : "+r"(x));
	return (x * 7 + (x >> 3)) ^ 0x5a5a;
}

__attribute__((noinline, noclone, used, aligned(16))) int bench_site_b(int x)
{
	asm volatile("" : "+r"(x));
	return (x * 7 + (x >> 3)) ^ 0x5a5a;
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The child's side: only async-signal-safe habits (no stdio) after fork. */
static struct bench_shared *child_shared;
static pthread_barrier_t child_barrier;

static __attribute__((noreturn)) void bench_role(unsigned int i)
{
	struct timespec ts = { .tv_sec = 3600 };
	uint64_t n = 0;

	if (i % 2 == 0) {
		for (;;)
			__atomic_store_n(&child_shared->counter[i].count, ++n,
					 __ATOMIC_RELAXED);
	}
	for (;;) {
		if (i % 4 == 1)
			nanosleep(&ts, NULL);
		else
			syscall(SYS_futex, &child_shared->futex_word,
				FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	}
}

static void *bench_thread(void *arg)
{
	unsigned int i = (unsigned int)(uintptr_t)arg;

	pthread_barrier_wait(&child_barrier);
	bench_role(i);
}

static void bench_child(unsigned int nr_threads, pid_t parent, int go_fd,
			int ready_fd)
{
	pthread_attr_t attr;
	pthread_t thread;
	unsigned int i;
	char byte;
	int err;

	/* Never outlive the benchmark, even when it is killed. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(1);
	/* Wait until the benchmark has moved us into our cgroup. */
	if (read(go_fd, &byte, 1) != 1)
		_exit(1);

	err = pthread_barrier_init(&child_barrier, NULL, nr_threads);
	if (!err)
		err = pthread_attr_init(&attr);
	if (!err)
		err = pthread_attr_setstacksize(&attr, BENCH_STACK_SIZE);
	for (i = 1; !err && i < nr_threads; i++)
		err = pthread_create(&thread, &attr, bench_thread,
				     (void *)(uintptr_t)i);
	if (write(ready_fd, &err, sizeof(err)) != sizeof(err) || err)
		_exit(1);
	close(ready_fd);
	pthread_barrier_wait(&child_barrier);
	bench_role(0);
}

static void bench_close_pair(int fds[2])
{
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
}

static int bench_target_fail(struct bench_target *t, const char *what, int err)
{
	fprintf(stderr, "freeze_bench: target of %u threads: %s: %s\n",
		t->nr_threads, what, strerror(-err));
	bench_target_stop(t);
	return err;
}

/* Moves the (still single-threaded) child into the cgroup. */
static int bench_target_move(const struct bench_target *t)
{
	char path[PATH_MAX];
	int fd, len, err = 0;
	char pid[16];

	snprintf(path, sizeof(path), "%s/cgroup.procs", t->cgroup);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(pid, sizeof(pid), "%d", t->pid);
	if (write(fd, pid, len) != len)
		err = -errno;
	close(fd);
	return err;
}

int bench_target_start(struct bench_target *t, unsigned int nr_threads,
		       const char *cgroup)
{
	int go[2] = { -1, -1 }, ready[2] = { -1, -1 };
	pid_t self = getpid();
	int err, child_err;
	const char *what;
	ssize_t n;

	memset(t, 0, sizeof(*t));
	t->nr_threads = nr_threads;
	t->cgroup = cgroup;
	t->shared_size = sizeof(*t->shared) +
			 nr_threads * sizeof(t->shared->counter[0]);
	t->shared = mmap(NULL, t->shared_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t->shared == MAP_FAILED) {
		t->shared = NULL;
		return bench_target_fail(t, "cannot map the counters", -errno);
	}
	t->shared->nr_threads = nr_threads;
	child_shared = t->shared;

	if (pipe2(go, O_CLOEXEC) || pipe2(ready, O_CLOEXEC)) {
		err = -errno;
		what = "cannot create pipes";
		goto fail;
	}
	fflush(NULL);
	t->pid = fork();
	if (t->pid < 0) {
		err = -errno;
		t->pid = 0;
		what = "cannot fork";
		goto fail;
	}
	if (t->pid == 0) {
		close(go[1]);
		close(ready[0]);
		bench_child(nr_threads, self, go[0], ready[1]);
	}
	close(go[0]);
	close(ready[1]);
	go[0] = ready[1] = -1;

	if (cgroup) {
		err = bench_target_move(t);
		what = "cannot move it into its cgroup";
		if (err)
			goto fail;
	}
	if (write(go[1], "g", 1) != 1) {
		err = -errno;
		what = "cannot start it";
		goto fail;
	}
	n = read(ready[0], &child_err, sizeof(child_err));
	err = n != sizeof(child_err) ? -ECHILD : -child_err;
	what = n != sizeof(child_err) ? "it died while starting" :
					"cannot create its threads";
	if (err)
		goto fail;
	bench_close_pair(go);
	bench_close_pair(ready);
	return 0;

fail:
	bench_close_pair(go);
	bench_close_pair(ready);
	return bench_target_fail(t, what, err);
}

void bench_target_stop(struct bench_target *t)
{
	if (t->pid > 0) {
		kill(t->pid, SIGKILL);
		while (waitpid(t->pid, NULL, 0) < 0 && errno == EINTR)
			;
		t->pid = 0;
	}
	if (t->shared) {
		munmap(t->shared, t->shared_size);
		t->shared = NULL;
	}
}

/* The sum of the spinners' counters: it moves exactly when a spinner runs. */
uint64_t bench_target_progress(const struct bench_target *t)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < t->nr_threads; i += 2)
		sum += __atomic_load_n(&t->shared->counter[i].count,
				       __ATOMIC_RELAXED);
	return sum;
}
