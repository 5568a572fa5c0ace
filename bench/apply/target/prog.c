// SPDX-License-Identifier: GPL-2.0
/* prog.c: the apply benchmark's target: N threads, all but 2 asleep, and bench_fn to patch and time. */
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Small stacks: 4000 threads must fit in the VM's 2 GiB. */
#define STACK_SIZE	(64 * 1024)
#define NR_SPINNERS	2

/*
 * The function the benchmark patches (../fix.diff changes only the
 * constant) and times: a few instructions, called through the normal call
 * path; noipa keeps the compiler from hoisting or folding the calls.
 */
__attribute__((noinline, noipa)) unsigned int bench_fn(unsigned int x)
{
	return (x ^ 0x5a5a) * 3 + 7;
}

static int sleep_pipe[2];
static int futex_word;
static volatile unsigned long spin_count[NR_SPINNERS + 1];

static void *thread_main(void *arg)
{
	unsigned int i = (unsigned int)(uintptr_t)arg;
	char byte;

	if (i <= NR_SPINNERS) {
		for (;;)
			spin_count[i]++;
	}
	for (;;) {
		if (i % 2)
			syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
		else if (read(sleep_pipe[0], &byte, 1) <= 0)
			pause();
	}
	return NULL;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * usage: prog [THREADS]
 * Starts THREADS threads in all (the main one included; threads 1 and 2
 * spin when there are more than 2), prints "ready" and then, for each line
 * "c ITERATIONS" read from stdin, calls bench_fn ITERATIONS times and
 * prints "NS SUM". Exits at EOF.
 */
int main(int argc, char **argv)
{
	unsigned int nr = argc > 1 ? strtoul(argv[1], NULL, 10) : 1, i;
	unsigned long iters, k;
	pthread_attr_t attr;
	pthread_t th;
	char line[64];
	int err;

	if (pipe(sleep_pipe))
		return 1;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, STACK_SIZE);
	for (i = 1; i < nr; i++) {
		/* With 2 threads or fewer nobody spins. */
		unsigned int role = nr > NR_SPINNERS ? i : i + NR_SPINNERS;

		err = pthread_create(&th, &attr, thread_main, (void *)(uintptr_t)role);
		if (err) {
			fprintf(stderr, "prog: thread %u: %s\n", i, strerror(err));
			return 1;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready\n");
	while (fgets(line, sizeof(line), stdin)) {
		unsigned int sum = 0;
		uint64_t t0, t1;

		if (sscanf(line, "c %lu", &iters) != 1)
			continue;
		t0 = now_ns();
		for (k = 0; k < iters; k++)
			sum += bench_fn(k);
		t1 = now_ns();
		printf("%llu %u\n", (unsigned long long)(t1 - t0), sum);
	}
	return 0;
}
