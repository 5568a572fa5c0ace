// SPDX-License-Identifier: GPL-2.0
/* txn.c: one LKP_IOC_TRANSACTION for every function of every object of a process, all or nothing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "txn.h"

static int grow(void *v, unsigned int *cap, unsigned int need, size_t size)
{
	unsigned int n = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = reallocarray(*(void **)v, n, size);
	if (!p)
		return -ENOMEM;
	*(void **)v = p;
	*cap = n;
	return 0;
}

int lkp_txn_poke(struct lkp_txn *t, uint64_t addr, const uint8_t *old, const uint8_t *new)
{
	unsigned int cap = t->cap_entries;

	if (grow(&t->entries, &cap, t->nr_entries + 1, sizeof(*t->entries)))
		return -ENOMEM;
	cap = t->cap_entries;
	if (grow(&t->bytes, &cap, t->nr_entries + 1, 2 * LKP_JMP_SIZE))
		return -ENOMEM;
	t->cap_entries = cap;
	memcpy(t->bytes + t->nr_entries * 2 * LKP_JMP_SIZE, old, LKP_JMP_SIZE);
	memcpy(t->bytes + t->nr_entries * 2 * LKP_JMP_SIZE + LKP_JMP_SIZE, new, LKP_JMP_SIZE);
	t->entries[t->nr_entries++] = (struct lkp_poke_entry){ .addr = addr, .len = LKP_JMP_SIZE };
	return 0;
}

int lkp_txn_range(struct lkp_txn *t, uint64_t start, uint64_t end)
{
	if (start >= end)
		return 0;
	if (grow(&t->ranges, &t->cap_ranges, t->nr_ranges + 1, sizeof(*t->ranges)))
		return -ENOMEM;
	t->ranges[t->nr_ranges++] = (struct lkp_range){ .start = start, .end = end };
	return 0;
}

int lkp_txn_run(struct lkp_txn *t, const struct lkp_session *s, const struct lkp_txn_opts *o)
{
	struct lkp_transaction tx = {
		.entries = (uintptr_t)t->entries,
		.ranges = (uintptr_t)t->ranges,
		.nr_entries = t->nr_entries,
		.nr_ranges = t->nr_ranges,
		.attempts = o->attempts,
		.retry_delay_ms = o->retry_delay_ms,
		.timeout_ms = o->timeout_ms,
	};
	unsigned int i;
	int ret;

	if (!t->nr_entries)
		return 0;
	if (t->nr_entries > LKP_MAX_POKES || t->nr_ranges > LKP_MAX_RANGES)
		return -E2BIG;
	/* The pointers are set only now: the arrays may have moved while growing. */
	for (i = 0; i < t->nr_entries; i++) {
		t->entries[i].old_bytes = (uintptr_t)(t->bytes + i * 2 * LKP_JMP_SIZE);
		t->entries[i].new_bytes = (uintptr_t)(t->bytes + i * 2 * LKP_JMP_SIZE +
						      LKP_JMP_SIZE);
	}
	ret = lkp_session_ioctl(s, LKP_IOC_TRANSACTION, &tx);
	t->pause_ns = tx.pause_ns;
	t->attempts_made = tx.attempts_made;
	t->nr_threads = tx.nr_threads;
	t->blocker = tx.blocker;
	return ret;
}

void lkp_txn_free(struct lkp_txn *t)
{
	free(t->entries);
	free(t->bytes);
	free(t->ranges);
	memset(t, 0, sizeof(*t));
}
