// SPDX-License-Identifier: GPL-2.0
/* apply.c: `lkpctl apply` and `lkpctl undo`: patch a live process, or take its patches back. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "applyall.h"
#include "lkpctl.h"
#include "out.h"
#include "progress.h"
#include "scan.h"

static const char apply_usage[] =
	"usage: lkpctl [--json] apply [OPTIONS] (-p PID | --all) PATCH...\n"
	"\n"
	"Patch running processes. PATCH is a patch file (.lkpp) or a directory of them\n"
	"(a patchroot). Each process gets every patch whose build-id matches an object\n"
	"it maps, all in one transaction: its threads are frozen once, checked to be\n"
	"outside the functions being replaced, and released with the jumps in place.\n"
	"A patch named as a file must match an object; one found in a directory is\n"
	"skipped otherwise. Applying a patch that is live already does nothing; a\n"
	"different patch for the same object replaces the one that is live.\n"
	"Prints per process: PID COMM: N objects, M functions, paused X ms. With --all,\n"
	"a progress line on stderr when it is a terminal (processes done, elapsed),\n"
	"none with --json.\n"
	"\n"
	"  -p, --pid PID          the process to patch\n"
	"  -a, --all              every process that maps an object a patch is for,\n"
	"                         several at a time; the results in pid order\n"
	"  -j, --json             one JSON object per process: pid, comm, objects (path,\n"
	"                         build_id, patch, action, functions), functions,\n"
	"                         pause_ms, total_ms, attempts\n"
	"      --attempts N       freezes to try while a thread is in the way (default 10)\n"
	"      --retry-delay MS   wait between them, target running (default 20)\n"
	"      --timeout MS       give up a freeze after MS (default 1000)\n"
	"      --workers N        processes patched at once with --all (default: twice\n"
	"                         the CPUs, at most 16; 1: one after the other)\n"
	"  -h, --help             this text\n"
	"\n"
	"Exit status: 0 done, 1 error (nothing changed), 2 usage, 3 busy: a thread\n"
	"stayed in a patched function through every attempt (nothing changed).\n";

static const char undo_usage[] =
	"usage: lkpctl [--json] undo [OPTIONS] -p PID [PATCH|ID|BUILD-ID|--all]\n"
	"\n"
	"Take patches back: the original code runs again (checked, as for apply, that\n"
	"no thread is inside the patch's code), then the patch's memory is unmapped.\n"
	"Select the patches by patch file, by patch id or build-id (or a prefix, as\n"
	"`lkpctl list` shows them), or all of them. Stale patches (an apply killed half\n"
	"way) that match are cleaned up too.\n"
	"\n"
	"  -p, --pid PID          the process\n"
	"  -a, --all              every patch of the process (the default)\n"
	"  -j, --json             one JSON object: pid, comm, objects (path, build_id,\n"
	"                         patch, action undone|cleaned, functions), pause_ms\n"
	"      --attempts N, --retry-delay MS, --timeout MS   as for apply\n"
	"  -h, --help             this text\n"
	"\n"
	"Exit status: 0 done, 1 error, 2 usage, 3 busy (nothing changed).\n";

enum { OPT_ATTEMPTS = 256, OPT_RETRY, OPT_TIMEOUT, OPT_WORKERS };

struct op_args {
	pid_t pid;
	bool all;
	unsigned int workers;		/* apply --all: 0, the library's default */
	struct lkp_txn_opts txn;
};

static int parse_uint(const char *s, unsigned int *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || !*s || *end || n > 1000000)
		return -EINVAL;
	*v = n;
	return 0;
}

/* The options apply and undo share; optind is left at the first operand. */
static int parse(int argc, char **argv, const char *usage, struct op_args *a)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "attempts", required_argument, NULL, OPT_ATTEMPTS },
		{ "retry-delay", required_argument, NULL, OPT_RETRY },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "workers", required_argument, NULL, OPT_WORKERS },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int pid;
	int c;

	memset(a, 0, sizeof(*a));
	a->txn = (struct lkp_txn_opts){ .attempts = 10, .retry_delay_ms = 20, .timeout_ms = 1000 };
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:ajh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_uint(optarg, &pid) || !pid) {
				lkp_error(optarg, 0, "not a process id");
				return LKPCTL_USAGE;
			}
			a->pid = pid;
			break;
		case 'a':
			a->all = true;
			break;
		case 'j':
			lkp_json = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		case OPT_ATTEMPTS:
		case OPT_RETRY:
		case OPT_TIMEOUT:
			if (parse_uint(optarg, c == OPT_ATTEMPTS ? &a->txn.attempts :
				       c == OPT_RETRY ? &a->txn.retry_delay_ms : &a->txn.timeout_ms)) {
				lkp_error(optarg, 0, "not a number in range");
				return LKPCTL_USAGE;
			}
			break;
		case OPT_WORKERS:
			/* Only apply patches several processes. */
			if (usage != apply_usage) {
				fputs(usage, stderr);
				return LKPCTL_USAGE;
			}
			if (parse_uint(optarg, &a->workers) || !a->workers) {
				lkp_error(optarg, 0, "not a number in range");
				return LKPCTL_USAGE;
			}
			break;
		default:
			fputs(usage, stderr);
			return LKPCTL_USAGE;
		}
	}
	return 0;
}

