// SPDX-License-Identifier: GPL-2.0
/* freeze_bench.c: times freezing and thawing a many-threaded process with lkp, ptrace, SIGSTOP and the cgroup freezer. */

/*
 * For each thread count N a target process with N threads (half spinning,
 * half asleep in nanosleep or futex_wait) is started once. Each run then
 * freezes and thaws it once with every method in turn, interleaved so that
 * a slow moment of this shared machine hurts all methods alike. A method's
 * freeze is timed from the first call to the moment every thread is known to
 * be stopped, its thaw until every thread is released; between the two the
 * spinners' counters must stand still, and after the thaw they must move,
 * or the run is an error. The medians go to a table (with each method's
 * time as a multiple of lkp's) and, one JSON object per line, to the output
 * file. Last, the bar at 4000 threads is checked.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

#define BENCH_MAX_COUNTS	16
#define BENCH_TX_THREADS	1000
/* A thaw that does not let a spinner run within this is an error. */
#define BENCH_RESUME_NS		(10ULL * 1000000000ULL)

/* The freeze methods in table order, then the transaction benchmark. */
enum {
	BENCH_LKP,
	BENCH_LKP_PARK_ALL,
	BENCH_PTRACE,
	BENCH_SIGSTOP,
	BENCH_CGROUP,
	BENCH_NR_METHODS,
	BENCH_TX = BENCH_NR_METHODS,
};

static const struct bench_method *const bench_methods[BENCH_NR_METHODS + 1] = {
	[BENCH_LKP] = &bench_lkp,
	[BENCH_LKP_PARK_ALL] = &bench_lkp_park_all,
	[BENCH_PTRACE] = &bench_ptrace,
	[BENCH_SIGSTOP] = &bench_sigstop,
	[BENCH_CGROUP] = &bench_cgroup,
	[BENCH_TX] = &bench_lkp_transaction_method,
};

struct bench_opts {
	unsigned int runs;
	unsigned int counts[BENCH_MAX_COUNTS];
	unsigned int nr_counts;
	bool selected[BENCH_NR_METHODS + 1];
	const char *output;
	const char *cgroup_mount;
	bool no_rt;
};

/* Medians of one method at one thread count; skipped when it could not run. */
struct bench_result {
	bool done;
	double freeze_ms;
	double thaw_ms;
	double freeze_min_ms;
	double thaw_min_ms;
	char note[192];
};

static struct bench_result results[BENCH_MAX_COUNTS][BENCH_NR_METHODS + 1];

static const char *bench_name(unsigned int m)
{
	return bench_methods[m]->name;
}

static void bench_usage(FILE *f)
{
	fprintf(f,
		"usage: freeze_bench [-r RUNS] [-n N,N,...] [-m METHOD,...] [-o FILE] [--cgroup DIR]\n"
		"  -r, --runs RUNS      runs per method and thread count, median reported (LKP_BENCH_RUNS, 7)\n"
		"  -n, --threads LIST   thread counts of the target (LKP_BENCH_THREADS, 1,100,1000,4000)\n"
		"  -m, --methods LIST   lkp, lkp-park-all, ptrace, sigstop, cgroup, lkp-transaction\n"
		"                       (LKP_BENCH_METHODS, all)\n"
		"  -o, --output FILE    one JSON object per line (default: build/bench/freeze.jsonl)\n"
		"      --cgroup DIR     the cgroup2 mount (default: the first in /proc/self/mounts)\n"
		"      --no-rt          keep this program in SCHED_OTHER, competing with the spinners\n");
}

