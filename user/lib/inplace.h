/* SPDX-License-Identifier: GPL-2.0 */
/* inplace.h: what each replaced function's old code gets: a jump to the new code, or the new code itself. */
#ifndef LKP_INPLACE_H
#define LKP_INPLACE_H

#include "link.h"
#include "record.h"
#include "session.h"
#include "txn.h"

/* Old functions larger than this keep the jump: every 64 bytes is a poke in the pause. */
#define LKP_INPLACE_MAX		4096

/* Could f go in place, as far as the patch alone tells? (movable, fits, not too large) */
bool lkp_inplace_candidate(const struct lkpp_func *f);

/*
 * With img mapped (its new code's addresses known), decide for every
 * function img's patch replaces what its old code gets (img->entries), and
 * read what the process holds there now: in place when the patch says
 * the function is movable, its new code fits in the old bytes and the
 * extra pokes fit in max, unless pinned[i] (a saved word points inside
 * it: apply.c); else the jump. old, the live patch img replaces
 * (or NULL), tells what of the bytes there it wrote and what the original
 * was. *used: the pokes taken beyond one per function. 0 or -errno.
 */
int lkp_inplace_plan(struct lkp_image *img, const struct lkp_session *s,
		     const struct lkp_applied *old, const bool *pinned, unsigned int max,
		     unsigned int *used);

/* Is addr within the bytes img writes at an old entry? (a replaced patch's site there goes with them) */
bool lkp_inplace_covers(const struct lkp_image *img, uint64_t addr);

/* The pokes and range of function i of img (after lkp_link). 0 or -ENOMEM. */
int lkp_inplace_txn(struct lkp_txn *t, const struct lkp_image *img, unsigned int i);

/*
 * Function k of a back to its original code: its jump, or its in-place
 * code (then with its old range: the new code runs there). 0 or -ENOMEM.
 */
int lkp_inplace_undo(struct lkp_txn *t, const struct lkp_applied *a, unsigned int k);

/* a's live functions in place are opaque to the precise check (lkp_txn_opaque_range). */
int lkp_inplace_opaque(struct lkp_txn *t, const struct lkp_applied *a);

#endif /* LKP_INPLACE_H */
