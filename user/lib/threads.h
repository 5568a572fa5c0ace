/* SPDX-License-Identifier: GPL-2.0 */
/* threads.h: the frozen threads of a session and their registers (LKP_IOC_GET_THREADS). */
#ifndef LKP_THREADS_H
#define LKP_THREADS_H

#include <linux/lkp.h>

#include "session.h"

/*
 * Every thread of a frozen session, however many: *out is malloc'ed (*n
 * entries). 0 or -errno as LKP_IOC_GET_THREADS (EBADFD: not frozen).
 */
int lkp_threads_get(const struct lkp_session *s, struct lkp_thread **out, unsigned int *n);

#endif /* LKP_THREADS_H */
