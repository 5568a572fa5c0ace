// SPDX-License-Identifier: GPL-2.0
/* workload.c: the test workload: a child process whose threads sleep or spin in known ways and count their progress. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "workload.h"

#define WL_STACK_SIZE	(64 * 1024)
#define WL_START_TIMEOUT_MS	120000

/* Child side: the only state the worker threads share, set after fork. */
struct wl_child {
	struct wl_shared *shm;
	unsigned int sleep_ms;
	int epfd;
	int *read_fd;		/* per slot, WL_READ only */
	pthread_attr_t attr;
};

static struct wl_child wl_child;

static long wl_futex(volatile uint32_t *uaddr, int op, uint32_t val,
		     const struct timespec *ts)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

static uint64_t wl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static struct timespec wl_ts(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	return ts;
}

static void wl_ready(struct wl_slot *s)
{
	struct wl_shared *shm = wl_child.shm;

	s->tid = syscall(SYS_gettid);
	__atomic_fetch_add(&shm->registered, 1, __ATOMIC_SEQ_CST);
	wl_futex(&shm->registered, FUTEX_WAKE, INT_MAX, NULL);
	/* Spinners would starve the main thread still creating the others. */
	while (!shm->go)
		wl_futex(&shm->go, FUTEX_WAIT, 0, NULL);
	__atomic_fetch_add(&shm->ready, 1, __ATOMIC_SEQ_CST);
	wl_futex(&shm->ready, FUTEX_WAKE, INT_MAX, NULL);
}

static void wl_count(struct wl_slot *s, int ret)
{
	if (ret < 0 && errno == EINTR)
		__atomic_fetch_add(&s->eintr, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->counter, 1, __ATOMIC_RELAXED);
}

