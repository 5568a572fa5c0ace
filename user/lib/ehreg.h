/* SPDX-License-Identifier: GPL-2.0 */
/* ehreg.h: registering a patch's unwind rules with the target's libgcc, and taking them back. */
#ifndef LKP_EHREG_H
#define LKP_EHREG_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "record.h"
#include "session.h"
#include "target.h"

/*
 * What the patch's memory holds for it (laid out by lkp_link_layout, filled
 * by lkp_link): in X a stub of LKP_EH_STUB_SIZE bytes, in W a block the stub
 * reads its call from, then one entry per unwind section.
 */
#define LKP_EH_STUB_SIZE	144
struct lkp_eh_block {
	uint64_t fn;			/* the function the stub calls */
	uint64_t arg0, arg1;		/* its first two arguments */
	uint64_t done;			/* set to 1 by the stub once the call returned */
	uint64_t result;		/* what it returned */
	uint64_t stack;			/* bytes the stub takes below the frame for xsave */
	uint64_t reserved[2];
};
enum { LKP_EH_NO, LKP_EH_YES, LKP_EH_UNKNOWN };
struct lkp_eh_entry {
	uint64_t eh_frame;		/* the section's run-time address (in R) */
	uint64_t registered;		/* LKP_EH_*: whether libgcc holds object */
	uint64_t object[10];		/* libgcc's struct object (48 bytes in GCC 12) */
};

/*
 * Whether the process has a libgcc_s to register unwind rules with: most C
 * processes never load it, and then a patch gets no stub and no block
 * (nothing there unwinds, see docs/apply.md).
 */
bool lkp_eh_possible(const struct lkp_target *t);

/* The stub's bytes for the block at block (LKP_EH_STUB_SIZE bytes at buf). */
void lkp_eh_fill_stub(uint8_t *buf, uint64_t block);

/*
 * Register the unwind sections of a just-written patch a (its record read
 * back, or built: rec_addr unused) with __register_frame_info of the
 * target's libgcc_s.so.1. 0 (also when a has no unwind section or the
 * process has no libgcc_s: nothing unwinds there that could use them, see
 * docs/apply.md), or -errno with err saying why; on error, what was
 * registered stays so (the entries say which) and must be taken back.
 * -ETIMEDOUT: no thread of the process could run the call (all asleep in
 * calls that must not be interrupted), nothing registered by that call.
 */
int lkp_eh_register(const struct lkp_session *s, struct lkp_target *t, uint64_t eh_area,
		    uint64_t eh_stub, uint32_t nr_eh, char *err);
/*
 * Take back what is registered (__deregister_frame_info). 0 when nothing of
 * it is registered any more: only then may its memory go. An entry whose
 * registration never said it was done stays (-EBUSY), memory and all.
 */
int lkp_eh_deregister(const struct lkp_session *s, struct lkp_target *t, uint64_t eh_area,
		      uint64_t eh_stub, uint32_t nr_eh, char *err);
/*
 * Whether libgcc may hold any of the entries (registered, unknown, or
 * unreadable): only then is there anything to take back, and the target
 * worth opening (its maps, which a process of many threads makes long).
 */
bool lkp_eh_any_held(const struct lkp_session *s, uint64_t eh_area, uint32_t nr_eh);
/* Whether any of the entries is known not registered: a later call may register it. */
bool lkp_eh_any_unregistered(const struct lkp_session *s, uint64_t eh_area, uint32_t nr_eh);
/*
 * Register the unwind rules of the live patch a where they are not
 * registered (ehlive.c): 0, *done set when a call registered any now, or
 * -errno as lkp_eh_register (-ETIMEDOUT: no thread could run the call).
 */
int lkp_eh_register_applied(const struct lkp_session *s, struct lkp_target *t,
			    const struct lkp_applied *a, bool *done, char *err);
/*
 * The same for every live patch in process pid: those applied while no
 * thread could run the call, or by lkpd at a hold point (lkp_txn_opts'
 * eh_later). 0, *nr_done the patches registered now, or -errno with err
 * saying why (-ETIMEDOUT: no thread could run the call, the rules stay
 * not registered; -ESRCH: the process is gone).
 */
int lkp_eh_register_live(pid_t pid, unsigned int *nr_done, char *err);
/* "registered", "not registered", "partly registered", "unknown" or "none" (no unwind section). */
const char *lkp_eh_state(const struct lkp_session *s, const struct lkp_applied *a);
#endif /* LKP_EHREG_H */
