// SPDX-License-Identifier: GPL-2.0
/* apply_bench.c: how long lkp_apply and lkp_undo pause and take, what a patched call costs, apply --all per process. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "applyall.h"
#include "patchset.h"
#include "scan.h"

#define MAX_LIST	16

static const char usage[] =
	"usage: apply_bench -t PROG -p PATCHROOT [-r RUNS] [-n THREADS,...] [-P PROCS,...]\n"
	"                   [-m OP,...] [-i ITERATIONS] [-w WORKERS] [-o FILE] [--no-rt]\n"
	"\n"
	"  -t PROG        the target (bench/apply/target, built by lkp-patch-make)\n"
	"  -p PATCHROOT   the patches lkp-patch-make wrote for it\n"
	"  -r RUNS        runs per median (LKP_BENCH_RUNS, default 7)\n"
	"  -n N,...       threads of the apply/undo targets (LKP_BENCH_THREADS, 1,100,1000,4000)\n"
	"  -P N,...       processes for apply-all (LKP_BENCH_PROCS, 100,1000)\n"
	"  -m OP,...      apply, call, apply-all (LKP_BENCH_OPS, all three)\n"
	"  -i N           calls per timed loop of the call test (LKP_BENCH_ITERS, 2000000)\n"
	"  -w N           apply-all: processes patched at once (LKP_BENCH_WORKERS,\n"
	"                 default 0: lkp_apply_many's default)\n"
	"  -o FILE        also write one JSON object per line to FILE\n"
	"      --no-rt    stay SCHED_OTHER (default: SCHED_FIFO 1, not inherited)\n";

static const char *prog, *patchroot;
static unsigned int runs = 7, iters = 2000000, workers;
static unsigned int threads[MAX_LIST] = { 1, 100, 1000, 4000 }, nr_threads = 4;
static unsigned int procs[MAX_LIST] = { 100, 1000 }, nr_procs = 2;
static bool op_apply = true, op_call = true, op_all = true;
static FILE *json;
static struct lkp_patchset ps;
static const struct lkp_txn_opts txn = { .attempts = 10, .retry_delay_ms = 20, .timeout_ms = 1000 };

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static __attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("apply_bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static unsigned int parse_list(const char *s, unsigned int *v)
{
	unsigned int n = 0;
	char *end;

	while (*s && n < MAX_LIST) {
		v[n++] = strtoul(s, &end, 10);
		if (end == s || !v[n - 1])
			die("bad list: %s", s);
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

static void parse_ops(const char *s)
{
	op_apply = op_call = op_all = false;
	for (char *dup = strdup(s), *tok = strtok(dup, ","); tok; tok = strtok(NULL, ",")) {
		if (!strcmp(tok, "apply"))
			op_apply = true;
		else if (!strcmp(tok, "call"))
			op_call = true;
		else if (!strcmp(tok, "apply-all"))
			op_all = true;
		else
			die("unknown op %s", tok);
	}
}

/*
 * The targets run from a copy on the guest's own filesystem (tmpfs), not
 * from the tree: the VM shares the tree with the host over 9p, where each
 * stat() of the file is a round trip to the host (0.2 to 3.7 ms under load,
 * 15 us on tmpfs), an artefact of the test rig that no server running from
 * its local disk pays. The copy has the same bytes, so the same build-id.
 */
static char local_dir[] = "/tmp/lkp-apply-bench.XXXXXX";
static char local_prog[sizeof(local_dir) + 8];