static void *wl_bump(void *arg)
{
	struct wl_slot *s = arg;

	__atomic_fetch_add(&s->counter, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void *wl_thread(void *arg)
{
	struct wl_slot *s = arg;
	unsigned int idx = s - wl_child.shm->slot;
	struct timespec ts = wl_ts(wl_child.sleep_ms);
	volatile uint32_t *word = (volatile uint32_t *)&s->pad[0];
	struct epoll_event ev;
	sigset_t set;
	pthread_t t;
	char c;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	wl_ready(s);
	for (;;) {
		switch (s->kind) {
		case WL_SPIN:
			s->counter++;
			break;
		case WL_NANOSLEEP:
			wl_count(s, nanosleep(&ts, NULL));
			break;
		case WL_EPOLL:
			wl_count(s, epoll_wait(wl_child.epfd, &ev, 1, wl_child.sleep_ms));
			break;
		case WL_SIGWAIT:
			wl_count(s, sigtimedwait(&set, NULL, &ts));
			break;
		case WL_FUTEX:
			wl_count(s, wl_futex(word, FUTEX_WAIT_PRIVATE, 0, &ts));
			break;
		case WL_READ:
			wl_count(s, read(wl_child.read_fd[idx], &c, 1));
			break;
		case WL_CLONE:
			if (!pthread_create(&t, &wl_child.attr, wl_bump, s))
				pthread_join(t, NULL);
			break;
		}
	}
	return NULL;
}

/* The child's main: start every thread, say so, then wait to be killed. */
static void wl_child_main(struct workload *wl, pid_t parent)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct wl_shared *shm = wl->shm;
	sigset_t set;
	unsigned int i;
	pthread_t t;
	int efd;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(1);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	wl_child.shm = shm;
	wl_child.sleep_ms = wl->sleep_ms;
	efd = eventfd(0, EFD_CLOEXEC);
	wl_child.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (efd < 0 || wl_child.epfd < 0 ||
	    epoll_ctl(wl_child.epfd, EPOLL_CTL_ADD, efd, &ev))
		_exit(1);
	if (pthread_attr_init(&wl_child.attr) ||
	    pthread_attr_setstacksize(&wl_child.attr, WL_STACK_SIZE) ||
	    pthread_attr_setdetachstate(&wl_child.attr, PTHREAD_CREATE_JOINABLE))
		_exit(1);
	for (i = 0; i < wl->nr_threads; i++)
		if (pthread_create(&t, &wl_child.attr, wl_thread, &shm->slot[i]))
			_exit(1);
	for (;;) {
		uint32_t r = shm->registered;

		if (r >= wl->nr_threads)
			break;
		wl_futex(&shm->registered, FUTEX_WAIT, r, NULL);
	}
	shm->main_tid = getpid();
	__atomic_store_n(&shm->go, 1, __ATOMIC_SEQ_CST);
	wl_futex(&shm->go, FUTEX_WAKE, INT_MAX, NULL);
	__atomic_fetch_add(&shm->ready, 1, __ATOMIC_SEQ_CST);
	wl_futex(&shm->ready, FUTEX_WAKE, INT_MAX, NULL);
	for (;;)
		pause();
}

/* Enough descriptors for one pipe per reader. */
static int wl_raise_nofile(unsigned int need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -errno;
	if (rl.rlim_cur >= need + 64)
		return 0;
	rl.rlim_cur = need + 64;
	if (rl.rlim_max < rl.rlim_cur)
		rl.rlim_max = rl.rlim_cur;
	return setrlimit(RLIMIT_NOFILE, &rl) ? -errno : 0;
}

/* The system call the main thread of @pid is blocked in, from /proc; -1 if none. */
static long wl_main_syscall(pid_t pid)
{
	char path[64], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0 || buf[0] < '0' || buf[0] > '9')
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

static int wl_wait_ready(struct workload *wl)
{
	uint64_t deadline = wl_now_ms() + WL_START_TIMEOUT_MS;
	struct timespec ts = wl_ts(100), nap = wl_ts(1);
	unsigned int i;
	uint32_t r;
	int status;

	while ((r = wl->shm->ready) < wl->nr_threads + 1) {
		if (waitpid(wl->pid, &status, WNOHANG) == wl->pid) {
			wl->pid = 0;
			return -ECHILD;
		}
		if (wl_now_ms() > deadline)
			return -ETIMEDOUT;
		wl_futex(&wl->shm->ready, FUTEX_WAIT, r, &ts);
	}
	/*
	 * A spinner counts itself ready and then still makes one FUTEX_WAKE
	 * call before its loop: a freeze right now could catch it inside that
	 * system call. Ready means in the loop, which its first bump shows.
	 */
	for (i = 0; i < wl->nr_threads; i++) {
		while (wl->shm->slot[i].kind == WL_SPIN && !wl_counter(wl, i)) {
			if (wl_now_ms() > deadline)
				return -ETIMEDOUT;
			nanosleep(&nap, NULL);
		}
	}
	/* Likewise the main thread, until the kernel shows it blocked in pause(). */
	while (wl_main_syscall(wl->pid) != SYS_pause) {
		if (wl_now_ms() > deadline)
			return -ETIMEDOUT;
		nanosleep(&nap, NULL);
	}
	return 0;
}

int wl_start(struct workload *wl, const unsigned int nr[WL_NR_KINDS])
{
	unsigned int i, k, n = 0, readers;
	pid_t parent = getpid();
	int ret, fds[2];

	for (k = 0; k < WL_NR_KINDS; k++)
		n += nr[k];
	readers = nr[WL_READ];
	if (!wl->sleep_ms)
		wl->sleep_ms = 50;
	wl->nr_threads = n;
	wl->pid = 0;
	wl->shm_len = sizeof(*wl->shm) + n * sizeof(struct wl_slot);
	wl->shm = mmap(NULL, wl->shm_len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (wl->shm == MAP_FAILED)
		return -errno;
	wl->shm->nr_threads = n;
	ret = wl_raise_nofile(2 * readers);
	if (ret)
		goto unmap;
	wl_child.read_fd = calloc(n ? n : 1, sizeof(int));
	if (!wl_child.read_fd) {
		ret = -ENOMEM;
		goto unmap;
	}
	for (i = 0, k = 0; k < WL_NR_KINDS; k++) {
		unsigned int j;

		for (j = 0; j < nr[k]; j++, i++) {
			struct wl_slot *s = &wl->shm->slot[i];

			s->kind = k;
			s->pipe_wr = -1;
			wl_child.read_fd[i] = -1;
			if (k != WL_READ)
				continue;
			if (pipe2(fds, O_CLOEXEC)) {
				ret = -errno;
				goto close_pipes;
			}
			wl_child.read_fd[i] = fds[0];
			s->pipe_wr = fds[1];
		}
	}

	wl->pid = fork();
	if (wl->pid < 0) {
		ret = -errno;
		wl->pid = 0;
		goto close_pipes;
	}
	if (wl->pid == 0)
		wl_child_main(wl, parent);
	for (i = 0; i < n; i++)
		if (wl_child.read_fd[i] >= 0)
			close(wl_child.read_fd[i]);
	free(wl_child.read_fd);
	wl_child.read_fd = NULL;
	ret = wl_wait_ready(wl);
	if (ret)
		wl_stop(wl);
	return ret;

close_pipes:
	for (i = 0; i < n; i++) {
		if (wl_child.read_fd[i] >= 0)
			close(wl_child.read_fd[i]);
		if (wl->shm->slot[i].pipe_wr >= 0)
			close(wl->shm->slot[i].pipe_wr);
	}
	free(wl_child.read_fd);
	wl_child.read_fd = NULL;
unmap:
	munmap(wl->shm, wl->shm_len);
	wl->shm = NULL;
	return ret;
}

int wl_start_mix(struct workload *wl, unsigned int nr_threads, unsigned int spin_every)
{
	unsigned int nr[WL_NR_KINDS] = { 0 };
	unsigned int i;

	for (i = 0; i < nr_threads; i++) {
		if (spin_every && i % spin_every == 0)
			nr[WL_SPIN]++;
		else
			nr[WL_NANOSLEEP + i % (WL_READ - WL_NANOSLEEP + 1)]++;
	}
	return wl_start(wl, nr);
}

char wl_task_state(pid_t pid, pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	/* The command may hold spaces and parentheses: the state follows the last ')'. */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

int wl_wait_asleep(const struct workload *wl, unsigned int timeout_ms)
{
	uint64_t deadline = wl_now_ms() + timeout_ms;
	struct timespec ts = wl_ts(1);
	unsigned int i = 0;

	while (i < wl->nr_threads) {
		const struct wl_slot *s = &wl->shm->slot[i];
		char st;

		if (s->kind == WL_SPIN || s->kind == WL_CLONE) {
			i++;
			continue;
		}
		st = wl_task_state(wl->pid, s->tid);
		if (st == 'S' || st == 'D') {
			i++;
			continue;
		}
		if (wl_now_ms() > deadline)
			return -ETIMEDOUT;
		nanosleep(&ts, NULL);
	}
	return 0;
}

uint64_t wl_total_eintr(const struct workload *wl)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < wl->nr_threads; i++)
		sum += wl_eintr(wl, i);
	return sum;
}

void wl_snapshot(const struct workload *wl, uint64_t *snap)
{
	unsigned int i;

	for (i = 0; i < wl->nr_threads; i++)
		snap[i] = wl_counter(wl, i);
}

int wl_first_moved(const struct workload *wl, const uint64_t *snap)
{
	unsigned int i;

	for (i = 0; i < wl->nr_threads; i++)
		if (wl_counter(wl, i) != snap[i])
			return i;
	return -1;
}

int wl_feed(struct workload *wl)
{
	unsigned int i;

	for (i = 0; i < wl->nr_threads; i++) {
		int fd = wl->shm->slot[i].pipe_wr;

		if (fd >= 0 && write(fd, "x", 1) != 1)
			return -errno;
	}
	return 0;
}

/* Why thread @i has not moved: its state and wait channel, as a TAP comment. */
static void wl_report_stuck(struct workload *wl, unsigned int i)
{
	pid_t tid = wl->shm->slot[i].tid;
	char path[64], wchan[64] = "?";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/wchan", wl->pid, tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, wchan, sizeof(wchan) - 1);
		wchan[n > 0 ? n : 0] = 0;
		close(fd);
	}
	fprintf(stderr, "# thread %u (tid %d, kind %d) did not move: state %c, wchan %s\n",
		i, tid, wl->shm->slot[i].kind, wl_task_state(wl->pid, tid) ?: '?', wchan);
}

