// SPDX-License-Identifier: GPL-2.0
/* exec_bench.c: exec-to-main latency of a watched and an unwatched binary, without and with lkpd. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char usage[] =
	"usage: exec_bench -t PROG -u PROG -P PATCH.lkpp -b BINDIR [-r RUNS] [-o FILE]\n"
	"\n"
	"  -t PROG        the watched target (bench/exec/target, built by lkp-patch-make)\n"
	"  -u PROG        an unwatched program: the same source, another build-id\n"
	"  -P PATCH       the patch for -t, installed for the runs with lkpd\n"
	"  -b BINDIR      where lkpd and lkpctl are\n"
	"  -r RUNS        execs per binary and setting (LKP_BENCH_RUNS, default 200, at least 4)\n"
	"  -o FILE        also write one JSON object per line to FILE\n"
	"\n"
	"Each exec is timed from just before posix_spawn() to the CLOCK_MONOTONIC\n"
	"time the program reads first thing in main(). With lkpd, the watched\n"
	"program is held at its entry until lkpd has applied the patch: its output\n"
	"must show the patched result every time.\n";

/* What target/prog.c prints with ../fix.diff applied. */
#define PATCHED_VALUE	((41 ^ 0x5a5a) * 3 + 9)

static const char *watched, *unwatched, *patch, *bindir;
static unsigned int runs = 200;
static FILE *json;

/* Alternations of the settings without and with lkpd. */
#define BLOCKS		4
static char tmpdir[] = "/tmp/lkp-exec-bench.XXXXXX";

static __attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("exec_bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts v. */
static double quantile(double *v, unsigned int n, double q)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(unsigned int)(q * (n - 1) + 0.5)];
}

