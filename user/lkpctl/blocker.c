// SPDX-License-Identifier: GPL-2.0
/* blocker.c: telling the user which thread kept a patch from going live, and where it was. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "lkpctl.h"
#include "out.h"
#include "session.h"
#include "symbolize.h"
#include "threads.h"
#include "unwind.h"

#define MAX_FRAMES 32

static const char *const kinds[] = {
	[LKP_BLOCKER_NONE] = "none",
	[LKP_BLOCKER_IP] = "executing at",
	[LKP_BLOCKER_RETADDR] = "will return to",
	[LKP_BLOCKER_SYSCALL_IP] = "in a system call at",
	[LKP_BLOCKER_URETPROBE] = "will return through a uretprobe to",
};

/*
 * The blocker's backtrace, taken in a freeze of its own: the transaction
 * has thawed the target by the time it reports, so the thread may have
 * moved on since (then its backtrace shows where it is now).
 */
static int backtrace_of(pid_t pid, uint32_t tid, uint64_t *ips, unsigned int max)
{
	struct lkp_freeze f = { .timeout_ms = 1000 };
	struct lkp_thaw th = { 0 };
	struct lkp_thread *v = NULL;
	struct lkp_session s;
	unsigned int i, n;
	int ret;

	ret = lkp_session_open(pid, &s);
	if (ret)
		return ret;
	ret = lkp_session_ioctl(&s, LKP_IOC_FREEZE, &f);
	if (ret)
		goto out;
	ret = lkp_threads_get(&s, &v, &n);
	for (i = 0; !ret && i < n; i++)
		if (v[i].tid == tid)
			break;
	if (!ret)
		ret = i < n ? lkp_backtrace(&s, &v[i].regs, ips, max) : -ESRCH;
	lkp_session_ioctl(&s, LKP_IOC_THAW, &th);
out:
	free(v);
	lkp_session_close(&s);
	return ret;
}

void lkpctl_print_blocker(pid_t pid, const struct lkp_blocker *b)
{
	const char *kind = b->kind < sizeof(kinds) / sizeof(kinds[0]) ? kinds[b->kind] : "?";
	struct lkp_symbolizer *sy;
	uint64_t ips[MAX_FRAMES];
	char sym[256];
	int i, n;

	n = backtrace_of(pid, b->tid, ips, MAX_FRAMES);
	sy = lkp_symbolizer_new(pid);
	if (sy)
		lkp_symbolize(sy, b->addr, sym, sizeof(sym));
	else
		snprintf(sym, sizeof(sym), "0x%" PRIx64, (uint64_t)b->addr);
	if (lkp_json) {
		printf("{\"blocker\":{\"pid\":%d,\"tid\":%u,\"kind\":\"%s\",\"addr\":\"0x%" PRIx64
		       "\",\"symbol\":", (int)pid, b->tid, kind, (uint64_t)b->addr);
		lkp_json_str(stdout, sym);
		printf(",\"backtrace\":[");
	} else {
		fprintf(stderr, "  blocker: thread %u %s %s\n", b->tid, kind, sym);
	}
	for (i = 0; i < n; i++) {
		struct lkp_symbol s;

		sym[0] = 0;
		if (sy && !lkp_symbol_find(sy, ips[i], i ? LKP_SYM_RETADDR : 0, &s))
			lkp_symbol_format(&s, ips[i], sym, sizeof(sym));
		if (lkp_json) {
			if (i)
				putchar(',');
			lkp_json_str(stdout, sym);
		} else {
			fprintf(stderr, "    #%-2d 0x%016" PRIx64 " %s\n", i, ips[i], sym);
		}
	}
	if (lkp_json)
		printf("]}}\n");
	lkp_symbolizer_free(sy);
}