int wl_wait_all_moved(struct workload *wl, const uint64_t *snap,
		      unsigned int timeout_ms, int *stuck)
{
	/*
	 * Every released thread needs a CPU before its counter moves: on two
	 * emulated CPUs shared with spinners that takes time per thread. A
	 * thread that is really stuck stays stuck, so the slack costs nothing.
	 */
	uint64_t deadline = wl_now_ms() + timeout_ms + 10ULL * wl->nr_threads;
	struct timespec ts = wl_ts(1);
	unsigned int i = 0;
	int ret;

	ret = wl_feed(wl);
	if (ret)
		return ret;
	while (i < wl->nr_threads) {
		if (wl_counter(wl, i) != snap[i]) {
			i++;
			continue;
		}
		if (wl_now_ms() > deadline) {
			if (stuck)
				*stuck = i;
			wl_report_stuck(wl, i);
			return -ETIMEDOUT;
		}
		nanosleep(&ts, NULL);
	}
	return 0;
}

int wl_stop(struct workload *wl)
{
	unsigned int i;
	int status = 0;

	if (wl->pid > 0) {
		kill(wl->pid, SIGKILL);
		while (waitpid(wl->pid, &status, 0) < 0 && errno == EINTR)
			;
		wl->pid = 0;
	}
	if (wl->shm) {
		for (i = 0; i < wl->nr_threads; i++)
			if (wl->shm->slot[i].pipe_wr >= 0)
				close(wl->shm->slot[i].pipe_wr);
		munmap(wl->shm, wl->shm_len);
		wl->shm = NULL;
	}
	return status;
}
