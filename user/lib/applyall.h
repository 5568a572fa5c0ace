/* SPDX-License-Identifier: GPL-2.0 */
/* applyall.h: lkp_apply over many processes at once (apply --all, lkpd), results in pid order. */
#ifndef LKP_APPLYALL_H
#define LKP_APPLYALL_H

#include <sys/types.h>

#include "apply.h"

/*
 * Called once per process, from the thread that called lkp_apply_many, in
 * the order of pids: ret and r are what lkp_apply returned and filled in for
 * pids[i]. r is freed when the callback returns.
 */
typedef void (*lkp_apply_cb)(unsigned int i, int ret, const struct lkp_result *r, void *arg);

/* The number of workers lkp_apply_many uses for 0: twice the online CPUs, at most 16. */
unsigned int lkp_apply_workers(void);

/*
 * lkp_apply(pids[i], ps, o) for every i, up to workers (0: the default) at
 * a time, each process on its own, as if applied one after the other: one
 * process's failure does not stop the others. done sees the results in the
 * order of pids, each as soon as it and every earlier one are in. 0, or
 * -errno when the workers could not be set up (then done was called for none).
 * Each process done counts one on the progress line (progress.h), if the
 * caller put one up.
 */
int lkp_apply_many(const pid_t *pids, unsigned int n, const struct lkp_patchset *ps,
		   const struct lkp_txn_opts *o, unsigned int workers, lkp_apply_cb done,
		   void *arg);

#endif /* LKP_APPLYALL_H */
