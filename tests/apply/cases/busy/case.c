// SPDX-License-Identifier: GPL-2.0
/* case.c: case "busy": the first round leaves a thread blocked inside hold(); every round prints limit(). */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include "case.h"
#include "hold.h"

static int go[2], ack[2];

static void *holder(void *arg)
{
	(void)arg;
	return (void *)(long)hold(go[0], ack[1]);
}

void run(void)
{
	static int started;
	pthread_t t;
	char c;

	/* The round returns only once the thread is inside hold(). */
	if (!started && !pipe(go) && !pipe(ack) && !pthread_create(&t, NULL, holder, NULL) &&
	    read(ack[0], &c, 1) == 1)
		started = 1;
	printf("limit = %d, holding = %d\n", limit(), started);
}
