// SPDX-License-Identifier: GPL-2.0
/* txn.c: one LKP_IOC_TRANSACTION for every function of every object of a process, all or nothing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "threads.h"
#include "txn.h"
#include "unwind.h"

#define MAX_FRAMES	512
#define LKP_NR_DATA_MAX	256

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

/* Each entry has room for LKP_MAX_POKE old bytes, then as many new ones. */
#define SLOT		(2 * LKP_MAX_POKE)

static int poke(struct lkp_txn *t, uint64_t addr, const uint8_t *old, const uint8_t *new,
		uint32_t len)
{
	unsigned int cap = t->cap_entries;

	if (grow(&t->entries, &cap, t->nr_entries + 1, sizeof(*t->entries)))
		return -ENOMEM;
	cap = t->cap_entries;
	if (grow(&t->bytes, &cap, t->nr_entries + 1, SLOT))
		return -ENOMEM;
	t->cap_entries = cap;
	memcpy(t->bytes + t->nr_entries * SLOT, old, len);
	memcpy(t->bytes + t->nr_entries * SLOT + LKP_MAX_POKE, new, len);
	t->entries[t->nr_entries++] = (struct lkp_poke_entry){ .addr = addr, .len = len };
	return 0;
}

int lkp_txn_poke(struct lkp_txn *t, uint64_t addr, const uint8_t *old, const uint8_t *new)
{
	return poke(t, addr, old, new, LKP_JMP_SIZE);
}

/*
 * The kernel compares and writes entry by entry, all or nothing: a long
 * write split in entries is still one atomic change for the frozen target.
 */
int lkp_txn_poke_bytes(struct lkp_txn *t, uint64_t addr, const uint8_t *old, const uint8_t *new,
		       uint32_t len)
{
	uint32_t done, n;
	int ret;

	for (done = 0; done < len; done += n) {
		n = len - done < LKP_MAX_POKE ? len - done : LKP_MAX_POKE;
		ret = poke(t, addr + done, old + done, new + done, n);
		if (ret)
			return ret;
	}
	return 0;
}

static int add_range(struct lkp_txn *t, uint64_t start, uint64_t end, bool data)
{
	unsigned int cap = t->cap_ranges;

	if (start >= end)
		return 0;
	if (grow(&t->ranges, &cap, t->nr_ranges + 1, sizeof(*t->ranges)))
		return -ENOMEM;
	cap = t->cap_ranges;
	if (grow(&t->data, &cap, t->nr_ranges + 1, sizeof(*t->data)))
		return -ENOMEM;
	t->cap_ranges = cap;
	t->data[t->nr_ranges] = data;
	t->ranges[t->nr_ranges++] = (struct lkp_range){ .start = start, .end = end };
	return 0;
}

int lkp_txn_range(struct lkp_txn *t, uint64_t start, uint64_t end)
{
	return add_range(t, start, end, false);
}

int lkp_txn_data_range(struct lkp_txn *t, uint64_t start, uint64_t end)
{
	return add_range(t, start, end, true);
}

int lkp_txn_opaque_range(struct lkp_txn *t, uint64_t start, uint64_t end)
{
	if (start >= end)
		return 0;
	if (grow(&t->opaque, &t->cap_opaque, t->nr_opaque + 1, sizeof(*t->opaque)))
		return -ENOMEM;
	t->opaque[t->nr_opaque++] = (struct lkp_range){ .start = start, .end = end };
	return 0;
}

static bool in_opaque(const struct lkp_txn *t, uint64_t a)
{
	unsigned int i;

	for (i = 0; i < t->nr_opaque; i++)
		if (a >= t->opaque[i].start && a < t->opaque[i].end)
			return true;
	return false;
}

static bool in_ranges(const struct lkp_txn *t, uint64_t a, bool retaddr, bool data)
{
	unsigned int i;

	/* A return address is never the first byte of a function: that is a pointer. */
	for (i = 0; i < t->nr_ranges; i++)
		if (t->data[i] == data && a >= t->ranges[i].start + retaddr &&
		    a < t->ranges[i].end)
			return true;
	return false;
}

bool lkp_txn_in_data(const struct lkp_txn *t, uint64_t addr)
{
	return in_ranges(t, addr, false, true);
}

/* A register of a thread pointing into patch data or code that is about to go. */
static bool regs_point_in(const struct lkp_txn *t, const struct lkp_regs *r, uint64_t *at)
{
	const uint64_t v[] = { r->r15, r->r14, r->r13, r->r12, r->bp, r->bx, r->r11, r->r10,
			       r->r9, r->r8, r->ax, r->cx, r->dx, r->si, r->di };
	unsigned int i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (in_ranges(t, v[i], false, true)) {
			*at = v[i];
			return true;
		}
	return false;
}

/*
 * Is this thread in the way, by its unwound call chain? A chain that could
 * not be followed to its end, or only by frame pointers, proves nothing:
 * then it is in the way.
 */