/* One exec of path: ms from spawn to main, and the value it printed. */
static double exec_once(const char *path, int *value)
{
	char *argv[] = { (char *)path, NULL }, buf[128];
	posix_spawn_file_actions_t fa;
	long long sec;
	long nsec;
	int p[2], st;
	uint64_t t0;
	ssize_t n;
	size_t len = 0;
	pid_t pid;
	int err;

	if (pipe2(p, O_CLOEXEC))
		die("pipe: %m");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	t0 = now_ns();
	err = posix_spawn(&pid, path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (err)
		die("%s: %s", path, strerror(err));
	while (len < sizeof(buf) - 1 && (n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	close(p[0]);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		die("%s: did not exit 0", path);
	if (sscanf(buf, "%lld %ld %d", &sec, &nsec, value) != 3)
		die("%s printed '%s'", path, buf);
	return ((double)sec * 1e9 + nsec - (double)t0) / 1e6;
}

struct series {
	const char *binary;
	bool lkpd;
	double *ms;
	unsigned int patched;		/* printed PATCHED_VALUE */
	double median, p90;
};

/* Execs [from, to) of each binary, interleaved so that drift hits both alike. */
static void measure(struct series *w, struct series *u, unsigned int from, unsigned int to)
{
	unsigned int i;
	int v;

	for (i = from; i < to; i++) {
		w->ms[i] = exec_once(watched, &v);
		w->patched += v == PATCHED_VALUE;
		u->ms[i] = exec_once(unwatched, &v);
		u->patched += v == PATCHED_VALUE;
	}
}

static void summarize(struct series *s)
{
	s->median = quantile(s->ms, runs, 0.5);
	s->p90 = quantile(s->ms, runs, 0.9);
}

static int run_wait(char **argv)
{
	pid_t pid;
	int st, err;

	err = posix_spawn(&pid, argv[0], NULL, NULL, argv, environ);
	if (err)
		die("%s: %s", argv[0], strerror(err));
	if (waitpid(pid, &st, 0) != pid)
		die("%s: %m", argv[0]);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * lkpd as systemd starts it (Type=notify): back once it sent READY=1, that
 * is once new processes of the watched file are held. PATH leads it to the
 * watched program's file.
 */
static pid_t start_lkpd(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 60 };
	char lkpd[PATH_MAX], dir[PATH_MAX], env[PATH_MAX + 64], msg[256];
	char *argv[] = { lkpd, "--hold-timeout", "5000", NULL };
	const char *path = getenv("PATH") ?: "/usr/bin:/bin";
	ssize_t n;
	pid_t pid;
	int s, err;

	snprintf(lkpd, sizeof(lkpd), "%s/lkpd", bindir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/notify", tmpdir);
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		die("notify socket: %m");
	setenv("NOTIFY_SOCKET", sa.sun_path, 1);
	snprintf(dir, sizeof(dir), "%s", watched);
	snprintf(env, sizeof(env), "%s:%s", dirname(dir), path);
	setenv("PATH", env, 1);
	err = posix_spawn(&pid, lkpd, NULL, NULL, argv, environ);
	setenv("PATH", path, 1);
	unsetenv("NOTIFY_SOCKET");
	if (err)
		die("%s: %s", lkpd, strerror(err));
	for (;;) {
		n = recv(s, msg, sizeof(msg) - 1, 0);
		if (n < 0) {
			kill(pid, SIGKILL);
			die("no READY=1 from lkpd in %ld s", (long)tv.tv_sec);
		}
		msg[n] = '\0';
		if (!strncmp(msg, "READY=1", 7) || strstr(msg, "\nREADY=1"))
			break;
	}
	close(s);
	unlink(sa.sun_path);
	return pid;
}

static void stop_lkpd(pid_t pid)
{
	int st;

	kill(pid, SIGTERM);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		die("lkpd did not stop cleanly on SIGTERM");
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path);
}

static void report(const struct series *s)
{
	printf("%-10s %-6s %10.3f %10.3f %12u/%u\n", s->binary, s->lkpd ? "yes" : "no",
	       s->median, s->p90, s->patched, runs);
	if (json)
		fprintf(json, "{\"op\": \"exec\", \"binary\": \"%s\", \"lkpd\": %s, \"median_ms\": %.4f, "
			"\"p90_ms\": %.4f, \"patched\": %u, \"runs\": %u}\n", s->binary,
			s->lkpd ? "true" : "false", s->median, s->p90, s->patched, runs);
}

static void bar(const char *what, double v, double limit, const char *unit)
{
	printf("%-44s %9.3f %-2s (bar %s %g %s)  %s\n", what, v, unit, "<=", limit, unit,
	       v <= limit ? "PASS" : "FAIL");
}

int main(int argc, char **argv)
{
	struct series s[4] = {
		{ .binary = "watched" }, { .binary = "unwatched" },
		{ .binary = "watched", .lkpd = true }, { .binary = "unwatched", .lkpd = true },
	};
	char lkpctl[PATH_MAX], store[PATH_MAX], sock[PATH_MAX];
	char *install[] = { lkpctl, "install", (char *)patch, NULL };
	const char *out = NULL, *env;
	double added_w, added_u;
	unsigned int i, b, from, to;
	pid_t lkpd;
	int c, st;

	env = getenv("LKP_BENCH_RUNS");
	if (env)
		runs = strtoul(env, NULL, 10);
	while ((c = getopt(argc, argv, "t:u:P:b:r:o:h")) != -1) {
		switch (c) {
		case 't': watched = optarg; break;
		case 'u': unwatched = optarg; break;
		case 'P': patch = optarg; break;
		case 'b': bindir = optarg; break;
		case 'r': runs = strtoul(optarg, NULL, 10); break;
		case 'o': out = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (!watched || !unwatched || !patch || !bindir || runs < BLOCKS) {
		fputs(usage, stderr);
		return 2;
	}
	install[2] = (char *)patch;
	if (out && !(json = fopen(out, "w")))
		die("%s: %m", out);
	if (!mkdtemp(tmpdir))
		die("%s: %m", tmpdir);
	snprintf(lkpctl, sizeof(lkpctl), "%s/lkpctl", bindir);
	snprintf(store, sizeof(store), "%s/store", tmpdir);
	snprintf(sock, sizeof(sock), "%s/lkpd.sock", tmpdir);
	/* A store and a socket of our own: never the system's lkpd. */
	setenv("LKP_STORE", store, 1);
	setenv("LKP_SOCKET", sock, 1);
	for (i = 0; i < 4; i++)
		if (!(s[i].ms = calloc(runs, sizeof(double))))
			die("out of memory");

	/* One of each first: page cache and dynamic loader warm for both. */
	exec_once(watched, &c);
	exec_once(unwatched, &c);
	st = run_wait(install);
	if (st)
		die("lkpctl install %s: exit %d", patch, st);
	/*
	 * Blocks without and with lkpd, alternating: a machine that slows down
	 * or speeds up meanwhile (these are shared) weighs on both settings.
	 */
	for (b = 0; b < BLOCKS; b++) {
		from = runs * b / BLOCKS;
		to = runs * (b + 1) / BLOCKS;
		measure(&s[0], &s[1], from, to);
		lkpd = start_lkpd();
		measure(&s[2], &s[3], from, to);
		stop_lkpd(lkpd);
	}
	nftw(tmpdir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	for (i = 0; i < 4; i++)
		summarize(&s[i]);

	printf("exec to main(), %u execs each, interleaved, in %d blocks without and with lkpd;\n"
	       "watched: %s\n", runs, BLOCKS, watched);
	printf("\n%-10s %-6s %10s %10s %12s\n", "binary", "lkpd", "median ms", "p90 ms", "patched");
	for (i = 0; i < 4; i++)
		report(&s[i]);
	added_w = s[2].median - s[0].median;
	added_u = (s[3].median / s[1].median - 1) * 100;
	if (json) {
		fprintf(json, "{\"op\": \"exec-added\", \"binary\": \"watched\", \"added_ms\": %.4f, "
			"\"runs\": %u}\n", added_w, runs);
		fprintf(json, "{\"op\": \"exec-added\", \"binary\": \"unwatched\", \"added_pct\": %.2f, "
			"\"runs\": %u}\n", added_u, runs);
		fclose(json);
	}
	printf("\n");
	bar("watched exec: added by lkpd (hold + apply)", added_w, 2, "ms");
	bar("unwatched exec: added by lkpd", added_u, 5, "%");
	/* A watched exec that ran unpatched, or an unwatched one that was patched: wrong. */
	if (s[2].patched != runs || s[0].patched || s[1].patched || s[3].patched)
		die("patched counts wrong: watched with lkpd %u of %u, others %u, %u, %u",
		    s[2].patched, runs, s[0].patched, s[1].patched, s[3].patched);
	return 0;
}