static void print_result(const struct lkp_result *r, bool undo)
{
	unsigned int i, k, done = 0, cleaned = 0, kept = 0, tid = 0;

	for (i = 0; i < r->nr_objs; i++) {
		done += r->objs[i].action != LKP_ACT_ALREADY && r->objs[i].action != LKP_ACT_CLEANED;
		cleaned += r->objs[i].action == LKP_ACT_CLEANED;
		if (r->objs[i].kept && !kept++)
			tid = r->objs[i].kept_tid;
	}
	if (!lkp_json && kept && tid)
		printf("%d %s: the memory of %u %s patch%s stays mapped, not live: thread %u points "
		       "into it (a later undo or apply frees it)\n", (int)r->pid, r->comm, kept,
		       undo ? "undone" : "replaced", kept == 1 ? "" : "es", tid);
	else if (!lkp_json && kept)
		printf("%d %s: the memory of %u %s patch%s stays mapped, not live: its unwind rules "
		       "could not be taken back from libgcc (list shows their state)\n",
		       (int)r->pid, r->comm, kept, undo ? "undone" : "replaced",
		       kept == 1 ? "" : "es");
	if (!lkp_json && r->nr_eh_registered)
		printf("%d %s: the unwind rules of %u patch%s live already are registered now\n",
		       (int)r->pid, r->comm, r->nr_eh_registered,
		       r->nr_eh_registered == 1 ? "" : "es");
	if (!lkp_json && r->nr_eh_unregistered)
		printf("%d %s: the unwind rules of %u patch%s are not registered: no thread could "
		       "run the call (a C++ throw through the new code ends the process)\n",
		       (int)r->pid, r->comm, r->nr_eh_unregistered,
		       r->nr_eh_unregistered == 1 ? "" : "es");
	if (!lkp_json) {
		if (cleaned)
			printf("%d %s: %u stale patch%s cleaned up\n", (int)r->pid, r->comm, cleaned,
			       cleaned == 1 ? "" : "es");
		if (!done && cleaned)
			return;
		if (!done)
			printf("%d %s: already applied\n", (int)r->pid, r->comm);
		else
			printf("%d %s: %s%u object%s, %u function%s, paused %.2f ms\n", (int)r->pid,
			       r->comm, undo ? "undone: " : "", done, done == 1 ? "" : "s",
			       r->nr_funcs, r->nr_funcs == 1 ? "" : "s", r->pause_ns / 1e6);
		return;
	}
	printf("{\"pid\":%d,\"comm\":", (int)r->pid);
	lkp_json_str(stdout, r->comm);
	printf(",\"objects\":[");
	for (i = 0; i < r->nr_objs; i++) {
		const struct lkp_obj_result *o = &r->objs[i];

		printf("%s{\"path\":", i ? "," : "");
		lkp_json_str(stdout, o->object);
		printf(",\"build_id\":\"%s\",\"patch\":\"%016" PRIx64 "\",\"file\":", o->build_id,
		       o->patch_id);
		lkp_json_str(stdout, o->patch);
		printf(",\"action\":\"%s\",", lkp_action_name(o->action));
		if (o->kept)
			printf("\"memory_kept_by\":%u,", o->kept_tid);
		printf("\"functions\":[");
		for (k = 0; k < o->nr_funcs; k++) {
			if (k)
				putchar(',');
			lkp_json_str(stdout, o->funcs[k]);
		}
		printf("]}");
	}
	printf("],\"unwind_unregistered\":%u,\"unwind_registered_now\":%u,\"not_in_place_saved\":%u,"
	       "\"not_in_place_changed\":%u,"
	       "\"functions\":%u,\"pause_ms\":%.3f,\"total_ms\":%.3f,\"attempts\":%u,\"threads\":%u,"
	       "\"unwound\":%u}\n",
	       r->nr_eh_unregistered, r->nr_eh_registered, r->nr_pinned, r->nr_changed, r->nr_funcs,
	       r->pause_ns / 1e6,
	       r->total_ns / 1e6, r->attempts, r->nr_threads, r->nr_unwound);
}

