/* SPDX-License-Identifier: GPL-2.0 */
/* txn.h: building one LKP_IOC_TRANSACTION: the jumps to write or take back, the ranges no thread may be in. */
#ifndef LKP_TXN_H
#define LKP_TXN_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/lkp.h>

#include "record.h"
#include "session.h"

struct lkp_txn_opts {
	unsigned int attempts;		/* tries while a thread is in the way */
	unsigned int retry_delay_ms;
	unsigned int timeout_ms;	/* per freeze */
	/*
	 * Apply leaves the new patches' unwind rules not registered instead of
	 * waiting for a thread to run the call: a process held at a hold point
	 * has none to lend (its one thread is inside a uprobe). The caller
	 * registers them once the process runs (lkp_eh_register_live).
	 */
	bool eh_later;
};

struct lkp_txn {
	struct lkp_poke_entry *entries;
	uint8_t *bytes;			/* old and new bytes, LKP_MAX_POKE each per entry */
	struct lkp_range *ranges;
	unsigned int nr_entries, nr_ranges, cap_entries, cap_ranges;
	struct lkp_range *opaque;	/* code the object's CFI does not describe */
	unsigned int nr_opaque, cap_opaque;
	/* Out, after lkp_txn_run. */
	uint64_t pause_ns;
	unsigned int attempts_made, nr_threads;
	unsigned int nr_unwound;	/* threads the precise check had to unwind */
	struct lkp_blocker blocker;
};

/* Write new over old (LKP_JMP_SIZE bytes each) at addr: 0 or -ENOMEM. */
int lkp_txn_poke(struct lkp_txn *t, uint64_t addr, const uint8_t *old, const uint8_t *new);
/* The same for len bytes, in entries of at most LKP_MAX_POKE (lkp_txn_pokes(len) of them). */
int lkp_txn_poke_bytes(struct lkp_txn *t, uint64_t addr, const uint8_t *old, const uint8_t *new,
		       uint32_t len);

static inline unsigned int lkp_txn_pokes(uint32_t len)
{
	return (len + LKP_MAX_POKE - 1) / LKP_MAX_POKE;
}
/* No thread may be in [start, end) nor return into it: 0 or -ENOMEM. */
int lkp_txn_range(struct lkp_txn *t, uint64_t start, uint64_t end);
/*
 * Code whose unwind information in its object is not its own (a function
 * replaced in place): the precise check cannot unwind through a frame
 * there, so such a thread is in the way. Not sent to the kernel.
 */
int lkp_txn_opaque_range(struct lkp_txn *t, uint64_t start, uint64_t end);
/* The transaction: 0, or -errno as LKP_IOC_TRANSACTION (EBUSY, ESTALE...). */
int lkp_txn_run(struct lkp_txn *t, const struct lkp_session *s, const struct lkp_txn_opts *o);
void lkp_txn_free(struct lkp_txn *t);

#endif /* LKP_TXN_H */
