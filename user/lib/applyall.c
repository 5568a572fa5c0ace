// SPDX-License-Identifier: GPL-2.0
/* applyall.c: lkp_apply over many processes at once, with a few worker threads; results in pid order. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "applyall.h"
#include "progress.h"

#define LKP_WORKERS_MAX	16

/*
 * Each process is patched on its own, in its own session, by whichever
 * worker claims it: what overlaps is one process's waits (the module's
 * mapping round trip, the freeze, /proc) with another's. What the workers
 * share is read only (the patch set, the options) or locked (the file
 * cache of target.c, the ELF files it keeps).
 */
struct slot {
	struct lkp_result r;
	int ret;
	bool ready;
};

struct many {
	const pid_t *pids;
	unsigned int n;
	const struct lkp_patchset *ps;
	const struct lkp_txn_opts *o;
	pthread_mutex_t lock;		/* protects next and every slot's ready */
	pthread_cond_t ready;		/* a slot became ready */
	unsigned int next;		/* the next process to claim */
	struct slot *slots;
};

unsigned int lkp_apply_workers(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	/* Most of a process's time is spent waiting: two per CPU keep the CPUs busy. */
	if (cpus < 1)
		cpus = 1;
	return cpus * 2 > LKP_WORKERS_MAX ? LKP_WORKERS_MAX : cpus * 2;
}

static void *worker(void *arg)
{
	struct many *m = arg;
	struct slot *sl;
	unsigned int i;

	for (;;) {
		pthread_mutex_lock(&m->lock);
		i = m->next < m->n ? m->next++ : m->n;
		pthread_mutex_unlock(&m->lock);
		if (i == m->n)
			return NULL;
		sl = &m->slots[i];
		sl->ret = lkp_apply(m->pids[i], m->ps, m->o, &sl->r);
		/* Counted when done, not when reported: pid order may wait on a slow one. */
		lkp_progress_add(1);
		pthread_mutex_lock(&m->lock);
		sl->ready = true;
		pthread_cond_broadcast(&m->ready);
		pthread_mutex_unlock(&m->lock);
	}
}

static void apply_inline(const pid_t *pids, unsigned int n, const struct lkp_patchset *ps,
			 const struct lkp_txn_opts *o, lkp_apply_cb done, void *arg)
{
	struct lkp_result r;
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = lkp_apply(pids[i], ps, o, &r);
		lkp_progress_add(1);
		done(i, ret, &r, arg);
		lkp_result_free(&r);
	}
}

int lkp_apply_many(const pid_t *pids, unsigned int n, const struct lkp_patchset *ps,
		   const struct lkp_txn_opts *o, unsigned int workers, lkp_apply_cb done,
		   void *arg)
{
	struct many m = {
		.pids = pids, .n = n, .ps = ps, .o = o,
		.lock = PTHREAD_MUTEX_INITIALIZER, .ready = PTHREAD_COND_INITIALIZER,
	};
	pthread_t *tids;
	unsigned int i, started;

	if (!workers)
		workers = lkp_apply_workers();
	if (workers > n)
		workers = n;
	if (workers <= 1) {
		apply_inline(pids, n, ps, o, done, arg);
		return 0;
	}
	m.slots = calloc(n, sizeof(*m.slots));
	tids = calloc(workers, sizeof(*tids));
	if (!m.slots || !tids) {
		free(m.slots);
		free(tids);
		return -ENOMEM;
	}
	for (started = 0; started < workers; started++)
		if (pthread_create(&tids[started], NULL, worker, &m))
			break;
	if (!started) {
		free(m.slots);
		free(tids);
		apply_inline(pids, n, ps, o, done, arg);
		return 0;
	}
	for (i = 0; i < n; i++) {
		struct slot *sl = &m.slots[i];

		pthread_mutex_lock(&m.lock);
		while (!sl->ready)
			pthread_cond_wait(&m.ready, &m.lock);
		pthread_mutex_unlock(&m.lock);
		done(i, sl->ret, &sl->r, arg);
		lkp_result_free(&sl->r);
	}
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	free(m.slots);
	return 0;
}
