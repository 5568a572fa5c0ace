// SPDX-License-Identifier: GPL-2.0
/* saved.c: words in a process's memory, off the threads' stacks, that point into code about to be written over. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "saved.h"

/*
 * What the transaction cannot see. Its stack check covers, for each thread,
 * the stack it runs on, from its stack pointer up. A coroutine suspended
 * with swapcontext() or a longjmp (QEMU's, a green-thread runtime's, a
 * ucontext server's) has a stack no thread runs on: its frames' return
 * addresses sit in a heap block or an mmap'd region, and so does a context
 * saved by swapcontext(). None of those stops the switch, and for code
 * that stays (the jump leaves the old code whole) none needs to. They
 * matter where bytes change: a function written in place, where a
 * coroutine would resume in the middle of other code. Apply asks this look
 * there, and takes the jump when it finds a word. A stale word (a freed heap block, an exited thread's stack
 * that glibc keeps for reuse) looks the same, and costs only the jump; for
 * undo, which has no safe way around, the look is not used (docs/apply.md).
 *
 * It is a look before the freeze: a coroutine that suspends inside such a
 * function between the look and the switch is not seen. Pages never
 * touched are not read (/proc/PID/pagemap), so a large sparse heap costs
 * what is in it.
 */

#define PAGE		4096ULL
#define PM_PRESENT	(1ULL << 63)
#define PM_SWAPPED	(1ULL << 62)
#define CHUNK_PAGES	64U	/* read from the process at once, at most */
#define ENT_PAGES	4096U	/* page map entries read at once */

/*
 * The stack pointer of every thread not runnable (/proc/PID/task/TID/syscall).
 * A spinner's stack is looked through whole, stale words of its unused part
 * too: that costs at most the jump, where a freeze to read its registers
 * would cost every apply a pause.
 */
static int thread_sps(pid_t pid, uint64_t **sps, unsigned int *n)
{
	char path[64], line[512], *last, *prev;
	unsigned int cap = 0;
	struct dirent *de;
	uint64_t *v = NULL, *nv;
	ssize_t len;
	DIR *dir;
	int fd;

	*sps = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.16s/syscall", (int)pid, de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, line, sizeof(line) - 1);
		close(fd);
		line[len > 0 ? len : 0] = '\0';
		/*
		 * "NR [ARGS...] SP PC", NR -1 when not in a system call; or
		 * "running" for a runnable thread (a spinner), whose stack
		 * pointer the kernel does not say.
		 */
		line[strcspn(line, "\n")] = '\0';
		last = strrchr(line, ' ');
		if (!last)
			continue;
		*last = '\0';
		prev = strrchr(line, ' ');
		if (!prev)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			nv = reallocarray(v, cap, sizeof(*v));
			if (!nv) {
				free(v);
				closedir(dir);
				return -ENOMEM;
			}
			v = nv;
		}
		v[(*n)++] = strtoull(prev + 1, NULL, 16);
	}
	closedir(dir);
	*sps = v;
	return 0;
}

/* Whether a thread runs on the mapping [start, end): the transaction checks it. */
static bool thread_stack(const uint64_t *sps, unsigned int nsps, uint64_t start, uint64_t end)
{
	unsigned int k;

	for (k = 0; k < nsps; k++)
		if (sps[k] >= start && sps[k] < end)
			return true;
	return false;
}

struct look {
	const struct lkp_range *r;
	unsigned int n;
	uint64_t lo, hi;		/* the ranges' hull */
	bool *hit;
	uint64_t *buf;			/* CHUNK_PAGES pages */
	uint64_t *ent;			/* ENT_PAGES page map entries */
};

static void scan_words(struct look *l, const uint64_t *w, size_t nw)
{
	unsigned int k;
	size_t i;

	for (i = 0; i < nw; i++) {
		if (w[i] < l->lo || w[i] >= l->hi)
			continue;
		for (k = 0; k < l->n; k++)
			if (w[i] >= l->r[k].start && w[i] < l->r[k].end)
				l->hit[k] = true;
	}
}

/* Every present page of [start, end): 0, -EFBIG past the budget, or -errno. */
static int scan_vma(const struct lkp_session *s, int pm, struct look *l, uint64_t start,
		    uint64_t end, uint64_t *budget)
{
	uint64_t *ent = l->ent, at, run;
	unsigned int np, i, j;
	ssize_t got;

	/* One read of the page map for up to ENT_PAGES pages: a thread's 8 MiB stack is 2048. */
	for (at = start; at < end; at += (uint64_t)np * PAGE) {
		np = (end - at) / PAGE < ENT_PAGES ? (end - at) / PAGE : ENT_PAGES;
		got = pread(pm, ent, np * sizeof(ent[0]), (off_t)(at / PAGE * sizeof(ent[0])));
		if (got != (ssize_t)(np * sizeof(ent[0])))
			return got < 0 ? -errno : -EIO;
		for (i = 0; i < np; i = j) {
			if (!(ent[i] & (PM_PRESENT | PM_SWAPPED))) {
				j = i + 1;
				continue;
			}
			for (j = i + 1; j < np && j - i < CHUNK_PAGES &&
			     (ent[j] & (PM_PRESENT | PM_SWAPPED)); j++)
				;
			run = (j - i) * PAGE;
			if (run > *budget)
				return -EFBIG;
			*budget -= run;
			/* A page gone meanwhile (munmap by the process) reads nothing: skipped. */
			if (lkp_mem_read(s, at + i * PAGE, l->buf, run))
				continue;
			scan_words(l, l->buf, run / 8);
		}
	}
	return 0;
}

int lkp_saved_scan(const struct lkp_session *s, const struct lkp_target *t,
		   const struct lkp_range *r, unsigned int n, bool *hit)
{
	struct look l = { .r = r, .n = n, .lo = UINT64_MAX, .hi = 0, .hit = hit };
	uint64_t *sps = NULL, budget = LKP_SAVED_MAX_BYTES;
	unsigned int nsps = 0, k;
	char path[64];
	int pm, ret;

	memset(hit, 0, n * sizeof(*hit));
	for (k = 0; k < n; k++) {
		if (r[k].start < l.lo)
			l.lo = r[k].start;
		if (r[k].end > l.hi)
			l.hi = r[k].end;
	}
	if (!n)
		return 0;
	ret = thread_sps(s->pid, &sps, &nsps);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)s->pid);
	pm = open(path, O_RDONLY | O_CLOEXEC);
	l.buf = malloc(CHUNK_PAGES * PAGE);
	l.ent = malloc(ENT_PAGES * sizeof(*l.ent));
	if (pm < 0)
		ret = -errno;
	else if (!l.buf || !l.ent)
		ret = -ENOMEM;
	for (k = 0; k < t->nr_rw && !ret; k++)
		if (!thread_stack(sps, nsps, t->rw[k].start, t->rw[k].end))
			ret = scan_vma(s, pm, &l, t->rw[k].start, t->rw[k].end, &budget);
	if (pm >= 0)
		close(pm);
	free(l.buf);
	free(l.ent);
	free(sps);
	return ret;
}
