/* SPDX-License-Identifier: GPL-2.0 */
/* callsite.h: retargeting a patch's call sites (direct calls of replaced functions) at the new code. */
#ifndef LKP_CALLSITE_H
#define LKP_CALLSITE_H

#include "link.h"
#include "record.h"
#include "session.h"
#include "txn.h"

/*
 * The pokes an apply of p (replacing old, or NULL) needs whatever sites it
 * takes: the entry jumps, and what replacing old writes back.
 */
unsigned int lkp_callsites_fixed_pokes(const struct lkpp_patch *p, const struct lkp_applied *old);

/*
 * Choose, with img mapped (its new code's addresses known), the call sites
 * of img's patch to retarget: each within rel32 reach of the new code and
 * holding, in the process now, exactly the original instruction or what
 * old (the live patch img replaces, or NULL) wrote there; at most max of
 * them. The others are left alone: the jump at the old entry covers them.
 * Sets img->sites (for the record and lkp_callsites_txn). 0 or -errno.
 */
int lkp_callsites_plan(struct lkp_image *img, const struct lkp_session *s,
		       const struct lkp_applied *old, unsigned int max);

/*
 * The pokes of one apply: img's sites to the new code, and old's live
 * sites that img neither takes nor covers with an entry jump back to the
 * original. No range: a thread at a call instruction just calls the new
 * code. 0 or -ENOMEM.
 */
int lkp_callsites_txn(struct lkp_txn *t, const struct lkp_image *img,
		      const struct lkp_applied *old);

/* Undo: a's live sites back to the original instruction. 0 or -ENOMEM. */
int lkp_callsites_undo(struct lkp_txn *t, const struct lkp_applied *a);

#endif /* LKP_CALLSITE_H */