static int bench_parse_uint(const char *s, unsigned int min, unsigned int max,
			    unsigned int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || (*end && *end != ',') || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int bench_parse_counts(struct bench_opts *o, const char *list)
{
	const char *p = list;

	o->nr_counts = 0;
	for (;;) {
		if (o->nr_counts == BENCH_MAX_COUNTS ||
		    bench_parse_uint(p, 1, 100000, &o->counts[o->nr_counts++])) {
			fprintf(stderr, "freeze_bench: thread counts '%s': want up to %d numbers from 1 to 100000, comma separated\n",
				list, BENCH_MAX_COUNTS);
			return -EINVAL;
		}
		p = strchr(p, ',');
		if (!p)
			return 0;
		p++;
	}
}

static int bench_parse_methods(struct bench_opts *o, const char *list)
{
	char *copy = strdup(list), *save, *name;
	unsigned int m;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	memset(o->selected, 0, sizeof(o->selected));
	for (name = strtok_r(copy, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		for (m = 0; m <= BENCH_TX; m++)
			if (!strcmp(name, bench_name(m)))
				break;
		if (m > BENCH_TX) {
			fprintf(stderr, "freeze_bench: unknown method '%s' (lkp, lkp-park-all, ptrace, sigstop, cgroup, lkp-transaction)\n",
				name);
			err = -EINVAL;
			break;
		}
		o->selected[m] = true;
	}
	free(copy);
	return err;
}

static int bench_parse(struct bench_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "runs", required_argument, NULL, 'r' },
		{ "threads", required_argument, NULL, 'n' },
		{ "methods", required_argument, NULL, 'm' },
		{ "output", required_argument, NULL, 'o' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "no-rt", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ },
	};
	const char *runs = getenv("LKP_BENCH_RUNS");
	const char *counts = getenv("LKP_BENCH_THREADS");
	const char *methods = getenv("LKP_BENCH_METHODS");
	unsigned int m;
	int c;

	o->output = "build/bench/freeze.jsonl";
	while ((c = getopt_long(argc, argv, "r:n:m:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			runs = optarg;
			break;
		case 'n':
			counts = optarg;
			break;
		case 'm':
			methods = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'c':
			o->cgroup_mount = optarg;
			break;
		case 'R':
			o->no_rt = true;
			break;
		case 'h':
			bench_usage(stdout);
			return 1;
		default:
			bench_usage(stderr);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		bench_usage(stderr);
		return -EINVAL;
	}
	o->runs = 7;
	if (runs && *runs && bench_parse_uint(runs, 1, 1000, &o->runs)) {
		fprintf(stderr, "freeze_bench: runs '%s': want a number from 1 to 1000\n",
			runs);
		return -EINVAL;
	}
	if (bench_parse_counts(o, counts && *counts ? counts : "1,100,1000,4000"))
		return -EINVAL;
	if (methods && *methods)
		return bench_parse_methods(o, methods);
	for (m = 0; m <= BENCH_TX; m++)
		o->selected[m] = true;
	return 0;
}

static int bench_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

double bench_median_ms(uint64_t *ns, unsigned int n)
{
	qsort(ns, n, sizeof(*ns), bench_cmp);
	if (n % 2)
		return ns[n / 2] / 1e6;
	return (ns[n / 2 - 1] + ns[n / 2]) / 2e6;
}

static void bench_sleep_ns(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = ns / 1000000000ULL,
		.tv_nsec = ns % 1000000000ULL,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Waits until a spinner has run since @since was read; -ETIMEDOUT if none does. */
static int bench_wait_progress(const struct bench_target *t, uint64_t since)
{
	uint64_t deadline = bench_now_ns() + BENCH_RESUME_NS;

	while (bench_target_progress(t) == since) {
		if (bench_now_ns() > deadline)
			return -ETIMEDOUT;
		bench_sleep_ns(100000);
	}
	return 0;
}

/*
 * Lets the threads a method woke go back to sleep, so that every
 * measurement starts from the same state.
 */
static void bench_settle(const struct bench_target *t)
{
	bench_sleep_ns((20 + t->nr_threads / 100) * 1000000ULL);
}

/* One freeze and thaw, timed, with the target checked stopped and released. */
static int bench_measure(const struct bench_method *m, void *state,
			 const struct bench_target *t, uint64_t *freeze_ns,
			 uint64_t *thaw_ns)
{
	uint64_t t0, t1, progress;
	int err, thaw_err;

	t0 = bench_now_ns();
	err = m->freeze(state);
	t1 = bench_now_ns();
	if (err) {
		fprintf(stderr, "freeze_bench: %s: freezing %u threads failed: %s\n",
			m->name, t->nr_threads, strerror(-err));
		return err;
	}
	*freeze_ns = t1 - t0;

	/* A spinner left running would almost surely move its counter in 2 ms. */
	progress = bench_target_progress(t);
	bench_sleep_ns(2000000);
	if (bench_target_progress(t) != progress) {
		fprintf(stderr, "freeze_bench: %s: a spinning thread ran while %u threads were frozen\n",
			m->name, t->nr_threads);
		err = -EPROTO;
	}
	progress = bench_target_progress(t);

	t0 = bench_now_ns();
	thaw_err = m->thaw(state);
	t1 = bench_now_ns();
	if (thaw_err) {
		fprintf(stderr, "freeze_bench: %s: thawing %u threads failed: %s\n",
			m->name, t->nr_threads, strerror(-thaw_err));
		return thaw_err;
	}
	*thaw_ns = t1 - t0;
	if (bench_wait_progress(t, progress)) {
		fprintf(stderr, "freeze_bench: %s: no spinning thread ran within 10 s of the thaw\n",
			m->name);
		return -ETIMEDOUT;
	}
	bench_settle(t);
	return err;
}

/*
 * Patches the entry of bench_site_a() in the target with a jump to
 * bench_site_b(), or back when @undo: the bytes are known because the
 * target is a fork of this very program.
 */
static int bench_transaction(void *state, const struct bench_target *t,
			     bool undo, uint64_t *pause_ns)
{
	uint8_t jmp[5], orig[5];
	uint64_t a = (uintptr_t)bench_site_a, b = (uintptr_t)bench_site_b;
	int32_t rel = (int32_t)(b - (a + sizeof(jmp)));
	uint64_t progress;
	int err;

	jmp[0] = 0xe9;
	memcpy(jmp + 1, &rel, sizeof(rel));
	memcpy(orig, (const void *)(uintptr_t)a, sizeof(orig));

	progress = bench_target_progress(t);
	err = bench_lkp_transaction(state, a, undo ? jmp : orig,
				    undo ? orig : jmp, sizeof(jmp), pause_ns);
	if (err)
		return err;
	if (bench_wait_progress(t, progress)) {
		fprintf(stderr, "freeze_bench: lkp-transaction: no spinning thread ran within 10 s of it\n");
		return -ETIMEDOUT;
	}
	bench_settle(t);
	return 0;
}

struct bench_samples {
	void *state[BENCH_NR_METHODS + 1];
	bool attached[BENCH_NR_METHODS + 1];
	uint64_t *freeze_ns[BENCH_NR_METHODS + 1];
	uint64_t *thaw_ns[BENCH_NR_METHODS + 1];
};

static void bench_detach_all(struct bench_samples *s)
{
	unsigned int m;

	for (m = 0; m <= BENCH_TX; m++) {
		if (s->attached[m])
			bench_methods[m]->detach(s->state[m]);
		s->attached[m] = false;
		free(s->freeze_ns[m]);
		free(s->thaw_ns[m]);
	}
}

/* Every selected method on one target of @n threads; medians into @res. */
static int bench_count(const struct bench_opts *o, unsigned int n,
		       const char *cgroup, struct bench_result *res)
{
	struct bench_samples s = { 0 };
	struct bench_target t;
	unsigned int m, run;
	int err;

	err = bench_target_start(&t, n, cgroup);
	if (err)
		return err;
	for (m = 0; m <= BENCH_TX; m++) {
		const struct bench_method *method = bench_methods[m];

		if (!o->selected[m] || (m == BENCH_TX && n != BENCH_TX_THREADS))
			continue;
		s.freeze_ns[m] = calloc(o->runs, sizeof(uint64_t));
		s.thaw_ns[m] = calloc(o->runs, sizeof(uint64_t));
		if (!s.freeze_ns[m] || !s.thaw_ns[m]) {
			err = -ENOMEM;
			goto out;
		}
		err = method->attach(method, &t, &s.state[m]);
		if (err)
			printf("%-16s %6u  skipped: %s\n", bench_name(m), n,
			       strerror(-err));
		else
			s.attached[m] = true;
	}
	err = bench_wait_progress(&t, 0);
	if (err) {
		fprintf(stderr, "freeze_bench: the target's spinners never ran\n");
		goto out;
	}
	bench_settle(&t);

	for (run = 0; run < o->runs; run++) {
		for (m = 0; m < BENCH_NR_METHODS; m++) {
			if (!s.attached[m])
				continue;
			err = bench_measure(bench_methods[m], s.state[m], &t,
					    &s.freeze_ns[m][run],
					    &s.thaw_ns[m][run]);
			if (err)
				goto out;
		}
		if (s.attached[BENCH_TX]) {
			err = bench_transaction(s.state[BENCH_TX], &t, run % 2,
						&s.freeze_ns[BENCH_TX][run]);
			if (err)
				goto out;
		}
	}
	for (m = 0; m <= BENCH_TX; m++) {
		if (!s.attached[m])
			continue;
		res[m].done = true;
		/* Sorted by the median: the first sample is the fastest. */
		res[m].freeze_ms = bench_median_ms(s.freeze_ns[m], o->runs);
		res[m].freeze_min_ms = s.freeze_ns[m][0] / 1e6;
		if (m != BENCH_TX) {
			res[m].thaw_ms = bench_median_ms(s.thaw_ns[m], o->runs);
			res[m].thaw_min_ms = s.thaw_ns[m][0] / 1e6;
		}
		if (bench_methods[m]->note)
			bench_methods[m]->note(s.state[m], res[m].note,
					       sizeof(res[m].note));
	}
out:
	bench_detach_all(&s);
	bench_target_stop(&t);
	return err;
}

/* "12.3x": how many times longer than lkp took; "-" without an lkp number. */
static const char *bench_ratio(char *buf, size_t size, double ms, double lkp_ms)
{
	if (lkp_ms <= 0)
		return "-";
	snprintf(buf, size, "%.1fx", ms / lkp_ms);
	return buf;
}

static void bench_print(const struct bench_opts *o, unsigned int c)
{
	const struct bench_result *res = results[c], *lkp = &res[BENCH_LKP];
	double lkp_f = lkp->done ? lkp->freeze_ms : 0;
	double lkp_t = lkp->done ? lkp->thaw_ms : 0;
	char r1[32], r2[32];
	unsigned int m;

	for (m = 0; m < BENCH_NR_METHODS; m++) {
		if (!res[m].done)
			continue;
		printf("%-16s %6u %10.3f %9.3f %10.3f %9.3f %12s %12s\n",
		       bench_name(m), o->counts[c], res[m].freeze_ms,
		       res[m].freeze_min_ms, res[m].thaw_ms, res[m].thaw_min_ms,
		       bench_ratio(r1, sizeof(r1), res[m].freeze_ms, lkp_f),
		       bench_ratio(r2, sizeof(r2), res[m].thaw_ms, lkp_t));
	}
	if (res[BENCH_TX].done)
		printf("%-16s %6u %10.3f %9.3f (pause the target saw, as the module reports it)\n",
		       bench_name(BENCH_TX), o->counts[c],
		       res[BENCH_TX].freeze_ms, res[BENCH_TX].freeze_min_ms);
	for (m = 0; m < BENCH_NR_METHODS; m++)
		if (res[m].done && res[m].note[0])
			printf("  %s at %u: %s\n", bench_name(m), o->counts[c],
			       res[m].note);
	fflush(stdout);
}

static int bench_write_json(FILE *out, const struct bench_opts *o,
			    unsigned int c)
{
	const struct bench_result *res = results[c];
	unsigned int m;

	for (m = 0; m < BENCH_NR_METHODS; m++)
		if (res[m].done)
			fprintf(out, "{\"method\": \"%s\", \"threads\": %u, \"freeze_ms\": %.3f, \"thaw_ms\": %.3f, \"runs\": %u}\n",
				bench_name(m), o->counts[c], res[m].freeze_ms,
				res[m].thaw_ms, o->runs);
	if (res[BENCH_TX].done)
		fprintf(out, "{\"method\": \"%s\", \"threads\": %u, \"pause_ms\": %.3f, \"runs\": %u}\n",
			bench_name(BENCH_TX), o->counts[c],
			res[BENCH_TX].freeze_ms, o->runs);
	return fflush(out) ? -errno : 0;
}

static bool bench_bar_line(const char *what, double lkp_ms, double other_ms,
			   double factor)
{
	bool pass = other_ms >= lkp_ms * factor && other_ms > lkp_ms;

	printf("bar: %-42s %8.3f ms vs lkp %8.3f ms = %6.1fx  %s\n", what,
	       other_ms, lkp_ms, other_ms / lkp_ms, pass ? "PASS" : "FAIL");
	return pass;
}

/* The bar, at 4000 threads: returns false when a line fails. */
static bool bench_bar(const struct bench_opts *o)
{
	const struct bench_result *res = NULL, *lkp;
	bool pass = true;
	unsigned int c;

	for (c = 0; c < o->nr_counts; c++)
		if (o->counts[c] == 4000)
			res = results[c];
	if (!res || !res[BENCH_LKP].done) {
		printf("bar: not checked (needs lkp at 4000 threads)\n");
		return true;
	}
	lkp = &res[BENCH_LKP];
	if (res[BENCH_PTRACE].done) {
		pass &= bench_bar_line("freeze: ptrace >= 10x lkp", lkp->freeze_ms,
				       res[BENCH_PTRACE].freeze_ms, 10);
		pass &= bench_bar_line("thaw:   ptrace >= 50x lkp", lkp->thaw_ms,
				       res[BENCH_PTRACE].thaw_ms, 50);
	}
	if (res[BENCH_SIGSTOP].done)
		pass &= bench_bar_line("freeze: sigstop slower than lkp",
				       lkp->freeze_ms,
				       res[BENCH_SIGSTOP].freeze_ms, 1);
	if (res[BENCH_CGROUP].done)
		pass &= bench_bar_line("freeze: cgroup slower than lkp",
				       lkp->freeze_ms,
				       res[BENCH_CGROUP].freeze_ms, 1);
	return pass;
}

/*
 * Without it, this program is one runnable task among N/2 spinners: every
 * time it is preempted, it waits for a whole round of them, and that round,
 * not the method, is what gets measured (seconds at 1000 threads). The
 * target does not inherit the policy.
 */
static const char *bench_realtime(const struct bench_opts *o)
{
	struct sched_param sp = { .sched_priority = 1 };

	if (o->no_rt)
		return "SCHED_OTHER (--no-rt)";
	if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp)) {
		fprintf(stderr, "freeze_bench: cannot switch to SCHED_FIFO: %s; measuring from SCHED_OTHER\n",
			strerror(errno));
		return "SCHED_OTHER (SCHED_FIFO refused)";
	}
	return "SCHED_FIFO 1";
}

int main(int argc, char **argv)
{
	char cgroup[PATH_MAX];
	struct bench_opts o = { 0 };
	bool have_cgroup = false;
	unsigned int c;
	int err = 0;
	FILE *out;

	err = bench_parse(&o, argc, argv);
	if (err)
		return err > 0 ? 0 : 2;
	out = fopen(o.output, "w");
	if (!out) {
		fprintf(stderr, "freeze_bench: cannot write %s: %s\n", o.output,
			strerror(errno));
		return 1;
	}
	if (o.selected[BENCH_CGROUP] &&
	    !bench_cgroup_create(cgroup, sizeof(cgroup), o.cgroup_mount))
		have_cgroup = true;

	printf("freeze and thaw of a process of N threads (half spinning, half asleep), median of %u runs\n",
	       o.runs);
	printf("controller: %s\n", bench_realtime(&o));
	printf("ms: median (and fastest) run; \"x lkp\": the median as a multiple of lkp's (default mode) at the same N\n\n");
	printf("%-16s %6s %10s %9s %10s %9s %12s %12s\n", "method", "N",
	       "freeze ms", "(min)", "thaw ms", "(min)", "freeze x lkp",
	       "thaw x lkp");
	fflush(stdout);
	for (c = 0; c < o.nr_counts; c++) {
		err = bench_count(&o, o.counts[c], have_cgroup ? cgroup : NULL,
				  results[c]);
		if (err)
			break;
		bench_print(&o, c);
		err = bench_write_json(out, &o, c);
		if (err) {
			fprintf(stderr, "freeze_bench: cannot write %s: %s\n",
				o.output, strerror(-err));
			break;
		}
	}
	if (fclose(out) && !err) {
		fprintf(stderr, "freeze_bench: cannot write %s: %s\n", o.output,
			strerror(errno));
		err = -EIO;
	}
	if (have_cgroup)
		bench_cgroup_remove(cgroup);
	if (err)
		return 1;
	printf("\n");
	bench_bar(&o);
	return 0;
}
