// SPDX-License-Identifier: GPL-2.0
/* case.c: case "tailcall": a thread calls report() while stdout's lock is held, and waits in printf() for it. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "case.h"
#include "report.h"

/*
 * Round 1 takes stdout's lock (this thread keeps it across rounds) and starts
 * a thread that waits for a byte. Round 2 sends it, and returns once the
 * thread sits in futex() inside printf(), which report() jumped to: no frame
 * of report() is left on its stack, only a pointer to report()'s format
 * string in a register or printf()'s frame. Round 3 releases the lock and
 * waits for the thread, which then reads that format string.
 */
static int go[2];
static pthread_t thread;
static volatile pid_t tid;

static void *reporter(void *arg)
{
	char c;

	(void)arg;
	tid = syscall(SYS_gettid);
	if (read(go[0], &c, 1) == 1)
		report(42);
	return NULL;
}

/* Whether thread t is in futex(): /proc/self/task/T/syscall starts with its number. */
static int in_futex(pid_t t)
{
	char path[64], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)t);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return !strncmp(buf, "202 ", 4);
}

void run(void)
{
	static int round;
	struct timespec ms = { 0, 1000000 };
	int i;

	switch (++round) {
	case 1:
		flockfile(stdout);
		if (pipe(go) || pthread_create(&thread, NULL, reporter, NULL))
			printf("cannot start the thread\n");
		else
			printf("armed\n");
		break;
	case 2:
		if (write(go[1], "g", 1) != 1)
			break;
		for (i = 0; i < 10000 && !(tid && in_futex(tid)); i++)
			nanosleep(&ms, NULL);
		printf(i < 10000 ? "waiting\n" : "the thread did not block\n");
		break;
	case 3:
		funlockfile(stdout);
		pthread_join(thread, NULL);
		printf("done\n");
		break;
	default:
		printf("idle\n");
		break;
	}
}
