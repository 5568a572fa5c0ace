// SPDX-License-Identifier: GPL-2.0
/* lkp_txn.c: freeze, verify, stack check, write, thaw in one call (LKP_IOC_TRANSACTION). */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/sched/signal.h>

#include "lkp.h"

/*
 * One attempt, with the target frozen. The order matters: wrong old bytes
 * (ESTALE) will not go away by retrying, so they are reported before a
 * thread in the way (EBUSY), which may.
 */
static int lkp_txn_once(struct lkp_session *s, struct lkp_transaction *t,
			const struct lkp_pokes *p, const struct lkp_ranges *r,
			const struct lkp_prescan *ps, struct lkp_snapshot *snap)
{
	int ret;

	memset(snap, 0, sizeof(*snap));
	ret = lkp_session_check_target(s);
	if (ret)
		return ret;
	ret = lkp_snapshot_take(s, snap);
	if (ret)
		return ret;
	ret = lkp_pokes_verify(p, snap, &t->blocker);
	if (!ret && r->nr)
		ret = lkp_stack_check(snap, r, t->max_stack, ps, &t->blocker);
	if (!ret)
		ret = lkp_pokes_check_syscall_ip(p, snap, &t->blocker);
	if (!ret)
		ret = lkp_pokes_write(p, snap);
	return ret;
}

int lkp_ioc_transaction(struct file *file, void *karg)
{
	struct lkp_session *s = file->private_data;
	struct lkp_transaction *t = karg;
	struct lkp_ranges r = { 0 };
	struct lkp_prescan ps;
	struct lkp_snapshot snap;
	struct lkp_pokes p;
	u32 attempts;
	u64 freeze_ns;
	int ret;

	t->attempts_made = 0;
	t->nr_threads = 0;
	t->pause_ns = 0;
	memset(&t->blocker, 0, sizeof(t->blocker));
	if (t->reserved || (t->flags & ~LKP_FREEZE_PARK_ALL))
		return -EINVAL;
	/* Everything from userspace is copied before the target stops. */
	ret = lkp_pokes_copy(&p, t->entries, t->nr_entries);
	if (ret)
		return ret;
	if (t->nr_ranges) {
		ret = lkp_ranges_copy(&r, t->ranges, t->nr_ranges);
		if (ret)
			goto free_pokes;
	}
	/* The transaction owns the freeze: it cannot nest in the caller's. */
	if (lkp_session_frozen(s)) {
		ret = -EALREADY;
		goto free_ranges;
	}

	attempts = t->attempts ?: 1;
	for (;;) {
		t->attempts_made++;
		memset(&t->blocker, 0, sizeof(t->blocker));
		/* The stacks of the sleepers are read before the pause starts. */
		ret = lkp_prescan_take(s, &r, t->max_stack, &ps);
		if (ret)
			break;
		lkp_prescan_gap();
		ret = lkp_session_freeze(s, t->flags, t->timeout_ms,
					 &t->nr_threads, &freeze_ns);
		if (ret) {
			lkp_prescan_free(&ps);
			break;
		}
		ret = lkp_txn_once(s, t, &p, &r, &ps, &snap);
		lkp_session_thaw(s, &t->pause_ns);
		/* Dropping the task references is no part of the pause. */
		lkp_snapshot_free(&snap);
		lkp_prescan_free(&ps);
		if (ret != -EBUSY || t->attempts_made >= attempts)
			break;
		if (msleep_interruptible(t->retry_delay_ms)) {
			ret = -EINTR;
			break;
		}
	}
free_ranges:
	lkp_ranges_free(&r);
free_pokes:
	lkp_pokes_free(&p);
	return ret;
}