static void local_copy(void)
{
	char buf[65536];
	ssize_t n;
	int in, out;

	if (!mkdtemp(local_dir))
		die("%s: %m", local_dir);
	snprintf(local_prog, sizeof(local_prog), "%s/prog", local_dir);
	in = open(prog, O_RDONLY | O_CLOEXEC);
	out = open(local_prog, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (in < 0 || out < 0)
		die("copy of %s: %m", prog);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			die("%s: %m", local_prog);
	if (n < 0 || close(out))
		die("%s: %m", local_prog);
	close(in);
	printf("target: %s, run from a copy in %s (the tree is shared over 9p)\n", prog,
	       local_dir);
	prog = local_prog;
}

static void local_remove(void)
{
	unlink(local_prog);
	rmdir(local_dir);
}

/* Processes of the target; copies share one stdin and one stdout pipe. */
struct targets {
	pid_t *pids;
	unsigned int n;
	FILE *in, *out;
};

static void start_targets(struct targets *t, unsigned int copies, unsigned int nr)
{
	int in[2], out[2];
	pid_t self = getpid();
	char arg[16], line[64];
	unsigned int i;

	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		die("pipe: %m");
	snprintf(arg, sizeof(arg), "%u", nr);
	t->pids = calloc(copies, sizeof(*t->pids));
	t->n = copies;
	for (i = 0; i < copies; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork: %m");
		if (!pid) {
			if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != self)
				_exit(1);
			dup2(in[0], 0);
			dup2(out[1], 1);
			execl(prog, prog, arg, (char *)NULL);
			_exit(127);
		}
		t->pids[i] = pid;
	}
	close(in[0]);
	close(out[1]);
	t->in = fdopen(in[1], "w");
	t->out = fdopen(out[0], "r");
	setvbuf(t->in, NULL, _IOLBF, 0);
	for (i = 0; i < copies; i++) {
		if (!fgets(line, sizeof(line), t->out) || strcmp(line, "ready\n"))
			die("target of %u threads did not start (%u of %u copies ready)", nr, i,
			    copies);
	}
}

static void stop_targets(struct targets *t)
{
	unsigned int i;

	fclose(t->in);
	for (i = 0; i < t->n; i++)
		kill(t->pids[i], SIGKILL);
	for (i = 0; i < t->n; i++)
		waitpid(t->pids[i], NULL, 0);
	fclose(t->out);
	free(t->pids);
}

static void check_apply(int ret, const struct lkp_result *r)
{
	if (ret)
		die("apply to %d: %s: %s", (int)r->pid, r->err, strerror(-ret));
	if (r->nr_funcs != 1)
		die("apply to %d switched %u functions, not 1", (int)r->pid, r->nr_funcs);
}

static void do_apply(pid_t pid, struct lkp_result *r)
{
	check_apply(lkp_apply(pid, &ps, &txn, r), r);
}

static void apply_done(unsigned int i, int ret, const struct lkp_result *r, void *arg)
{
	check_apply(ret, r);
}

static void do_undo(pid_t pid, struct lkp_result *r)
{
	int ret = lkp_undo(pid, NULL, &txn, r);

	if (ret)
		die("undo in %d: %s: %s", (int)pid, r->err, strerror(-ret));
	if (r->nr_funcs != 1)
		die("undo in %d switched %u functions, not 1", (int)pid, r->nr_funcs);
}

static double bench_apply(unsigned int nr)
{
	double ap[runs], at[runs], up[runs], ut[runs], apmax = 0, upmax = 0;
	struct lkp_result r;
	struct targets t;
	unsigned int i;

	start_targets(&t, 1, nr);
	usleep(20000);
	for (i = 0; i < runs; i++) {
		do_apply(t.pids[0], &r);
		ap[i] = r.pause_ns / 1e6;
		at[i] = r.total_ns / 1e6;
		if (r.nr_threads != nr || r.attempts != 1)
			fprintf(stderr, "apply_bench: apply at %u: %u threads, %u attempts\n", nr,
				r.nr_threads, r.attempts);
		lkp_result_free(&r);
		usleep(10000);
		do_undo(t.pids[0], &r);
		up[i] = r.pause_ns / 1e6;
		ut[i] = r.total_ns / 1e6;
		lkp_result_free(&r);
		usleep(10000);
		apmax = ap[i] > apmax ? ap[i] : apmax;
		upmax = up[i] > upmax ? up[i] : upmax;
	}
	stop_targets(&t);
	printf("%-10s %6u %10.3f %10.3f %10.3f\n", "apply", nr, median(ap, runs), apmax,
	       median(at, runs));
	printf("%-10s %6u %10.3f %10.3f %10.3f\n", "undo", nr, median(up, runs), upmax,
	       median(ut, runs));
	fflush(stdout);
	if (json) {
		/* The arrays are sorted now: the medians are read again. */
		fprintf(json, "{\"op\": \"apply\", \"threads\": %u, \"pause_ms\": %.3f, "
			"\"total_ms\": %.3f, \"runs\": %u}\n", nr, median(ap, runs),
			median(at, runs), runs);
		fprintf(json, "{\"op\": \"undo\", \"threads\": %u, \"pause_ms\": %.3f, "
			"\"total_ms\": %.3f, \"runs\": %u}\n", nr, median(up, runs),
			median(ut, runs), runs);
		fflush(json);
	}
	return median(ap, runs);
}

