// SPDX-License-Identifier: GPL-2.0
/* blocker.c: telling the user which thread kept a patch from going live, and where it was. */
#include <inttypes.h>
#include <stdio.h>

#include "lkpctl.h"
#include "out.h"

static const char *const kinds[] = {
	[LKP_BLOCKER_NONE] = "none",
	[LKP_BLOCKER_IP] = "executing at",
	[LKP_BLOCKER_RETADDR] = "will return to",
	[LKP_BLOCKER_SYSCALL_IP] = "in a system call at",
};

void lkpctl_print_blocker(pid_t pid, const struct lkp_blocker *b)
{
	const char *kind = b->kind < sizeof(kinds) / sizeof(kinds[0]) ? kinds[b->kind] : "?";

	if (lkp_json)
		return;
	fprintf(stderr, "  blocker: thread %u %s 0x%" PRIx64 "\n", b->tid, kind, (uint64_t)b->addr);
}
