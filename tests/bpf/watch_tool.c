// SPDX-License-Identifier: GPL-2.0
/* watch_tool.c: loads the exec/mmap watcher, watches the given paths and prints their events, one line each, until signalled. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "watch.h"

/*
 * usage: watch_tool [-q] [PATH...]
 * Prints "ready" once the program is attached and every PATH watched (the
 * cookie of an event is the PATH's index), then "exec|mmap pid tgid dev ino
 * cookie addr len pgoff" per event; with -q only the count at the end,
 * with the hooks' run counts and run time (kernel.bpf_stats_enabled).
 * SIGINT or SIGTERM ends it.
 */
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static int print_event(const struct lkp_watch_event *e, void *arg)
{
	unsigned long *count = arg;

	(*count)++;
	if (count[1])
		return 0;
	printf("%s %u %u 0x%x %llu %llu 0x%llx %llu %llu\n",
	       e->kind == LKP_WATCH_EXEC ? "exec" : "mmap", e->pid, e->tgid, e->dev,
	       (unsigned long long)e->ino, (unsigned long long)e->cookie,
	       (unsigned long long)e->addr, (unsigned long long)e->len,
	       (unsigned long long)e->pgoff);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned long count[2] = { 0, 0 };	/* events, quiet */
	struct lkp_watch *w;
	struct lkp_watch_stats st = {};
	__u64 lost = 0;
	int i = 1, ret;

	if (argc > 1 && !strcmp(argv[1], "-q")) {
		count[1] = 1;
		i++;
	}
	ret = lkp_watch_open(&w);
	if (ret) {
		fprintf(stderr, "watch_tool: cannot load the watcher: %s (root? BTF?)\n", strerror(-ret));
		return 1;
	}
	for (; i < argc; i++) {
		ret = lkp_watch_add(w, argv[i], i, NULL);
		if (ret) {
			fprintf(stderr, "watch_tool: %s: %s\n", argv[i], strerror(-ret));
			lkp_watch_close(w);
			return 1;
		}
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		ret = lkp_watch_poll(w, 1000, print_event, count);
		if (ret < 0 && ret != -EINTR) {
			fprintf(stderr, "watch_tool: poll: %s\n", strerror(-ret));
			break;
		}
	}
	lkp_watch_dropped(w, &lost);
	lkp_watch_stats(w, &st);
	printf("events %lu dropped %llu exec_runs %llu exec_ns %llu mmap_runs %llu mmap_ns %llu\n",
	       count[0], (unsigned long long)lost,
	       (unsigned long long)st.exec_runs, (unsigned long long)st.exec_ns,
	       (unsigned long long)st.mmap_runs, (unsigned long long)st.mmap_ns);
	lkp_watch_close(w);
	return ret < 0 && ret != -EINTR;
}