/* The fastest of 3 loops of iters calls; *sum: what the calls returned. */
static double time_calls(struct targets *t, unsigned int *sum)
{
	unsigned long long ns, best = ~0ULL;
	char line[64];
	int k;

	for (k = 0; k < 3; k++) {
		fprintf(t->in, "c %u\n", iters);
		if (!fgets(line, sizeof(line), t->out) || sscanf(line, "%llu %u", &ns, sum) != 2)
			die("the call loop did not answer");
		best = ns < best ? ns : best;
	}
	return best;
}

static double bench_call(void)
{
	double ratio[runs], orig[runs], patched[runs], o, p;
	unsigned int s0, s1, i;
	struct lkp_result r;
	struct targets t;

	start_targets(&t, 1, 1);
	time_calls(&t, &s0);		/* warm up */
	for (i = 0; i < runs; i++) {
		o = time_calls(&t, &s0);
		do_apply(t.pids[0], &r);
		lkp_result_free(&r);
		p = time_calls(&t, &s1);
		do_undo(t.pids[0], &r);
		lkp_result_free(&r);
		/* The fix adds 2 to every call's result: the patched code ran. */
		if (s1 != s0 + 2 * iters)
			die("the patched calls returned %u, expected %u", s1, s0 + 2 * iters);
		orig[i] = o / iters;
		patched[i] = p / iters;
		ratio[i] = p / o;
	}
	stop_targets(&t);
	o = median(orig, runs);
	p = median(patched, runs);
	printf("call: %u calls per loop, fastest of 3 loops, %u runs: original %.3f ns, "
	       "patched %.3f ns, ratio %.4f (median of the runs' ratios)\n",
	       iters, runs, o, p, median(ratio, runs));
	if (json) {
		fprintf(json, "{\"op\": \"call\", \"ratio\": %.4f, \"runs\": %u}\n",
			median(ratio, runs), runs);
		fflush(json);
	}
	return median(ratio, runs);
}

static double bench_all(unsigned int nr)
{
	double per[runs], uper[runs];
	pid_t *pids;
	unsigned int i, k, n;
	struct lkp_result r;
	struct targets t;
	uint64_t t0;
	int ret;

	start_targets(&t, nr, 1);
	for (i = 0; i < runs; i++) {
		/* What lkpctl apply --all PATCHROOT does once the patches are read. */
		t0 = now_ns();
		ret = lkp_scan_pids(&ps, &pids, &n);
		if (ret)
			die("scan: %s", strerror(-ret));
		ret = lkp_apply_many(pids, n, &ps, &txn, workers, apply_done, NULL);
		if (ret)
			die("apply --all: %s", strerror(-ret));
		per[i] = (now_ns() - t0) / 1e6 / nr;
		if (n != nr)
			die("apply --all found %u processes, not %u", n, nr);
		free(pids);
		t0 = now_ns();
		for (k = 0; k < nr; k++) {
			do_undo(t.pids[k], &r);
			lkp_result_free(&r);
		}
		uper[i] = (now_ns() - t0) / 1e6 / nr;
	}
	stop_targets(&t);
	printf("apply-all %6u processes: %.3f ms per process, %u workers (undo -p each: %.3f ms "
	       "per process)\n", nr, median(per, runs), workers ? workers : lkp_apply_workers(),
	       median(uper, runs));
	fflush(stdout);
	if (json) {
		fprintf(json, "{\"op\": \"apply-all\", \"processes\": %u, \"ms_per_process\": %.3f, "
			"\"workers\": %u, \"runs\": %u}\n", nr, median(per, runs),
			workers ? workers : lkp_apply_workers(), runs);
		fflush(json);
	}
	return median(per, runs);
}

