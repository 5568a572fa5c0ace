// SPDX-License-Identifier: GPL-2.0
/* stack_target.c: a process with known stacks for stack_test: a reader blocked under outer()->middle()->inner(), a spinner, a waiting main thread. */
/*
 * Built several ways (with and without frame pointers, without CFI,
 * stripped): the call chains must survive -O2, hence noinline and noclone
 * (no .isra/.constprop copies under other names) and work after each call
 * (no tail calls). Each function records its own return address, so that
 * the test can check a stripped copy's frames address by address.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "stack_target.h"

#define noinline	__attribute__((__noinline__))
#define __noclone	__attribute__((__noclone__))

static int wake_pipe[2], ack_pipe[2];
/* Shared between the threads: atomic, so that no wait loop reads a stale copy. */
static _Atomic uint64_t spins;
static _Atomic uint64_t ret_to_middle, ret_to_outer, ret_to_reader, ret_to_spin_outer;
static atomic_int spinner_tid, reader_tid;
/* Work after each call, so that no call becomes a tail call (a frame gone). */
static atomic_int sink;

noinline __noclone int inner(int fd)
{
	char c;
	int n;

	atomic_store(&ret_to_middle, (uintptr_t)__builtin_return_address(0));
	n = read(fd, &c, 1);
	atomic_fetch_add_explicit(&sink, 1, memory_order_relaxed);
	return n;
}

noinline __noclone int middle(int fd)
{
	int n;

	atomic_store(&ret_to_outer, (uintptr_t)__builtin_return_address(0));
	n = inner(fd);
	atomic_fetch_add_explicit(&sink, 1, memory_order_relaxed);
	return n + 1;
}

noinline __noclone int outer(int fd)
{
	int n;

	atomic_store(&ret_to_reader, (uintptr_t)__builtin_return_address(0));
	n = middle(fd);
	atomic_fetch_add_explicit(&sink, 1, memory_order_relaxed);
	return n + 1;
}

static void *reader_main(void *unused)
{
	char c = 'a';

	atomic_store(&reader_tid, syscall(SYS_gettid));
	for (;;) {
		if (outer(wake_pipe[0]) != 3)
			abort();
		if (write(ack_pipe[1], &c, 1) != 1)
			abort();
	}
	return NULL;
}

noinline __noclone void spin_here(void)
{
	atomic_store(&ret_to_spin_outer, (uintptr_t)__builtin_return_address(0));
	for (;;)
		atomic_fetch_add_explicit(&spins, 1, memory_order_relaxed);
}

noinline __noclone void spin_outer(void)
{
	spin_here();
	atomic_fetch_add_explicit(&sink, 1, memory_order_relaxed);
}

static void *spinner_main(void *unused)
{
	atomic_store(&spinner_tid, syscall(SYS_gettid));
	spin_outer();
	return NULL;
}

/* Whether thread tid sleeps in read() (system call 0) on fd: /proc/self/task/TID/syscall. */
static int asleep_in_read(int tid, int fd)
{
	char path[64], buf[128], want[32];
	int f, n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	f = open(path, O_RDONLY);
	if (f < 0)
		return 0;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	snprintf(want, sizeof(want), "0 0x%x ", fd);
	return !strncmp(buf, want, strlen(want));
}

/* Readiness, not a timed guess: poll the kernel's view until the reader sleeps in read(). */
static void wait_reader_asleep(void)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	for (i = 0; i < 10000; i++) {
		if (atomic_load(&reader_tid) && asleep_in_read(atomic_load(&reader_tid),
							       wake_pipe[0]))
			return;
		nanosleep(&ts, NULL);
	}
	abort();
}

static void wait_spinning(void)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	for (i = 0; i < 10000; i++) {
		if (atomic_load(&spinner_tid) && atomic_load(&spins) && atomic_load(&ret_to_spin_outer))
			return;
		nanosleep(&ts, NULL);
	}
	abort();
}

static int answer(const void *buf, size_t len)
{
	return write(ST_FD, buf, len) == (ssize_t)len ? 0 : -1;
}

/* The main thread: waits in read() on the socket for the next command. */
noinline __noclone int serve(void)
{
	uint64_t n;
	char cmd, c;

	for (;;) {
		n = read(ST_FD, &cmd, 1);
		if (n != 1)
			return 0;	/* the test closed its end: done */
		switch (cmd) {
		case ST_CMD_COUNT:
			n = atomic_load(&spins);
			if (answer(&n, sizeof(n)))
				return 1;
			break;
		case ST_CMD_WAKE:
			if (write(wake_pipe[1], &cmd, 1) != 1 || read(ack_pipe[0], &c, 1) != 1)
				return 1;
			wait_reader_asleep();
			if (answer("k", 1))
				return 1;
			break;
		default:
			return 1;
		}
		atomic_fetch_add_explicit(&sink, 1, memory_order_relaxed);
	}
}

int main(void)
{
	struct st_hello hello;
	pthread_t t;

	if (pipe(wake_pipe) || pipe(ack_pipe))
		return 1;
	if (pthread_create(&t, NULL, reader_main, NULL) ||
	    pthread_create(&t, NULL, spinner_main, NULL))
		return 1;
	wait_reader_asleep();
	wait_spinning();
	hello.pid = getpid();
	hello.main_tid = syscall(SYS_gettid);
	hello.reader_tid = atomic_load(&reader_tid);
	hello.spinner_tid = atomic_load(&spinner_tid);
	hello.inner = (uintptr_t)inner;
	hello.middle = (uintptr_t)middle;
	hello.outer = (uintptr_t)outer;
	hello.spin_here = (uintptr_t)spin_here;
	hello.spin_outer = (uintptr_t)spin_outer;
	hello.ret_to_middle = atomic_load(&ret_to_middle);
	hello.ret_to_outer = atomic_load(&ret_to_outer);
	hello.ret_to_reader = atomic_load(&ret_to_reader);
	hello.ret_to_spin_outer = atomic_load(&ret_to_spin_outer);
	if (answer(&hello, sizeof(hello)))
		return 1;
	return serve();
}
