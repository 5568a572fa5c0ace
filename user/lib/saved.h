/* SPDX-License-Identifier: GPL-2.0 */
/* saved.h: words in a process's memory, off the threads' stacks, that point into code or data about to change or go. */
#ifndef LKP_SAVED_H
#define LKP_SAVED_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/lkp.h>

#include "session.h"

/* More writable memory than this to read, and nothing is known (-EFBIG). */
#define LKP_SAVED_MAX_BYTES	(256ULL << 20)

/* The first word found: where it is, and what it holds. */
struct lkp_saved {
	uint64_t at;
	uint64_t value;
};

/*
 * Look through the process's private writable memory (heap, data, bss,
 * anonymous mappings: where a suspended coroutine's stack, a saved context
 * or a stored function pointer lives) for an 8-byte aligned word inside
 * one of the n ranges [start, end). Left out: the mappings a thread's stack
 * pointer is in (the transaction checks those itself, precisely, and their
 * unused parts hold stale words; a thread on a CPU at the time is not
 * found, and its stack is looked through) and the skip ranges. hit[k] is set for
 * each range some word points into; *first (if not NULL) is the first
 * word found. 0, or -errno: -EFBIG when there is more than
 * LKP_SAVED_MAX_BYTES to read, and then nothing is known.
 */
int lkp_saved_scan(const struct lkp_session *s, const struct lkp_range *r, unsigned int n,
		   const struct lkp_range *skip, unsigned int nskip, bool *hit,
		   struct lkp_saved *first);

#endif /* LKP_SAVED_H */
