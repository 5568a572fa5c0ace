/* SPDX-License-Identifier: GPL-2.0 */
/* workload.h: a child process with threads of chosen kinds, each counting its progress in shared memory. */
#ifndef LKP_TEST_WORKLOAD_H
#define LKP_TEST_WORKLOAD_H

#include <stdint.h>
#include <sys/types.h>

/*
 * What a workload thread does in its loop. Every pass bumps the thread's
 * counter; a call that fails with EINTR also bumps its eintr count.
 */
enum wl_kind {
	WL_SPIN,	/* user-mode loop, never enters the kernel */
	WL_NANOSLEEP,	/* nanosleep(sleep_ms) */
	WL_EPOLL,	/* epoll_wait() on an eventfd that never fires, sleep_ms */
	WL_SIGWAIT,	/* sigtimedwait() for a blocked signal, sleep_ms */
	WL_FUTEX,	/* FUTEX_WAIT on its own word, sleep_ms */
	WL_READ,	/* read() on its own pipe; wl_feed() writes to it */
	WL_CLONE,	/* creates a thread that bumps the counter, joins it */
	WL_NR_KINDS
};

/* One thread's slot in the shared page, one cache line each. */
struct wl_slot {
	volatile uint64_t counter;
	volatile uint64_t eintr;
	volatile int32_t tid;
	int32_t kind;
	int32_t pipe_wr;	/* WL_READ: the write end, valid in the parent */
	int32_t pad[9];
};

struct wl_shared {
	volatile uint32_t ready;	/* threads that have started, futex word */
	uint32_t nr_threads;
	volatile int32_t main_tid;
	volatile uint32_t go;		/* futex word: the threads start their loops */
	volatile uint32_t registered;	/* threads created, waiting for go */
	uint32_t pad[11];
	struct wl_slot slot[];
};

struct workload {
	pid_t pid;		/* the child; 0 when not running */
	unsigned int nr_threads;	/* worker threads, not counting main */
	unsigned int sleep_ms;	/* sleepers' timeout; set before wl_start() */
	struct wl_shared *shm;
	size_t shm_len;
};

/*
 * Starts a child with nr[k] threads of kind k (in kind order) plus its main
 * thread, which only waits. Returns once every thread has started and
 * recorded its tid, or -errno. The child dies with the caller.
 */
int wl_start(struct workload *wl, const unsigned int nr[WL_NR_KINDS]);

/* nr_threads threads: one spinner in spin_every, the rest sleepers of every kind. */
int wl_start_mix(struct workload *wl, unsigned int nr_threads, unsigned int spin_every);

static inline uint64_t wl_counter(const struct workload *wl, unsigned int i)
{
	return wl->shm->slot[i].counter;
}

static inline uint64_t wl_eintr(const struct workload *wl, unsigned int i)
{
	return wl->shm->slot[i].eintr;
}

static inline pid_t wl_tid(const struct workload *wl, unsigned int i)
{
	return wl->shm->slot[i].tid;
}

/*
 * Waits until every sleeper (not WL_SPIN, WL_CLONE) sleeps in the kernel,
 * as /proc/PID/task/TID/stat shows; 0 or -ETIMEDOUT.
 */
int wl_wait_asleep(const struct workload *wl, unsigned int timeout_ms);

/* The state letter of a thread in /proc/PID/task/TID/stat ('R', 'S', ...), or 0. */
char wl_task_state(pid_t pid, pid_t tid);

/* The sum of every thread's eintr count. */
uint64_t wl_total_eintr(const struct workload *wl);

/* Copies every counter into snap[nr_threads]. */
void wl_snapshot(const struct workload *wl, uint64_t *snap);

/* Index of the first thread whose counter differs from snap, or -1. */
int wl_first_moved(const struct workload *wl, const uint64_t *snap);

/* Writes a byte to every WL_READ thread's pipe; 0 or -errno. */
int wl_feed(struct workload *wl);

/*
 * Waits (busy, yielding) until every thread's counter differs from snap,
 * feeding the readers, for timeout_ms plus 10 ms per thread; 0, or
 * -ETIMEDOUT with *stuck the first that did not (its /proc state and
 * wait channel are printed as a TAP comment).
 */
int wl_wait_all_moved(struct workload *wl, const uint64_t *snap,
		      unsigned int timeout_ms, int *stuck);

/* Kills and reaps the child, frees everything; returns its wait status. */
int wl_stop(struct workload *wl);

#endif /* LKP_TEST_WORKLOAD_H */
