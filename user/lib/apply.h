/* SPDX-License-Identifier: GPL-2.0 */
/* apply.h: apply and undo patches in a live process, and what happened, for lkpctl and lkpd. */
#ifndef LKP_APPLY_H
#define LKP_APPLY_H

#include <stdint.h>
#include <sys/types.h>

#include <linux/lkp.h>

#include "patchset.h"
#include "target.h"
#include "txn.h"

enum lkp_action {
	LKP_ACT_APPLIED,		/* patched now */
	LKP_ACT_ALREADY,		/* this very patch was live already: nothing done */
	LKP_ACT_REPLACED,		/* patched now, in place of another patch of the object */
	LKP_ACT_UNDONE,			/* taken back */
	LKP_ACT_CLEANED,		/* a stale record's memory removed */
};

const char *lkp_action_name(enum lkp_action a);

struct lkp_obj_result {
	char *object;			/* the object's path */
	char build_id[2 * LKPP_BUILD_ID_MAX + 1];
	uint64_t patch_id;
	char *patch;			/* the patch file's path */
	enum lkp_action action;
	char **funcs;			/* names of the functions redirected (or restored) */
	unsigned int nr_funcs;
	/*
	 * The memory of the patch this one replaced, or of the patch undone,
	 * stays mapped (not live, harmless): thread kept_tid has a register or
	 * a stack word pointing into it. A later undo or apply frees it.
	 */
	bool kept;
	uint32_t kept_tid;
};

struct lkp_result {
	pid_t pid;
	char comm[32];
	struct lkp_obj_result *objs;
	unsigned int nr_objs;
	unsigned int nr_funcs;		/* functions switched in the transaction */
	uint64_t pause_ns;		/* the pause the threads saw */
	uint64_t total_ns;		/* the whole operation */
	unsigned int attempts;
	unsigned int nr_threads;
	unsigned int nr_unwound;	/* threads the precise check unwound (0: not needed) */
	/*
	 * Patches applied, or live already, without their unwind rules
	 * registered: no thread of the process could run the call, or the
	 * options said to leave it for later (eh_later; docs/apply.md).
	 */
	unsigned int nr_eh_unregistered;
	/*
	 * Functions whose new code would fit in place given the jump instead:
	 * a word on no thread's stack points inside them (saved.c).
	 */
	unsigned int nr_pinned;
	/*
	 * Functions whose new code would fit in place given the jump instead:
	 * their code in the process is not the file's (a uprobe's breakpoint).
	 */
	unsigned int nr_changed;
	/* Patches live already whose unwind rules this apply registered now. */
	unsigned int nr_eh_registered;
	struct lkp_blocker blocker;	/* for -EBUSY: the thread in the way */
	char err[LKP_ERR_SIZE];		/* for an error: object and reason */
};

/*
 * Apply the patches of ps that are for objects mapped in pid, all in one
 * transaction. A patch named as a file must find its object; one found in
 * a directory is skipped when its object is not mapped. Before anything is
 * reachable in the target every refusal is made: an error leaves the target
 * exactly as it was. 0, or -errno with r->err (-EBUSY: r->blocker).
 */
int lkp_apply(pid_t pid, const struct lkp_patchset *ps, const struct lkp_txn_opts *o,
	      struct lkp_result *r);

/*
 * Undo, in one transaction, the patches of pid that which selects (a patch
 * id, a build-id or a prefix of either, or the id of a patch file; NULL:
 * all), then unmap their memory; stale records selected are cleaned too.
 */
int lkp_undo(pid_t pid, const char *which, const struct lkp_txn_opts *o, struct lkp_result *r);

void lkp_result_free(struct lkp_result *r);

/* The test hook: LKP_TEST_STOP_AT=point stops the calling process there (SIGSTOP). */
void lkp_test_stop_at(const char *point);

#endif /* LKP_APPLY_H */
