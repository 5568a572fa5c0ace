// SPDX-License-Identifier: GPL-2.0
/* procs.c: applying the store to a process, the processes lkpd patched, and failed ones retried with backoff. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "lkpd.h"
#include "progress.h"
#include "scan.h"

#define RETRY_FIRST_MS	200
#define RETRY_MAX_MS	60000

/* A running process: it may wait for a thread to leave the code. */
static const struct lkp_txn_opts running_opts = {
	.attempts = 10, .retry_delay_ms = 20, .timeout_ms = 1000,
};

/* /proc/PID/stat after the ")" that ends comm (field 2) into buf: that tail, or NULL. */
static const char *stat_tail(pid_t pid, char *buf, size_t size)
{
	char path[64];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	ok = fgets(buf, size, f);
	fclose(f);
	return ok ? strrchr(buf, ')') : NULL;
}

unsigned long long lkpd_proc_start(pid_t pid)
{
	const char *p;
	char buf[1024];
	int i;

	p = stat_tail(pid, buf, sizeof(buf));
	/* Field 22. */
	for (i = 2; p && i < 22; i++)
		p = strchr(p + 1, ' ');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

bool lkpd_proc_exited(pid_t pid)
{
	const char *p;
	char buf[1024];

	p = stat_tail(pid, buf, sizeof(buf));
	/* Field 3, the state. */
	return !p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X';
}

bool lkpd_proc_alive(pid_t pid, unsigned long long start)
{
	return start && lkpd_proc_start(pid) == start;
}

void lkpd_proc_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static struct lkpd_proc *proc_get(struct lkpd *d, pid_t pid, unsigned long long start)
{
	struct lkpd_proc *v;
	unsigned int i;

	for (i = 0; i < d->nr_procs; i++) {
		if (d->procs[i].pid != pid)
			continue;
		if (d->procs[i].start == start)
			return &d->procs[i];
		d->procs[i].nr_ids = 0;	/* the pid was reused */
		d->procs[i].start = start;
		d->procs[i].eh_warned = false;
		return &d->procs[i];
	}
	v = reallocarray(d->procs, d->nr_procs + 1, sizeof(*v));
	if (!v)
		return NULL;
	d->procs = v;
	v[d->nr_procs] = (struct lkpd_proc){ .pid = pid, .start = start };
	return &v[d->nr_procs++];
}

struct lkpd_proc *lkpd_proc_find(struct lkpd *d, pid_t pid)
{
	unsigned long long start = lkpd_proc_start(pid);
	unsigned int i;

	for (i = 0; i < d->nr_procs; i++)
		if (d->procs[i].pid == pid)
			return start && d->procs[i].start == start ? &d->procs[i] : NULL;
	return NULL;
}

static void proc_note(struct lkpd *d, const struct lkp_result *r, unsigned long long start)
{
	struct lkpd_proc *p = proc_get(d, r->pid, start);
	unsigned int i, k;
	uint64_t *ids;

	if (!p)
		return;
	snprintf(p->comm, sizeof(p->comm), "%s", r->comm);
	for (i = 0; i < r->nr_objs; i++) {
		uint64_t id = r->objs[i].patch_id;

		if (r->objs[i].action == LKP_ACT_UNDONE || r->objs[i].action == LKP_ACT_CLEANED)
			continue;
		/* A replaced patch of the same build-id goes: one id per object. */
		for (k = 0; k < p->nr_ids && p->ids[k] != id; k++)
			;
		if (k < p->nr_ids)
			continue;
		ids = reallocarray(p->ids, p->nr_ids + 1, sizeof(*ids));
		if (!ids)
			return;
		p->ids = ids;
		ids[p->nr_ids++] = id;
	}
}

static void proc_drop(struct lkpd *d, unsigned int i)
{
	free(d->procs[i].ids);
	d->procs[i] = d->procs[--d->nr_procs];
}

void lkpd_procs_prune(struct lkpd *d)
{
	unsigned int i = 0;

	while (i < d->nr_procs) {
		if (!d->procs[i].nr_ids || !lkpd_proc_alive(d->procs[i].pid, d->procs[i].start))
			proc_drop(d, i);
		else
			i++;
	}
}

void lkpd_procs_forget(struct lkpd *d, uint64_t id)
{
	unsigned int i, k;

	for (i = 0; i < d->nr_procs; i++)
		for (k = 0; k < d->procs[i].nr_ids; k++)
			if (d->procs[i].ids[k] == id)
				d->procs[i].ids[k--] = d->procs[i].ids[--d->procs[i].nr_ids];
	lkpd_procs_prune(d);
}

static int fail_find(const struct lkpd *d, pid_t pid)
{
	unsigned int i;

	for (i = 0; i < d->nr_fails; i++)
		if (d->fails[i].pid == pid)
			return i;
	return -1;
}

static void fail_drop(struct lkpd *d, pid_t pid)
{
	int i = fail_find(d, pid);

	if (i >= 0)
		d->fails[i] = d->fails[--d->nr_fails];
}

static void fail_note(struct lkpd *d, const struct lkp_result *r, int err,
		      unsigned long long start)
{
	struct lkpd_failure *f, *v;
	unsigned int shift;
	int i = fail_find(d, r->pid);

	if (i < 0) {
		v = reallocarray(d->fails, d->nr_fails + 1, sizeof(*v));
		if (!v)
			return;
		d->fails = v;
		i = d->nr_fails++;
		v[i] = (struct lkpd_failure){ .pid = r->pid, .start = start };
	}
	f = &d->fails[i];
	if (f->start != start)
		*f = (struct lkpd_failure){ .pid = r->pid, .start = start };
	if (r->comm[0])
		snprintf(f->comm, sizeof(f->comm), "%s", r->comm);
	f->err = err;
	snprintf(f->reason, sizeof(f->reason), "%s", r->err);
	shift = f->attempts < 16 ? f->attempts : 16;
	f->attempts++;
	f->next_ms = lkpd_now_ms() + ((uint64_t)RETRY_FIRST_MS << shift < RETRY_MAX_MS ?
				      (uint64_t)RETRY_FIRST_MS << shift : RETRY_MAX_MS);
}

int lkpd_apply_pid(struct lkpd *d, pid_t pid, const struct lkp_txn_opts *o, bool quiet,
		   unsigned int *eh_later)
{
	unsigned long long start = lkpd_proc_start(pid);
	struct lkp_result r;
	unsigned int i, done = 0;
	int ret;

	if (eh_later)
		*eh_later = 0;
	if (!d->ps.n)
		return 0;
	ret = lkp_apply(pid, &d->ps, o ? o : &running_opts, &r);
	if (ret == -ESRCH || (ret && !lkpd_proc_alive(pid, start))) {
		/* Gone (exited, or exec'd something else): nothing to patch any more. */
		fail_drop(d, pid);
		ret = -ESRCH;
	} else if (ret == -ENOENT && r.comm[0]) {
		/* It maps none of the patched objects (any more). */
		fail_drop(d, pid);
		ret = 0;
	} else if (ret) {
		lkpd_log(LKPD_WARN, "%d %s: %s: %s (retried)", (int)pid, r.comm, strerror(-ret),
			 r.err);
		fail_note(d, &r, ret, start);
	} else {
		fail_drop(d, pid);
		proc_note(d, &r, start);
		for (i = 0; i < r.nr_objs; i++)
			done += r.objs[i].action == LKP_ACT_APPLIED ||
				r.objs[i].action == LKP_ACT_REPLACED;
		d->applied += done > 0;
		if (eh_later && o && o->eh_later)
			*eh_later = r.nr_eh_unregistered;
		if (done)
			lkpd_log(quiet ? LKPD_DEBUG : LKPD_INFO,
				 "%d %s: %u object%s, %u function%s, paused %.2f ms", (int)pid,
				 r.comm, done, done == 1 ? "" : "s", r.nr_funcs,
				 r.nr_funcs == 1 ? "" : "s", r.pause_ns / 1e6);
	}
	lkp_result_free(&r);
	return ret;
}

int lkpd_apply_running(struct lkpd *d, const struct lkp_patchset *only, unsigned int *patched,
		       unsigned int *failed)
{
	unsigned int n = 0, i;
	pid_t *pids = NULL;
	int ret;

	*patched = *failed = 0;
	ret = lkp_scan_pids(only ? only : &d->ps, &pids, &n);
	if (ret)
		return ret;
	/* Run in the foreground on a terminal, a start over many processes says how far it is. */
	lkp_progress_begin("lkpd: patching", "processes", n);
	for (i = 0; i < n; i++) {
		ret = lkpd_apply_pid(d, pids[i], NULL, false, NULL);
		if (ret && ret != -ESRCH)
			(*failed)++;
		else if (!ret)
			(*patched)++;
		lkp_progress_add(1);
		/* New processes wait at their hold points meanwhile: answer them between two. */
		lkpd_hold_service(d);
	}
	lkp_progress_end();
	free(pids);
	return 0;
}

int lkpd_undo_running(struct lkpd *d, const struct lkp_patchfile *pf, unsigned int *undone,
		      unsigned int *failed)
{
	struct lkp_patchset one = { .v = (struct lkp_patchfile *)pf, .n = 1 };
	struct lkp_result r;
	unsigned int n = 0, i;
	char id[17];
	pid_t *pids = NULL;
	int ret;

	*undone = *failed = 0;
	ret = lkp_scan_pids(&one, &pids, &n);
	if (ret)
		return ret;
	snprintf(id, sizeof(id), "%016" PRIx64, pf->id);
	lkp_progress_begin("lkpd: undoing", "processes", n);
	for (i = 0; i < n; i++) {
		ret = lkp_undo(pids[i], id, &running_opts, &r);
		if (!ret)
			(*undone)++;
		else if (ret != -ESRCH && !(ret == -ENOENT && r.comm[0])) {
			(*failed)++;
			lkpd_log(LKPD_WARN, "%d %s: undo of %s: %s: %s", (int)pids[i], r.comm, id,
				 strerror(-ret), r.err);
		}
		lkp_result_free(&r);
		lkp_progress_add(1);
		lkpd_hold_service(d);
	}
	lkp_progress_end();
	free(pids);
	lkpd_procs_forget(d, pf->id);
	return 0;
}

void lkpd_retry_due(struct lkpd *d)
{
	uint64_t now = lkpd_now_ms();
	unsigned int i = 0;
	pid_t pid;

	while (i < d->nr_fails) {
		if (d->fails[i].next_ms > now) {
			i++;
			continue;
		}
		pid = d->fails[i].pid;
		if (!lkpd_proc_alive(pid, d->fails[i].start)) {
			d->fails[i] = d->fails[--d->nr_fails];
			continue;
		}
		lkpd_apply_pid(d, pid, NULL, false, NULL);
		/* Applied or gone: the entry went, and another took slot i. */
		if (i < d->nr_fails && d->fails[i].pid == pid)
			i++;
	}
}

uint64_t lkpd_next_retry_ms(const struct lkpd *d)
{
	uint64_t next = UINT64_MAX;
	unsigned int i;

	for (i = 0; i < d->nr_fails; i++)
		if (d->fails[i].next_ms < next)
			next = d->fails[i].next_ms;
	return next;
}