static void bar(const char *what, double v, double limit, const char *unit)
{
	printf("bar: %-40s %10.3f %-3s (<= %.3g) %s\n", what, v, unit, limit,
	       v <= limit ? "PASS" : "FAIL");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-rt", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	double pause1000 = -1, ratio = -1, all_max = -1;
	const char *out = NULL, *env;
	char err[LKP_ERR_SIZE];
	struct rlimit rl;
	bool rt = true;
	unsigned int i;
	int c;

	if ((env = getenv("LKP_BENCH_RUNS")) && *env)
		runs = strtoul(env, NULL, 10);
	if ((env = getenv("LKP_BENCH_THREADS")) && *env)
		nr_threads = parse_list(env, threads);
	if ((env = getenv("LKP_BENCH_PROCS")) && *env)
		nr_procs = parse_list(env, procs);
	if ((env = getenv("LKP_BENCH_OPS")) && *env)
		parse_ops(env);
	if ((env = getenv("LKP_BENCH_ITERS")) && *env)
		iters = strtoul(env, NULL, 10);
	if ((env = getenv("LKP_BENCH_WORKERS")) && *env)
		workers = strtoul(env, NULL, 10);
	while ((c = getopt_long(argc, argv, "t:p:r:n:P:m:i:w:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 't': prog = optarg; break;
		case 'p': patchroot = optarg; break;
		case 'r': runs = strtoul(optarg, NULL, 10); break;
		case 'n': nr_threads = parse_list(optarg, threads); break;
		case 'P': nr_procs = parse_list(optarg, procs); break;
		case 'm': parse_ops(optarg); break;
		case 'i': iters = strtoul(optarg, NULL, 10); break;
		case 'w': workers = strtoul(optarg, NULL, 10); break;
		case 'o': out = optarg; break;
		case 'R': rt = false; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (!prog || !patchroot || !runs || !iters) {
		fputs(usage, stderr);
		return 2;
	}
	if (lkp_patchset_add(&ps, patchroot, err))
		die("%s", err);
	local_copy();
	if (out && !(json = fopen(out, "w")))
		die("%s: %m", out);
	/* 1000 targets: the benchmark holds no fd per target, but be generous. */
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rt) {
		struct sched_param sp = { .sched_priority = 1 };

		if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp))
			die("SCHED_FIFO: %m (run as root, or --no-rt)");
	}
	printf("lkp_apply and lkp_undo of a 1-function patch (%s), median of %u runs\n",
	       patchroot, runs);
	printf("controller: %s; target: N threads, 2 spinning, the rest asleep (read, futex)\n",
	       rt ? "SCHED_FIFO 1" : "SCHED_OTHER");
	if (op_apply) {
		printf("\n%-10s %6s %10s %10s %10s\n", "op", "N", "pause ms", "(max)", "total ms");
		for (i = 0; i < nr_threads; i++) {
			double v = bench_apply(threads[i]);

			if (threads[i] == 1000)
				pause1000 = v;
		}
	}
	if (json)
		fflush(json);
	if (op_call) {
		printf("\n");
		ratio = bench_call();
	}
	if (op_all) {
		printf("\n");
		for (i = 0; i < nr_procs; i++) {
			double v = bench_all(procs[i]);

			all_max = v > all_max ? v : all_max;
		}
	}
	printf("\n");
	if (pause1000 >= 0)
		bar("apply: pause at 1000 threads", pause1000, 10, "ms");
	if (ratio >= 0)
		bar("call: patched / original", ratio, 1.05, "x");
	if (all_max >= 0)
		bar("apply --all: ms per process (worst N)", all_max, 0.5, "ms");
	if (json)
		fclose(json);
	lkp_patchset_free(&ps);
	local_remove();
	return 0;
}
