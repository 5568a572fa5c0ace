// SPDX-License-Identifier: GPL-2.0
/* release.c: the memory of patches out of use: unmapped, unless a thread may still point into it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ehreg.h"
#include "release.h"
#include "threads.h"

/*
 * A patch undone or replaced runs no more: the transaction that took it out
 * made sure that no thread was in its code or returning into it. Its data
 * may still be pointed at: a string of its read-only data passed to a
 * function of the original code that now sleeps with it on its stack, say.
 * Such a pointer cannot change what code runs, so it never stops the switch
 * (on a busy server one nearly always stopped an undo: tests/real/server);
 * it only keeps the memory, which unmapped would fault the thread when it
 * uses the pointer. So the memory goes in a freeze of its own, after a look
 * at every thread's registers and stack (conservative: any word into a
 * mapping counts), or else stays: harmless, nothing runs its code, its
 * record tells `list` it is not live, and the next undo or apply in the
 * process tries again.
 */

int lkp_unmap(const struct lkp_session *s, uint64_t addr, uint64_t len)
{
	struct lkp_unmap u = { .addr = addr, .len = len };

	return lkp_session_ioctl(s, LKP_IOC_UNMAP, &u);
}

void lkp_unmap_record(const struct lkp_session *s, const struct lkp_applied *a)
{
	uint64_t maps[LKP_NR_MAPS][2];
	bool forget = false;
	unsigned int i;

	memcpy(maps, a->hdr->maps, sizeof(maps));
	for (i = 0; i < LKP_NR_MAPS; i++) {
		unsigned int m = (i + LKP_MAP_W) % LKP_NR_MAPS;	/* W, X, R */

		if (maps[m][1] && lkp_unmap(s, maps[m][0], maps[m][1]) == -ENOENT)
			forget = true;
	}
	if (forget)
		lkp_record_forget(s, a);
}

/*
 * R and W: the patch's data. Not X: the transaction that took the patch out
 * proved, by each thread's call chain, that none runs or returns into its
 * code, and after it nothing jumps there any more; a word on a stack that
 * points into X is a stale return address (common: an unused slot of a live
 * frame), and would keep the memory for nothing.
 */
static unsigned int record_ranges(const struct lkp_applied *a, struct lkp_range *r)
{
	static const unsigned int data[] = { LKP_MAP_R, LKP_MAP_W };
	unsigned int i, n = 0;

	for (i = 0; i < sizeof(data) / sizeof(data[0]); i++)
		if (a->hdr->maps[data[i]][1])
			r[n++] = (struct lkp_range){ a->hdr->maps[data[i]][0],
						     a->hdr->maps[data[i]][0] +
						     a->hdr->maps[data[i]][1] };
	return n;
}

/* A general register of a frozen thread pointing into one of the ranges: its value, or 0. */
static uint64_t regs_point_in(const struct lkp_thread *th, const struct lkp_range *r,
			      unsigned int n)
{
	const struct lkp_regs *g = &th->regs;
	const uint64_t v[] = { g->r15, g->r14, g->r13, g->r12, g->bp, g->bx, g->r11, g->r10,
			       g->r9, g->r8, g->ax, g->cx, g->dx, g->si, g->di };
	unsigned int i, k;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		for (k = 0; k < n; k++)
			if (v[i] >= r[k].start && v[i] < r[k].end)
				return v[i];
	return 0;
}

/*
 * Is record a free to go, in the freeze? -EBUSY (and *b) if not; -EAGAIN
 * (and *b) when only a thread finishing the unwind stub holds it.
 */
static int check_record(const struct lkp_session *s, const struct lkp_applied *a,
			const struct lkp_thread *v, unsigned int nr, struct lkp_blocker *b)
{
	struct lkp_range r[LKP_NR_MAPS];
	struct lkp_stack_check sc = { .ranges = (uintptr_t)r };
	unsigned int i;
	int ret;

	sc.nr_ranges = record_ranges(a, r);
	if (!sc.nr_ranges)
		return 0;
	for (i = 0; i < nr; i++) {
		uint64_t at = regs_point_in(&v[i], r, sc.nr_ranges);

		/*
		 * The unwind stub says it is done a few instructions before it
		 * has returned (ehreg.c): a thread still in it keeps X, and
		 * its registers point into W, but only for those instructions.
		 */
		if (a->nr_eh && v[i].regs.ip >= a->eh_stub &&
		    v[i].regs.ip < a->eh_stub + LKP_EH_STUB_SIZE) {
			*b = (struct lkp_blocker){ .tid = v[i].tid, .kind = LKP_BLOCKER_RETADDR,
						   .addr = v[i].regs.ip };
			return -EAGAIN;
		}
		if (at) {
			*b = (struct lkp_blocker){ .tid = v[i].tid, .kind = LKP_BLOCKER_RETADDR,
						   .addr = at };
			return -EBUSY;
		}
	}
	/* Every stack word, from sp up (no ip is in data). */
	ret = lkp_session_ioctl(s, LKP_IOC_STACK_CHECK, &sc);
	if (ret == -EBUSY)
		*b = sc.blocker;
	return ret;
}

/*
 * One freeze: the records not yet released (kept[i]) that may go are
 * unmapped. *again is set when one waits only for a thread to leave the
 * unwind stub; *b names the first blocker.
 */
static int release_once(const struct lkp_session *s, const struct lkp_applied *const *recs,
			unsigned int n, unsigned int timeout_ms, bool *kept, bool *again,
			struct lkp_blocker *b)
{
	struct lkp_freeze fz = { .timeout_ms = timeout_ms };
	struct lkp_thaw th = { 0 };
	struct lkp_thread *v = NULL;
	unsigned int i, nr = 0;
	bool any = false;
	int ret;

	*again = false;
	ret = lkp_session_ioctl(s, LKP_IOC_FREEZE, &fz);
	if (ret)
		return ret;
	ret = lkp_threads_get(s, &v, &nr);
	for (i = 0; !ret && i < n; i++) {
		struct lkp_blocker bl = { 0 };
		int busy;

		if (!kept[i])
			continue;
		busy = check_record(s, recs[i], v, nr, &bl);
		if (busy) {
			if (busy == -EAGAIN)
				*again = true;
			if (!any)
				*b = bl;
			any = true;
			continue;
		}
		/* Still frozen: nobody can pick up a pointer meanwhile. */
		lkp_unmap_record(s, recs[i]);
		kept[i] = false;
	}
	lkp_session_ioctl(s, LKP_IOC_THAW, &th);
	free(v);
	return ret;
}

/*
 * A thread leaves the stub within a few instructions of being let run;
 * only a thread kept off the CPU (a loaded machine, a VM's vCPU) is seen
 * there at all, and one more freeze a little later finds it gone.
 */
#define RELEASE_TRIES		10
#define RELEASE_WAIT_US		1000

int lkp_release(const struct lkp_session *s, const struct lkp_applied *const *recs,
		unsigned int n, unsigned int timeout_ms, bool *kept, struct lkp_blocker *b)
{
	struct lkp_blocker first = { 0 };
	struct timespec ts = { 0, RELEASE_WAIT_US * 1000L };
	unsigned int i, tries = 0;
	bool again;
	int ret;

	for (i = 0; i < n; i++)
		kept[i] = true;
	if (!n)
		return 0;
	do {
		if (tries)
			nanosleep(&ts, NULL);
		first = (struct lkp_blocker){ 0 };
		ret = release_once(s, recs, n, timeout_ms, kept, &again, &first);
	} while (!ret && again && ++tries < RELEASE_TRIES);
	if (b)
		*b = first;
	return ret;
}
