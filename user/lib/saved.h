/* SPDX-License-Identifier: GPL-2.0 */
/* saved.h: words in a process's memory, off the threads' stacks, that point into code about to be written over. */
#ifndef LKP_SAVED_H
#define LKP_SAVED_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/lkp.h>

#include "session.h"
#include "target.h"

/* More writable memory than this to read, and nothing is known (-EFBIG). */
#define LKP_SAVED_MAX_BYTES	(256ULL << 20)

/*
 * Look through the process's private writable memory (t->rw, from the
 * target's read of its maps: heap, data, bss, anonymous mappings, where a
 * suspended coroutine's stack or a saved context lives) for an 8-byte
 * aligned word inside one of the n ranges [start, end). Left out: the
 * mappings a thread's stack pointer is in (the transaction checks those
 * itself, precisely, and their unused parts hold stale words; a runnable
 * thread's is not known, and its stack is looked through). hit[k] is set
 * for each range some word points into. 0, or -errno: -EFBIG when there is
 * more than LKP_SAVED_MAX_BYTES to read, and then nothing is known.
 */
int lkp_saved_scan(const struct lkp_session *s, const struct lkp_target *t,
		   const struct lkp_range *r, unsigned int n, bool *hit);

#endif /* LKP_SAVED_H */