static bool thread_blocks(const struct lkp_txn *t, struct lkp_unwinder *u,
			  const struct lkp_thread *th, struct lkp_frame *f, struct lkp_blocker *b)
{
	int i, n = lkp_unwind(u, &th->regs, f, MAX_FRAMES);
	uint64_t at;

	b->tid = th->tid;
	if (n <= 0 || n == MAX_FRAMES) {
		b->kind = LKP_BLOCKER_RETADDR;
		b->addr = th->regs.ip;
		return true;
	}
	if (regs_point_in(t, &th->regs, &at)) {
		b->kind = LKP_BLOCKER_RETADDR;
		b->addr = at;
		return true;
	}
	for (i = 0; i < n; i++) {
		if (in_ranges(t, f[i].ip, i > 0, false) || in_opaque(t, f[i].ip) ||
		    (f[i].flags & (LKP_FRAME_NO_CFI | LKP_FRAME_STEP_FAILED))) {
			b->kind = i ? LKP_BLOCKER_RETADDR : LKP_BLOCKER_IP;
			b->addr = f[i].ip;
			return true;
		}
	}
	return false;
}

static unsigned int nr_data(const struct lkp_txn *t)
{
	unsigned int i, n = 0;

	for (i = 0; i < t->nr_ranges; i++)
		n += t->data[i];
	return n;
}

static int data_stack_check(const struct lkp_txn *t, const struct lkp_session *s,
			    struct lkp_blocker *b)
{
	struct lkp_range r[LKP_NR_DATA_MAX];
	struct lkp_stack_check sc = { .ranges = (uintptr_t)r };
	unsigned int i;
	int ret;

	for (i = 0; i < t->nr_ranges && sc.nr_ranges < LKP_NR_DATA_MAX; i++)
		if (t->data[i])
			r[sc.nr_ranges++] = t->ranges[i];
	ret = lkp_session_ioctl(s, LKP_IOC_STACK_CHECK, &sc);
	if (ret == -EBUSY)
		*b = sc.blocker;
	return ret;
}

/*
 * The stack check of a transaction is conservative: any stack word that
 * looks like a return address into a range blocks, and a stale one (left
 * in a buffer or an unused slot of a live frame) blocks for as long as it
 * stays there. When that is what stopped the transaction, look once more,
 * precisely: freeze, unwind every thread by its CFI, and write only if no
 * call chain goes through the ranges. The pause is longer (every thread is
 * unwound inside it), which is why this is the fallback, not the rule.
 */
static int run_unwound(struct lkp_txn *t, const struct lkp_session *s,
		       const struct lkp_txn_opts *o)
{
	struct lkp_freeze fz = { .timeout_ms = o->timeout_ms };
	struct lkp_poke pk = {
		.entries = (uintptr_t)t->entries,
		.nr_entries = t->nr_entries,
	};
	struct lkp_thaw th = { 0 };
	struct lkp_unwinder *u = NULL;
	struct lkp_thread *v = NULL;
	struct lkp_blocker b = { 0 };
	struct lkp_frame *f;
	unsigned int i, n = 0;
	int ret;

	f = calloc(MAX_FRAMES, sizeof(*f));
	if (!f)
		return -EBUSY;
	ret = lkp_unwinder_new(s, &u);
	if (ret)
		goto out;
	ret = lkp_session_ioctl(s, LKP_IOC_FREEZE, &fz);
	if (ret)
		goto out;
	ret = lkp_threads_get(s, &v, &n);
	for (i = 0; !ret && i < n; i++)
		if (thread_blocks(t, u, &v[i], f, &b))
			ret = -EBUSY;
	/* Pointers into patch data: the kernel's conservative scan of every stack. */
	if (!ret && nr_data(t)) {
		ret = data_stack_check(t, s, &b);
	}
	if (!ret) {
		/* Old bytes and syscall ips are still checked by the kernel, all or nothing. */
		ret = lkp_session_ioctl(s, LKP_IOC_POKE, &pk);
		if (ret == -EBUSY || ret == -ESTALE)
			b = pk.blocker;
	}
	lkp_session_ioctl(s, LKP_IOC_THAW, &th);
	t->pause_ns = th.pause_ns;
	t->nr_threads = n;
	t->attempts_made++;
	if (ret == -EBUSY || ret == -ESTALE)
		t->blocker = b;
out:
	lkp_unwinder_free(u);
	free(v);
	free(f);
	/* The fallback failing for its own reasons leaves the first answer standing. */
	return ret && ret != -ESTALE && ret != -ESRCH ? -EBUSY : ret;
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
		t->entries[i].old_bytes = (uintptr_t)(t->bytes + i * SLOT);
		t->entries[i].new_bytes = (uintptr_t)(t->bytes + i * SLOT + LKP_MAX_POKE);
	}
	ret = lkp_session_ioctl(s, LKP_IOC_TRANSACTION, &tx);
	t->pause_ns = tx.pause_ns;
	t->attempts_made = tx.attempts_made;
	t->nr_threads = tx.nr_threads;
	t->blocker = tx.blocker;
	if (ret == -EBUSY && tx.blocker.kind == LKP_BLOCKER_RETADDR)
		ret = run_unwound(t, s, o);
	return ret;
}

void lkp_txn_free(struct lkp_txn *t)
{
	free(t->entries);
	free(t->bytes);
	free(t->ranges);
	free(t->data);
	free(t->opaque);
	memset(t, 0, sizeof(*t));
}
