// SPDX-License-Identifier: GPL-2.0
/* threads.c: the frozen threads of a session, in an array as large as it takes. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "threads.h"

int lkp_threads_get(const struct lkp_session *s, struct lkp_thread **out, unsigned int *n)
{
	struct lkp_threads q = { .thread_size = sizeof(struct lkp_thread) };
	struct lkp_thread *buf = NULL, *nbuf;
	unsigned int cap = 0;
	int ret = 0, tries;

	*out = NULL;
	*n = 0;
	/* count 0 asks for the number; threads born during the freeze may add more. */
	for (tries = 0; tries < 8; tries++) {
		q.count = cap;
		q.threads = (uintptr_t)buf;
		ret = lkp_session_ioctl(s, LKP_IOC_GET_THREADS, &q);
		if (ret != -ENOSPC)
			break;
		cap = q.count + 16;
		nbuf = realloc(buf, cap * sizeof(*buf));
		if (!nbuf) {
			ret = -ENOMEM;
			break;
		}
		buf = nbuf;
	}
	if (ret) {
		free(buf);
		return ret;
	}
	*out = buf;
	*n = q.count;
	return 0;
}
