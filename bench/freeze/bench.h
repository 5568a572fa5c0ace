/* SPDX-License-Identifier: GPL-2.0 */
/* bench.h: the freeze benchmark's target process and the interface every freeze method implements. */
#ifndef LKP_BENCH_H
#define LKP_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * One spinning thread's counter, alone on its cache line so that the
 * spinners do not slow each other down through false sharing.
 */
struct bench_counter {
	uint64_t count;
	char pad[56];
};

/*
 * Shared between the benchmark and its target (MAP_SHARED, set up before
 * fork): the benchmark reads the spinners' counters to check that a method
 * really froze the target and that a thaw really released it.
 */
struct bench_shared {
	uint32_t futex_word;		/* futex sleepers wait on it; never changes */
	uint32_t nr_threads;
	struct bench_counter counter[];	/* one per thread; spinners use theirs */
};

/*
 * The target: a child process with nr_threads threads (its main thread
 * included). Even-numbered threads spin, odd ones sleep, alternately in
 * nanosleep and in futex_wait. It is created once per thread count and
 * reused by every method and every run.
 */
struct bench_target {
	pid_t pid;
	unsigned int nr_threads;
	struct bench_shared *shared;
	size_t shared_size;
	const char *cgroup;		/* its own cgroup v2 directory, or NULL */
};

int bench_target_start(struct bench_target *t, unsigned int nr_threads,
		       const char *cgroup);
void bench_target_stop(struct bench_target *t);
uint64_t bench_target_progress(const struct bench_target *t);

/*
 * Two functions of the target that no thread ever calls: the lkp
 * transaction benchmark patches the entry of the first with a jump to the
 * second, and back.
 */
int bench_site_a(int x);
int bench_site_b(int x);

/*
 * A way to freeze and thaw the target. attach() prepares (and may refuse,
 * returning -errno after printing why: the method is then skipped); freeze()
 * returns once every thread is stopped, thaw() once every thread is released.
 * All return 0 or -errno; the untimed attach and detach bracket every run
 * on one target.
 */
struct bench_method {
	const char *name;
	int (*attach)(const struct bench_method *m,
		      const struct bench_target *t, void **state);
	int (*freeze)(void *state);
	int (*thaw)(void *state);
	/* Optional: one line on what the method saw itself, after the runs. */
	void (*note)(void *state, char *buf, size_t size);
	void (*detach)(void *state);
};

extern const struct bench_method bench_lkp;
extern const struct bench_method bench_lkp_park_all;
extern const struct bench_method bench_ptrace;
extern const struct bench_method bench_sigstop;
extern const struct bench_method bench_cgroup;
extern const struct bench_method bench_lkp_transaction_method;

/*
 * One LKP_IOC_TRANSACTION on an attached lkp state: compare @len bytes at
 * @addr with @old and write @new, with a stack check of [addr, addr + len);
 * *pause_ns is the pause the target saw.
 */
int bench_lkp_transaction(void *state, uint64_t addr, const void *old,
			  const void *new, uint32_t len, uint64_t *pause_ns);

/*
 * A fresh cgroup v2 directory for the target, below our own cgroup in the
 * hierarchy mounted at @mount (NULL: the first cgroup2 mount found).
 */
int bench_cgroup_create(char *path, size_t size, const char *mount);
void bench_cgroup_remove(const char *path);

/* Monotonic time in nanoseconds. */
uint64_t bench_now_ns(void);

/* The median of @n samples in nanoseconds (sorts them), in milliseconds. */
double bench_median_ms(uint64_t *ns, unsigned int n);

#endif /* LKP_BENCH_H */
