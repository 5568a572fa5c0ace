// SPDX-License-Identifier: GPL-2.0
/* stack.c: `lkpctl stack -p PID`: every thread of a process, frozen, with its backtrace. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lkpctl.h"
#include "out.h"
#include "session.h"
#include "symbolize.h"
#include "threads.h"
#include "unwind.h"

#define DEFAULT_FRAMES	64
#define MAX_FRAMES	1024

static const char stack_usage[] =
	"usage: lkpctl [--json] stack [--json] [-n FRAMES] -p PID\n"
	"\n"
	"Freeze process PID through lkp.ko, unwind every thread's stack, thaw it,\n"
	"and print the backtraces. The target pauses only while the stacks are\n"
	"unwound (symbols are read after the thaw); threads asleep in the kernel\n"
	"are not woken. Errors exit with status 1 (2 for a usage error).\n"
	"\n"
	"Each thread shows its tid and state: \"asleep in syscall N\" (frozen\n"
	"where it slept), \"parked in syscall N\" (it woke and parked on its way\n"
	"out), \"parked\" (stopped in user code) or \"preempted\" (off its CPU in\n"
	"user code: parks when it next runs). Then its frames, innermost first:\n"
	"\n"
	"  #1   0x000055d0c0ffee42 inner+0x12 (prog)\n"
	"  #2   0x00007f3c2a83924a ?? (libc.so.6, vaddr 0x2724a)\n"
	"\n"
	"as function+offset (object); where no symbol covers the address (a\n"
	"stripped object has only its dynamic symbols) the object and the\n"
	"address in its ELF file, for addr2line. \"[no CFI]\" marks a frame found\n"
	"by the frame pointer because the function below it has no unwind\n"
	"information: right only if that function keeps a frame pointer.\n"
	"\"unwinding stopped\" says the backtrace ends before the outermost frame.\n"
	"\n"
	"  -p, --pid PID     the process to show\n"
	"  -n, --frames N    at most N frames per thread (default 64, at most 1024)\n"
	"  -j, --json        one JSON object:\n"
	"                    {\"pid\", \"nr_threads\", \"pause_ns\", \"threads\": [{\"tid\",\n"
	"                     \"state\": \"asleep\"|\"parked\"|\"preempted\", \"in_syscall\",\n"
	"                     \"syscall\": its number or null, \"frames\": [{\"ip\",\n"
	"                     \"symbol\", \"offset\", \"object\", \"vaddr\", \"no_cfi\"}],\n"
	"                     \"stopped\": unwinding stopped early}]}\n"
	"                    Addresses (ip, vaddr) are hex strings, other numbers JSON\n"
	"                    numbers; symbol, offset, object, vaddr are null if unknown.\n"
	"  -h, --help        this text\n";

struct stack_thread {
	struct lkp_thread t;
	struct lkp_frame *frames;
	struct lkp_symbol *syms;	/* one per frame, filled after the thaw */
	unsigned int nr_frames;
};

/* What one freeze saw: the threads, their frames, and the mappings to name them. */
struct stack_snap {
	struct stack_thread *threads;
	unsigned int nr_threads;
	uint64_t pause_ns;
	struct lkp_symbolizer *sy;
};

static void snap_free(struct stack_snap *snap)
{
	unsigned int i;

	for (i = 0; i < snap->nr_threads; i++) {
		free(snap->threads[i].frames);
		free(snap->threads[i].syms);
	}
	free(snap->threads);
	lkp_symbolizer_free(snap->sy);
	memset(snap, 0, sizeof(*snap));
}

static int tid_cmp(const void *a, const void *b)
{
	const struct stack_thread *x = a, *y = b;

	return x->t.tid < y->t.tid ? -1 : x->t.tid > y->t.tid;
}

