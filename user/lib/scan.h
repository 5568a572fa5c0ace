/* SPDX-License-Identifier: GPL-2.0 */
/* scan.h: the processes that map an object some patch is for (apply --all, lkpd). */
#ifndef LKP_SCAN_H
#define LKP_SCAN_H

#include <sys/types.h>

#include "patchset.h"

/*
 * Every process (but the caller) that maps a file whose build-id one of
 * ps's patches is for, in pid order. A file's build-id is read once per
 * (device, inode) however many processes map it. 0 or -errno; *pids is
 * malloc'ed.
 */
int lkp_scan_pids(const struct lkp_patchset *ps, pid_t **pids, unsigned int *n);

#endif /* LKP_SCAN_H */
