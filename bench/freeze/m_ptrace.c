// SPDX-License-Identifier: GPL-2.0
/* m_ptrace.c: freeze the way LibCare does: PTRACE_SEIZE and PTRACE_INTERRUPT every thread; thaw: detach. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "bench.h"

struct ptrace_state {
	pid_t pid;
	unsigned int nr_threads;
	unsigned int nr_tids;
	pid_t *tids;
};

static int ptrace_attach(const struct bench_method *m,
			 const struct bench_target *t, void **state)
{
	struct ptrace_state *s = calloc(1, sizeof(*s));

	if (s)
		s->tids = calloc(t->nr_threads, sizeof(*s->tids));
	if (!s || !s->tids) {
		free(s);
		fprintf(stderr, "freeze_bench: %s: out of memory\n", m->name);
		return -ENOMEM;
	}
	s->pid = t->pid;
	s->nr_threads = t->nr_threads;
	*state = s;
	return 0;
}

/*
 * A ptrace-based patcher does not know the threads in advance: listing
 * /proc/PID/task is part of its freeze, so it is timed here too.
 */
static int ptrace_list(struct ptrace_state *s)
{
	struct dirent *de;
	char path[64];
	int err = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", s->pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	s->nr_tids = 0;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (s->nr_tids == s->nr_threads) {
			err = -E2BIG;
			break;
		}
		s->tids[s->nr_tids++] = atoi(de->d_name);
	}
	closedir(dir);
	return err;
}

static int ptrace_thaw(void *state);

static int ptrace_freeze(void *state)
{
	struct ptrace_state *s = state;
	unsigned int i, seized;
	int err, status;

	err = ptrace_list(s);
	if (err)
		return err;
	for (seized = 0; seized < s->nr_tids; seized++) {
		pid_t tid = s->tids[seized];

		if (ptrace(PTRACE_SEIZE, tid, 0, 0) ||
		    ptrace(PTRACE_INTERRUPT, tid, 0, 0)) {
			err = -errno;
			break;
		}
	}
	for (i = 0; i < seized; i++) {
		if (waitpid(s->tids[i], &status, __WALL) < 0 && !err)
			err = -errno;
		else if (!err && (!WIFSTOPPED(status) ||
				  status >> 16 != PTRACE_EVENT_STOP))
			err = -EPROTO;
	}
	if (err) {
		s->nr_tids = seized;
		ptrace_thaw(s);
	}
	return err;
}

static int ptrace_thaw(void *state)
{
	struct ptrace_state *s = state;
	unsigned int i;
	int err = 0;

	for (i = 0; i < s->nr_tids; i++)
		if (ptrace(PTRACE_DETACH, s->tids[i], 0, 0) && !err)
			err = -errno;
	s->nr_tids = 0;
	return err;
}

static void ptrace_detach(void *state)
{
	struct ptrace_state *s = state;

	free(s->tids);
	free(s);
}

const struct bench_method bench_ptrace = {
	.name = "ptrace",
	.attach = ptrace_attach,
	.freeze = ptrace_freeze,
	.thaw = ptrace_thaw,
	.detach = ptrace_detach,
};
