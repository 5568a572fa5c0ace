// SPDX-License-Identifier: GPL-2.0
/* case.c: case "staleword": the first round starts 7 sleeping threads, one with a stale word into limit() on its stack. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include "case.h"
#include "limit.h"

#define NR_THREADS	7

static int go[2], ack[2];

/*
 * Sleeps in read() with limit() + 1 in its frame: what a return address
 * into limit() looks like to a scan of the stack, though no call of
 * limit() is in progress (as an unused slot of a live frame often holds).
 */
static __attribute__((noinline)) int sleep_with_word(void)
{
	volatile uintptr_t word[2] = { (uintptr_t)limit + 1, 0 };
	char c = 's';

	if (write(ack[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
		return -1;
	return (int)word[1];
}

static void *sleeper(void *arg)
{
	char c = 's';

	if (arg)
		return (void *)(long)sleep_with_word();
	if (write(ack[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
		return NULL;
	return NULL;
}

void run(void)
{
	static int threads;
	pthread_t t;
	char c;
	int i;

	/* The round returns only once every thread sleeps. */
	if (!threads && !pipe(go) && !pipe(ack)) {
		for (i = 0; i < NR_THREADS; i++)
			if (!pthread_create(&t, NULL, sleeper, (void *)(long)(i == 3)) &&
			    read(ack[0], &c, 1) == 1)
				threads++;
		threads++;	/* the main one */
	}
	printf("limit = %d, threads = %d\n", limit(), threads);
}