/* LKP_IOC_GET_THREADS into snap->threads, grown while the module says ENOSPC. */
static int get_threads(const struct lkp_session *s, struct stack_snap *snap)
{
	struct lkp_thread *buf;
	unsigned int i, n;
	int ret;

	ret = lkp_threads_get(s, &buf, &n);
	if (ret)
		return ret;
	snap->threads = calloc(n ? n : 1, sizeof(*snap->threads));
	if (!snap->threads) {
		free(buf);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		snap->threads[i].t = buf[i];
	snap->nr_threads = n;
	free(buf);
	return 0;
}

/*
 * Freeze, list and unwind the threads, snapshot the mappings for the
 * symbolizer, thaw. The target is thawed on every path (and the module
 * thaws it anyway when the session closes). *what names the failed step.
 */
static int take_snapshot(const struct lkp_session *s, unsigned int max_frames,
			 struct stack_snap *snap, const char **what)
{
	struct lkp_freeze fz = { 0 };
	struct lkp_thaw th = { 0 };
	struct lkp_unwinder *u;
	unsigned int i;
	int ret, thaw_ret;

	memset(snap, 0, sizeof(*snap));
	/* Before the freeze: libunwind's setup is no part of the pause. */
	*what = "setting up the unwinder";
	ret = lkp_unwinder_new(s, &u);
	if (ret)
		return ret;
	*what = "freezing it";
	ret = lkp_session_ioctl(s, LKP_IOC_FREEZE, &fz);
	if (ret)
		goto free_u;
	*what = "listing its threads";
	ret = get_threads(s, snap);
	if (ret)
		goto thaw;
	*what = "reading its mappings";
	snap->sy = lkp_symbolizer_new(s->pid);
	if (!snap->sy) {
		ret = -errno;
		goto thaw;
	}
	*what = "unwinding";
	for (i = 0; i < snap->nr_threads; i++) {
		struct stack_thread *t = &snap->threads[i];

		t->frames = calloc(max_frames, sizeof(*t->frames));
		if (!t->frames) {
			ret = -ENOMEM;
			goto thaw;
		}
		ret = lkp_unwind(u, &t->t.regs, t->frames, max_frames);
		if (ret < 0)
			goto thaw;
		t->nr_frames = ret;
		ret = 0;
	}
thaw:
	thaw_ret = lkp_session_ioctl(s, LKP_IOC_THAW, &th);
	if (!ret && thaw_ret) {
		*what = "thawing it";
		ret = thaw_ret;
	}
free_u:
	lkp_unwinder_free(u);
	if (ret) {
		snap_free(snap);
		return ret;
	}
	snap->pause_ns = th.pause_ns;
	qsort(snap->threads, snap->nr_threads, sizeof(*snap->threads), tid_cmp);
	return 0;
}

static const char *thread_state(const struct lkp_thread *t)
{
	if (t->flags & LKP_THREAD_PARKED)
		return "parked";
	return t->flags & LKP_THREAD_IN_SYSCALL ? "asleep" : "preempted";
}

/* Name every frame, after the thaw: above frame 0 the ip is a return address. */
static int resolve(struct stack_snap *snap)
{
	unsigned int i, j;
	int ret;

	for (i = 0; i < snap->nr_threads; i++) {
		struct stack_thread *t = &snap->threads[i];

		t->syms = calloc(t->nr_frames ? t->nr_frames : 1, sizeof(*t->syms));
		if (!t->syms)
			return -ENOMEM;
		for (j = 0; j < t->nr_frames; j++) {
			ret = lkp_symbol_find(snap->sy, t->frames[j].ip, j ? LKP_SYM_RETADDR : 0,
					      &t->syms[j]);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static bool stopped_early(const struct stack_thread *t)
{
	return t->nr_frames && (t->frames[t->nr_frames - 1].flags & LKP_FRAME_STEP_FAILED);
}

static void print_json(pid_t pid, const struct stack_snap *snap)
{
	unsigned int i, j;

	printf("{\"pid\":%d,\"nr_threads\":%u,\"pause_ns\":%" PRIu64 ",\"threads\":[", (int)pid,
	       snap->nr_threads, snap->pause_ns);
	for (i = 0; i < snap->nr_threads; i++) {
		const struct stack_thread *t = &snap->threads[i];
		bool in_syscall = t->t.flags & LKP_THREAD_IN_SYSCALL;

		printf("%s{\"tid\":%u,\"state\":\"%s\",\"in_syscall\":%s,\"syscall\":",
		       i ? "," : "", t->t.tid, thread_state(&t->t), in_syscall ? "true" : "false");
		if (in_syscall)
			printf("%" PRId64, (int64_t)t->t.regs.orig_ax);
		else
			printf("null");
		printf(",\"frames\":[");
		for (j = 0; j < t->nr_frames; j++) {
			const struct lkp_symbol *sym = &t->syms[j];

			printf("%s{\"ip\":\"0x%" PRIx64 "\",\"symbol\":", j ? "," : "",
			       t->frames[j].ip);
			if (sym->name) {
				lkp_json_str(stdout, sym->name);
				printf(",\"offset\":%" PRIu64, sym->offset);
			} else {
				printf("null,\"offset\":null");
			}
			printf(",\"object\":");
			if (sym->object)
				lkp_json_str(stdout, sym->object);
			else
				printf("null");
			if (sym->vaddr)
				printf(",\"vaddr\":\"0x%" PRIx64 "\"", sym->vaddr);
			else
				printf(",\"vaddr\":null");
			printf(",\"no_cfi\":%s}",
			       t->frames[j].flags & LKP_FRAME_NO_CFI ? "true" : "false");
		}
		printf("],\"stopped\":%s}", stopped_early(t) ? "true" : "false");
	}
	printf("]}\n");
}

static void print_plain(pid_t pid, const struct stack_snap *snap, unsigned int max_frames)
{
	char buf[PATH_MAX + 128];
	unsigned int i, j;

	printf("pid %d: %u thread%s, paused %" PRIu64 " us\n", (int)pid, snap->nr_threads,
	       snap->nr_threads == 1 ? "" : "s", snap->pause_ns / 1000);
	for (i = 0; i < snap->nr_threads; i++) {
		const struct stack_thread *t = &snap->threads[i];

		printf("\nthread %u: %s", t->t.tid, thread_state(&t->t));
		if (t->t.flags & LKP_THREAD_IN_SYSCALL)
			printf(" in syscall %" PRId64, (int64_t)t->t.regs.orig_ax);
		printf("\n");
		for (j = 0; j < t->nr_frames; j++) {
			const struct lkp_symbol *sym = &t->syms[j];

			/* The address is printed already: after it, only what is known of it. */
			if (sym->name)
				lkp_symbol_format(sym, t->frames[j].ip, buf, sizeof(buf));
			else if (sym->object && sym->vaddr)
				snprintf(buf, sizeof(buf), "?? (%s, vaddr 0x%" PRIx64 ")", sym->object,
					 sym->vaddr);
			else if (sym->object)
				snprintf(buf, sizeof(buf), "?? (%s)", sym->object);
			else
				snprintf(buf, sizeof(buf), "??");
			printf("  #%-3u 0x%016" PRIx64 " %s%s\n", j, t->frames[j].ip, buf,
			       t->frames[j].flags & LKP_FRAME_NO_CFI ? " [no CFI]" : "");
		}
		if (stopped_early(t))
			printf("  (unwinding stopped: no way found past this frame)\n");
		else if (t->nr_frames == max_frames)
			printf("  (%u frames shown: -n shows more)\n", max_frames);
	}
}

/* A hint for an error of attaching to pid. */
static const char *attach_hint(int err)
{
	switch (err) {
	case -ESRCH:
		return "";
	case -EPERM:
	case -EACCES:
		return "not allowed to trace it: run as root";
	case -ENOENT:
		return "no /dev/lkp: is lkp.ko loaded? modprobe lkp";
	case -EINVAL:
		return "cannot attach to lkpctl itself";
	}
	return "attaching through /dev/lkp";
}

static int parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || *v > max)
		return -EINVAL;
	return 0;
}

int cmd_stack(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "frames", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long pid = 0, frames = DEFAULT_FRAMES;
	struct lkp_session s;
	struct stack_snap snap;
	const char *what;
	char object[32];
	int c, ret;

	optind = 0;	/* as in cmd_info: also resets main()'s "+" */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "p:n:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_uint(optarg, INT_MAX, &pid) || !pid) {
				lkp_error(optarg, EINVAL, "not a process id; see lkpctl stack --help");
				return LKPCTL_USAGE;
			}
			break;
		case 'n':
			if (parse_uint(optarg, MAX_FRAMES, &frames) || !frames) {
				lkp_error(optarg, EINVAL, "-n takes 1 to %d frames", MAX_FRAMES);
				return LKPCTL_USAGE;
			}
			break;
		case 'j':
			lkp_json = true;
			break;
		case 'h':
			fputs(stack_usage, stdout);
			return 0;
		default:
			lkp_error(argv[optind - 1], EINVAL, "unknown option or missing argument; "
				  "see lkpctl stack --help");
			return LKPCTL_USAGE;
		}
	}
	if (optind < argc) {
		lkp_error(argv[optind], EINVAL, "unexpected argument; see lkpctl stack --help");
		return LKPCTL_USAGE;
	}
	if (!pid) {
		lkp_error("stack", EINVAL, "expects -p PID; see lkpctl stack --help");
		return LKPCTL_USAGE;
	}
	snprintf(object, sizeof(object), "pid %lu", pid);
	ret = lkp_session_open(pid, &s);
	if (ret) {
		lkp_error(object, ret, "%s", attach_hint(ret));
		return ret;
	}
	ret = take_snapshot(&s, frames, &snap, &what);
	lkp_session_close(&s);
	if (ret) {
		lkp_error(object, ret, "%s", what);
		return ret;
	}
	ret = resolve(&snap);
	if (ret)
		lkp_error(object, ret, "naming the frames");
	else if (lkp_json)
		print_json(pid, &snap);
	else
		print_plain(pid, &snap, frames);
	snap_free(&snap);
	return ret;
}