/* One process's failure: one line; a busy one also says which thread and where. */
static int report_error(int ret, const struct lkp_result *r)
{
	char obj[64];

	snprintf(obj, sizeof(obj), "%d%s%s", (int)r->pid, *r->comm ? " " : "", r->comm);
	lkp_error(obj, ret, "%s", r->err);
	if (ret == -EBUSY)
		lkpctl_print_blocker(r->pid, &r->blocker);
	return ret == -EBUSY ? LKPCTL_BUSY : ret;
}

/* One process's result, in pid order: its line, and the exit status so far. */
static void apply_done(unsigned int i, int ret, const struct lkp_result *r, void *arg)
{
	int *worst = arg;

	lkp_progress_hold();
	if (ret) {
		ret = report_error(ret, r);
		if (!*worst || ret == LKPCTL_BUSY)
			*worst = ret;
	} else {
		print_result(r, false);
	}
	lkp_progress_release();
}

int cmd_apply(int argc, char **argv)
{
	struct lkp_patchset ps = { 0 };
	char err[LKP_ERR_SIZE];
	struct op_args a;
	pid_t *pids = NULL;
	unsigned int n = 0, i;
	int ret, worst = 0;

	ret = parse(argc, argv, apply_usage, &a);
	if (ret)
		return ret < 0 ? 0 : ret;
	if ((!a.pid) == (!a.all) || optind >= argc) {
		fputs(apply_usage, stderr);
		return LKPCTL_USAGE;
	}
	for (i = optind; i < (unsigned int)argc; i++) {
		ret = lkp_patchset_add(&ps, argv[i], err);
		if (ret) {
			lkp_error(argv[i], ret, "%s", err);
			goto out;
		}
	}
	if (a.all) {
		ret = lkp_scan_pids(&ps, &pids, &n);
		if (ret) {
			lkp_error("/proc", ret, "cannot list the processes");
			goto out;
		}
		lkp_test_stop_at("after-scan");
		/* In a directory or not, a patch may fit none of a given process's objects. */
		for (i = 0; i < ps.n; i++)
			ps.v[i].named = false;
	} else {
		pids = malloc(sizeof(*pids));
		if (!pids) {
			ret = -ENOMEM;
			goto out;
		}
		pids[n++] = a.pid;
	}
	/* Many processes take a while: say how far, on a terminal. */
	if (a.all)
		lkp_progress_begin("lkpctl apply", "processes", n);
	ret = lkp_apply_many(pids, n, &ps, &a.txn, a.workers, apply_done, &worst);
	lkp_progress_end();
	if (ret) {
		lkp_error(NULL, ret, "cannot start the workers");
		goto out;
	}
	ret = worst;
out:
	free(pids);
	lkp_patchset_free(&ps);
	return ret;
}

int cmd_undo(int argc, char **argv)
{
	struct lkp_patchset ps = { 0 };
	const char *which = NULL;
	char err[LKP_ERR_SIZE], id[17];
	struct lkp_result r;
	struct op_args a;
	int ret;

	ret = parse(argc, argv, undo_usage, &a);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (!a.pid || argc - optind > 1 || (a.all && optind < argc)) {
		fputs(undo_usage, stderr);
		return LKPCTL_USAGE;
	}
	if (optind < argc) {
		which = argv[optind];
		/* A patch file stands for its patch id. */
		if (strchr(which, '/') || strstr(which, ".lkpp")) {
			ret = lkp_patchset_add(&ps, which, err);
			if (ret || ps.n != 1) {
				lkp_error(which, ret ? ret : -EINVAL, "%s",
					  ret ? err : "name one patch file");
				lkp_patchset_free(&ps);
				return ret ? ret : -EINVAL;
			}
			snprintf(id, sizeof(id), "%016" PRIx64, ps.v[0].id);
			which = id;
		}
	}
	ret = lkp_undo(a.pid, which, &a.txn, &r);
	if (ret)
		ret = report_error(ret, &r);
	else
		print_result(&r, true);
	lkp_result_free(&r);
	lkp_patchset_free(&ps);
	return ret;
}
