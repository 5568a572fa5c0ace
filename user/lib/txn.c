// SPDX-License-Identifier: GPL-2.0
/* txn.c: one LKP_IOC_TRANSACTION for every function of every object of a process, all or nothing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "procmaps.h"
#include "threads.h"
#include "txn.h"
#include "unwind.h"

#define MAX_FRAMES	512
/* As much of a stack as the kernel's scan reads (LKP_MAX_STACK_SCAN). */
#define STACK_SCAN_MAX	(8u << 20)

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

static int push_range(struct lkp_range **v, unsigned int *cap, unsigned int *n, uint64_t start,
		      uint64_t end)
{
	if (start >= end)
		return 0;
	if (grow(v, cap, *n + 1, sizeof(**v)))
		return -ENOMEM;
	(*v)[(*n)++] = (struct lkp_range){ .start = start, .end = end };
	return 0;
}

int lkp_txn_range(struct lkp_txn *t, uint64_t start, uint64_t end)
{
	return push_range(&t->ranges, &t->cap_ranges, &t->nr_ranges, start, end);
}

int lkp_txn_opaque_range(struct lkp_txn *t, uint64_t start, uint64_t end)
{
	return push_range(&t->opaque, &t->cap_opaque, &t->nr_opaque, start, end);
}

static bool in_opaque(const struct lkp_txn *t, uint64_t a)
{
	unsigned int i;

	for (i = 0; i < t->nr_opaque; i++)
		if (a >= t->opaque[i].start && a < t->opaque[i].end)
			return true;
	return false;
}

static bool in_ranges(const struct lkp_txn *t, uint64_t a, bool retaddr)
{
	unsigned int i;

	/* A return address is never the first byte of a function: that is a pointer. */
	for (i = 0; i < t->nr_ranges; i++)
		if (a >= t->ranges[i].start + retaddr && a < t->ranges[i].end)
			return true;
	return false;
}

/*
 * Could this thread be in the way at all? Only if its ip, or a word of its
 * stack from sp to the end of the mapping that holds sp, is in a range or
 * in code in place: the kernel's conservative test, done here per thread
 * (the kernel names only the first thread it finds). A thread with no such
 * word has no frame there, whatever its unwinding would say, so only the
 * others are unwound: on a server with one worker holding a stale word,
 * one thread instead of all of them, inside the pause.
 */
/* [lo, hi): the hull of the ranges and the code in place, to spare most words the search. */
struct hull {
	uint64_t lo, hi;
};

static struct hull ranges_hull(const struct lkp_txn *t)
{
	struct hull h = { UINT64_MAX, 0 };
	unsigned int i;

	for (i = 0; i < t->nr_ranges + t->nr_opaque; i++) {
		const struct lkp_range *r = i < t->nr_ranges ? &t->ranges[i] :
					    &t->opaque[i - t->nr_ranges];

		h.lo = r->start < h.lo ? r->start : h.lo;
		h.hi = r->end > h.hi ? r->end : h.hi;
	}
	return h;
}

static bool thread_suspect(const struct lkp_txn *t, const struct lkp_session *s,
			   const struct lkp_maps *m, const struct hull *h,
			   const struct lkp_thread *th, uint64_t *buf)
{
	const struct lkp_vma *v = m ? lkp_maps_find(m, th->regs.sp) : NULL;
	uint64_t addr = th->regs.sp & ~7ULL, end, n, i;

	if (in_ranges(t, th->regs.ip, false) || in_opaque(t, th->regs.ip))
		return true;
	if (!v)
		return true;	/* no maps, or sp in none: unwind it */
	end = v->end - addr > STACK_SCAN_MAX ? addr + STACK_SCAN_MAX : v->end;
	for (; addr < end; addr += n * 8) {
		n = (end - addr) / 8 < 8192 ? (end - addr) / 8 : 8192;
		if (lkp_mem_read(s, addr, buf, n * 8))
			return true;
		for (i = 0; i < n; i++)
			if (buf[i] >= h->lo && buf[i] < h->hi &&
			    (in_ranges(t, buf[i], true) || in_opaque(t, buf[i])))
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

	b->tid = th->tid;
	if (n <= 0 || n == MAX_FRAMES) {
		b->kind = LKP_BLOCKER_RETADDR;
		b->addr = th->regs.ip;
		return true;
	}
	for (i = 0; i < n; i++) {
		if (in_ranges(t, f[i].ip, i > 0) || in_opaque(t, f[i].ip) ||
		    (f[i].flags & (LKP_FRAME_NO_CFI | LKP_FRAME_STEP_FAILED))) {
			b->kind = i ? LKP_BLOCKER_RETADDR : LKP_BLOCKER_IP;
			b->addr = f[i].ip;
			return true;
		}
	}
	return false;
}

/*
 * What no stack word shows, the kernel still knows: a return address a
 * uretprobe took off a stack (LKP_BLOCKER_URETPROBE). The kernel looks at
 * those before any stack word, so an answer about a word (RETADDR: the
 * stale one the unwinding has just dismissed) says there is none.
 */
static int uretprobe_check(const struct lkp_txn *t, const struct lkp_session *s,
			   struct lkp_blocker *b)
{
	struct lkp_stack_check sc = {
		.ranges = (uintptr_t)t->ranges, .nr_ranges = t->nr_ranges,
	};
	int ret;

	if (!t->nr_ranges)
		return 0;
	ret = lkp_session_ioctl(s, LKP_IOC_STACK_CHECK, &sc);
	if (ret == -EBUSY && sc.blocker.kind == LKP_BLOCKER_RETADDR)
		return 0;
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
	struct lkp_maps maps;
	unsigned int i, n = 0, unwound = 0;
	struct hull hull = ranges_hull(t);
	bool have_maps = false;
	uint64_t *buf;
	int ret;

	f = calloc(MAX_FRAMES, sizeof(*f));
	buf = malloc(8192 * sizeof(*buf));
	if (!f || !buf) {
		free(f);
		free(buf);
		return -EBUSY;
	}
	ret = lkp_unwinder_new(s, &u);
	if (ret)
		goto out;
	ret = lkp_session_ioctl(s, LKP_IOC_FREEZE, &fz);
	if (ret)
		goto out;
	ret = lkp_threads_get(s, &v, &n);
	/* Read in the freeze: the stacks' mappings as they are while it lasts. */
	have_maps = !ret && !lkp_maps_read(s->pid, &maps);
	for (i = 0; !ret && i < n; i++) {
		if (!thread_suspect(t, s, have_maps ? &maps : NULL, &hull, &v[i], buf))
			continue;
		unwound++;
		if (thread_blocks(t, u, &v[i], f, &b))
			ret = -EBUSY;
	}
	t->nr_unwound = unwound;
	if (have_maps)
		lkp_maps_free(&maps);
	if (!ret)
		ret = uretprobe_check(t, s, &b);
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
	free(buf);
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
	free(t->opaque);
	memset(t, 0, sizeof(*t));
}
