/* SPDX-License-Identifier: GPL-2.0 */
/* release.h: the memory of patches out of use: unmapped, unless a thread may still point into it. */
#ifndef LKP_RELEASE_H
#define LKP_RELEASE_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/lkp.h>

#include "record.h"
#include "session.h"

/* LKP_IOC_UNMAP of what LKP_IOC_MAP mapped; 0 or -errno. */
int lkp_unmap(const struct lkp_session *s, uint64_t addr, uint64_t len);

/* Unmaps a record's mappings, R last (a failure half way leaves the record findable). */
void lkp_unmap_record(const struct lkp_session *s, const struct lkp_applied *a);

/*
 * The n records at recs, whose code no thread runs any more (undone,
 * replaced, or never live), in one freeze: each is unmapped unless a
 * thread has a register or a stack word pointing into one of its
 * mappings; then it stays, kept[i] is set and *b names the first such
 * thread. timeout_ms bounds the freeze, as for the transaction. 0, or
 * -errno when the freeze failed (everything kept, harmless).
 */
int lkp_release(const struct lkp_session *s, const struct lkp_applied *const *recs,
		unsigned int n, unsigned int timeout_ms, bool *kept, struct lkp_blocker *b);

#endif /* LKP_RELEASE_H */
