/* SPDX-License-Identifier: GPL-2.0 */
/* unwind.h: backtraces of a frozen target's threads, by libunwind's remote API over /proc/PID/mem. */
#ifndef LKP_UNWIND_H
#define LKP_UNWIND_H

#include <stdint.h>

#include "session.h"

/* lkp_frame.flags */
/*
 * The function below this frame (the callee) had no CFI, so libunwind found
 * this frame by following the frame pointer chain: right only if the callee
 * keeps a frame pointer.
 */
#define LKP_FRAME_NO_CFI	(1U << 0)
/* Unwinding stopped here on an error, not at the outermost frame. */
#define LKP_FRAME_STEP_FAILED	(1U << 1)

struct lkp_frame {
	uint64_t ip;		/* frame 0: the thread's ip; above it: a return address */
	unsigned int flags;	/* LKP_FRAME_* */
};

struct lkp_unwinder;

/*
 * An unwinder for the target of s: 0 or -errno. Best made before the
 * freeze (libunwind's setup then does not lengthen the pause). The first
 * lkp_unwind() snapshots the target's mappings, and the unwinder caches
 * what it reads of its memory: from then until lkp_unwinder_free() the
 * target must stay frozen.
 */
int lkp_unwinder_new(const struct lkp_session *s, struct lkp_unwinder **up);
void lkp_unwinder_free(struct lkp_unwinder *u);

/*
 * Unwind the thread whose registers (from LKP_IOC_GET_THREADS) are regs
 * into at most max frames, innermost first: returns the number of frames
 * (at least 1 when max is, the first being regs->ip) or -errno (ENOMEM, or
 * ESRCH when the target's mappings cannot be read).
 */
int lkp_unwind(struct lkp_unwinder *u, const struct lkp_regs *regs, struct lkp_frame *frames,
	       unsigned int max);

/*
 * The same in one call, for a target frozen by the caller: the ips only.
 * Returns the number of frames (>= 1, the first is regs->ip) or -errno.
 */
int lkp_backtrace(const struct lkp_session *s, const struct lkp_regs *regs, uint64_t *ips,
		  unsigned int max);

#endif /* LKP_UNWIND_H */
