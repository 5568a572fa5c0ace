// SPDX-License-Identifier: GPL-2.0
/* stack_test.c: `lkpctl stack` on stack_target built four ways: the backtraces, the target after, the errors. */
/*
 * stack_target (see there) is built with frame pointers, without, without
 * CFI, and stripped. It tells us over a socket, once every thread is in
 * place, its tids, function addresses and the return addresses its calls
 * left on the stacks: the backtraces lkpctl prints are checked against
 * those frame by frame, by name where the binary has symbols and by
 * address where it has none.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "stack_target.h"

#define MAX_THREADS	8
#define MAX_FRAMES	64
#define LIBC		"libc.so.6"

/* Where the test binaries are: stack_target-* sit next to this test. */
static const char *bin_dir(void)
{
	static char dir[PATH_MAX];
	ssize_t n;

	if (!dir[0]) {
		n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
		if (n <= 0)
			return ".";
		dir[n] = '\0';
		*strrchr(dir, '/') = '\0';
	}
	return dir;
}

/* The lkpctl under test: $LKPCTL, else build/bin/lkpctl of this build tree. */
static const char *lkpctl(void)
{
	static char path[PATH_MAX + 32];
	const char *p = getenv("LKPCTL");

	if (p && *p)
		return p;
	snprintf(path, sizeof(path), "%s/../../bin/lkpctl", bin_dir());
	return path;
}

static char *slurp(int fd)
{
	size_t len = 0, cap = 4096;
	char *s = malloc(cap), *ns;
	ssize_t n;

	lseek(fd, 0, SEEK_SET);
	while (s && (n = read(fd, s + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 2) {
			ns = realloc(s, cap *= 2);
			if (!ns)
				free(s);
			s = ns;
		}
	}
	if (s)
		s[len] = '\0';
	return s;
}

struct run {
	int status;		/* exit status, or -1 if it did not exit */
	char *out, *err;
};

/* Run lkpctl with args (NULL-terminated), stdout and stderr captured in files. */
static void run_lkpctl(struct run *r, const char *const *args)
{
	char *argv[16] = { (char *)lkpctl() };
	FILE *fo = tmpfile(), *fe = tmpfile();
	int st, i;
	pid_t pid;

	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = (char *)args[i];
	pid = fork();
	if (!pid) {
		dup2(fileno(fo), 1);
		dup2(fileno(fe), 2);
		execv(argv[0], argv);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	r->out = slurp(fileno(fo));
	r->err = slurp(fileno(fe));
	fclose(fo);
	fclose(fe);
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/* What the JSON output says of one thread (the fields this test checks). */
struct frame {
	uint64_t ip;
	char symbol[64];	/* "" for null */
	char object[64];	/* "" for null */
	bool no_cfi;
};

struct thread {
	int tid;
	char state[16];
	bool in_syscall, stopped;
	long syscall;
	struct frame frames[MAX_FRAMES];
	int nr_frames;
};

/*
 * The value after "key": in s, up to end: a string copied to buf, or null
 * as "". Returns where it ends, or NULL. lkpctl writes no spaces and
 * these names need no escapes, so a scan is enough; a JSON parser checks
 * the whole document (json_valid()).
 */
static const char *json_field(const char *s, const char *end, const char *key, char *buf,
			      size_t len)
{
	char pat[32];
	const char *p, *q;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(s, pat);
	if (!p || p >= end)
		return NULL;
	p += strlen(pat);
	if (!strncmp(p, "null", 4)) {
		buf[0] = '\0';
		return p + 4;
	}
	if (*p != '"') {
		/* a number or a boolean */
		for (q = p; *q && *q != ',' && *q != '}' && *q != ']'; q++)
			;
	} else {
		q = strchr(++p, '"');
		if (!q)
			return NULL;
	}
	snprintf(buf, len, "%.*s", (int)(q - p), p);
	return q;
}

/* The threads of lkpctl stack --json output: their number, or -1 if it does not parse. */
static int parse_threads(const char *json, struct thread *threads, int max)
{
	const char *t = strstr(json, "\"threads\":["), *next, *f, *fend;
	char v[64];
	int n = 0;

	if (!t)
		return -1;
	for (t = strstr(t, "{\"tid\":"); t && n < max; t = next, n++) {
		struct thread *th = &threads[n];

		memset(th, 0, sizeof(*th));
		next = strstr(t + 1, "{\"tid\":");
		fend = next ? next : t + strlen(t);
		if (!json_field(t, fend, "tid", v, sizeof(v)))
			return -1;
		th->tid = atoi(v);
		if (!json_field(t, fend, "state", th->state, sizeof(th->state)) ||
		    !json_field(t, fend, "in_syscall", v, sizeof(v)))
			return -1;
		th->in_syscall = !strcmp(v, "true");
		if (!json_field(t, fend, "syscall", v, sizeof(v)))
			return -1;
		th->syscall = v[0] ? atol(v) : -1;
		if (!json_field(t, fend, "stopped", v, sizeof(v)))
			return -1;
		th->stopped = !strcmp(v, "true");
		for (f = strstr(t, "{\"ip\":"); f && f < fend && th->nr_frames < MAX_FRAMES;
		     f = strstr(f + 1, "{\"ip\":")) {
			struct frame *fr = &th->frames[th->nr_frames++];
			const char *e = strchr(f, '}');

			if (!e || !json_field(f, e, "ip", v, sizeof(v)))
				return -1;
			fr->ip = strtoull(v, NULL, 16);
			if (!json_field(f, e, "symbol", fr->symbol, sizeof(fr->symbol)) ||
			    !json_field(f, e, "object", fr->object, sizeof(fr->object)) ||
			    !json_field(f, e, "no_cfi", v, sizeof(v)))
				return -1;
			fr->no_cfi = !strcmp(v, "true");
		}
	}
	return n;
}

/* The thread tid, checked for what holds of every backtrace: no frame twice in a row. */
static const struct thread *find_thread(struct __test_metadata *_metadata,
					const struct thread *threads, int n, int tid)
{
	const struct thread *t = NULL;
	int i;

	for (i = 0; i < n; i++)
		if (threads[i].tid == tid)
			t = &threads[i];
	if (!t)
		return NULL;
	for (i = 1; i < t->nr_frames; i++)
		EXPECT_NE(t->frames[i - 1].ip, t->frames[i].ip) TH_LOG("thread %d frame %d", tid, i);
	return t;
}

/* The index of the frame whose ip is ip, or -1. */
static int find_ip(const struct thread *t, uint64_t ip)
{
	int i;

	for (i = 0; i < t->nr_frames; i++)
		if (t->frames[i].ip == ip)
			return i;
	return -1;
}

static int find_symbol(const struct thread *t, const char *name)
{
	int i;

	for (i = 0; i < t->nr_frames; i++)
		if (!strcmp(t->frames[i].symbol, name))
			return i;
	return -1;
}

/* Whether text is a valid JSON document: 1, 0, or -1 when python3 is not there to tell. */
static int json_valid(const char *text)
{
	const char *py = "/usr/bin/python3";
	int p[2], st;
	pid_t pid;

	if (access(py, X_OK) || pipe(p))
		return -1;
	pid = fork();
	if (!pid) {
		dup2(p[0], 0);
		close(p[1]);
		execl(py, py, "-c", "import json, sys; json.load(sys.stdin)", (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	if (write(p[1], text, strlen(text)) < 0)
		st = 0;
	close(p[1]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && !WEXITSTATUS(st);
}

/* Read exactly len bytes within timeout_ms: 0 or -errno. */
static int read_full(int fd, void *buf, size_t len, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	while (len) {
		if (poll(&pfd, 1, timeout_ms) != 1)
			return -ETIMEDOUT;
		n = read(fd, buf, len);
		if (n <= 0)
			return n ? -errno : -EPIPE;
		buf = (char *)buf + n;
		len -= n;
	}
	return 0;
}

FIXTURE(stack) {
	pid_t pid;
	int sock;
	struct st_hello h;
	char name[64];
};

FIXTURE_VARIANT(stack) {
	const char *binary;
	bool symbols;		/* .symtab kept: our functions have names */
	bool cfi;		/* our functions have CFI */
};

FIXTURE_VARIANT_ADD(stack, fp) {
	.binary = "stack_target-fp", .symbols = true, .cfi = true,
};

FIXTURE_VARIANT_ADD(stack, nofp) {
	.binary = "stack_target-nofp", .symbols = true, .cfi = true,
};

/* Found through the frame pointer only. */
FIXTURE_VARIANT_ADD(stack, nocfi) {
	.binary = "stack_target-nocfi", .symbols = true, .cfi = false,
};

/* The -nofp binary stripped: .dynsym only, which names none of our functions. */
FIXTURE_VARIANT_ADD(stack, stripped) {
	.binary = "stack_target-stripped", .symbols = false, .cfi = true,
};

FIXTURE_SETUP(stack)
{
	char path[PATH_MAX + 64];
	int sv[2];

	/* Not a SKIP: this suite runs only where lkp.ko is loaded. */
	ASSERT_EQ(0, access("/dev/lkp", R_OK | W_OK)) TH_LOG("no /dev/lkp");
	ASSERT_EQ(0, access(lkpctl(), X_OK)) TH_LOG("%s not built", lkpctl());
	snprintf(path, sizeof(path), "%s/%s", bin_dir(), variant->binary);
	snprintf(self->name, sizeof(self->name), "%s", variant->binary);
	ASSERT_EQ(0, access(path, X_OK)) TH_LOG("%s not built", path);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid) {
		/* dup2() clears close-on-exec, unless the fd is already 3. */
		if (sv[1] == ST_FD ? fcntl(ST_FD, F_SETFD, 0) : dup2(sv[1], ST_FD) != ST_FD)
			_exit(126);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	self->sock = sv[0];
	/* The hello comes once every thread is where the test expects it. */
	ASSERT_EQ(0, read_full(self->sock, &self->h, sizeof(self->h), 30000))
		TH_LOG("%s sent no hello", variant->binary);
	ASSERT_EQ(self->pid, self->h.pid);
}

FIXTURE_TEARDOWN(stack)
{
	struct timespec ts = { 0, 10000000 };
	int i, st;

	/* The target exits when its socket closes; a stuck one is killed. */
	close(self->sock);
	for (i = 0; i < 500; i++) {
		if (waitpid(self->pid, &st, WNOHANG) == self->pid)
			break;
		nanosleep(&ts, NULL);
	}
	if (i == 500) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, &st, 0);
	}
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
		TH_LOG("%s did not exit cleanly (status 0x%x)", self->name, st);
}

static uint64_t spin_count(struct __test_metadata *_metadata, int sock)
{
	uint64_t n = 0;
	char c = ST_CMD_COUNT;

	ASSERT_EQ(1, write(sock, &c, 1));
	ASSERT_EQ(0, read_full(sock, &n, sizeof(n), 10000));
	return n;
}

/*
 * The reader: blocked in read() under outer() -> middle() -> inner().
 * Frame 0 is in libc's read(), then inner, middle, outer, reader_main:
 * the three return addresses the target recorded, in that order.
 */
static void check_reader(struct __test_metadata *_metadata, const FIXTURE_VARIANT(stack) *variant,
			 const struct st_hello *h, const struct thread *t)
{
	int k = find_ip(t, h->ret_to_middle), i;

	EXPECT_STREQ("asleep", t->state);
	EXPECT_TRUE(t->in_syscall);
	EXPECT_EQ(0, t->syscall);	/* read */
	EXPECT_FALSE(t->stopped);
	ASSERT_LE(2, k) TH_LOG("no frame returns into middle()");
	ASSERT_LE(k + 3, t->nr_frames);
	EXPECT_EQ(h->ret_to_outer, t->frames[k + 1].ip);
	EXPECT_EQ(h->ret_to_reader, t->frames[k + 2].ip);
	/* The frame before: the call of read() in inner(). */
	EXPECT_LT(h->inner, t->frames[k - 1].ip);
	EXPECT_STREQ(LIBC, t->frames[0].object);
	for (i = k - 1; i <= k + 2; i++) {
		EXPECT_STREQ(variant->binary, t->frames[i].object);
		/* inner() has CFI even without: read()'s CFI found it; the rest by bp. */
		EXPECT_EQ(!variant->cfi && i > k - 1, t->frames[i].no_cfi) TH_LOG("frame %d", i);
	}
	if (variant->symbols) {
		EXPECT_STREQ("inner", t->frames[k - 1].symbol);
		EXPECT_STREQ("middle", t->frames[k].symbol);
		EXPECT_STREQ("outer", t->frames[k + 1].symbol);
		EXPECT_STREQ("reader_main", t->frames[k + 2].symbol);
	} else {
		/* No symbol covers them: none may be named wrongly. */
		for (i = k - 1; i <= k + 2; i++)
			EXPECT_STREQ("", t->frames[i].symbol) TH_LOG("frame %d", i);
	}
}

/*
 * The spinner: stopped in spin_here(), called from spin_outer() by its last
 * instruction (spin_here() never returns), so the return address is past
 * spin_outer()'s end and only the call before it names the caller.
 */
static void check_spinner(struct __test_metadata *_metadata, const FIXTURE_VARIANT(stack) *variant,
			  const struct st_hello *h, const struct thread *t)
{
	EXPECT_TRUE(!strcmp(t->state, "parked") || !strcmp(t->state, "preempted"))
		TH_LOG("state %s", t->state);
	EXPECT_FALSE(t->in_syscall);
	EXPECT_FALSE(t->stopped);
	ASSERT_LE(3, t->nr_frames);
	EXPECT_LE(h->spin_here, t->frames[0].ip);
	EXPECT_EQ(h->ret_to_spin_outer, t->frames[1].ip);
	EXPECT_STREQ(variant->binary, t->frames[0].object);
	EXPECT_STREQ(variant->binary, t->frames[1].object);
	EXPECT_FALSE(t->frames[0].no_cfi);
	EXPECT_EQ(!variant->cfi, t->frames[1].no_cfi);
	if (variant->symbols) {
		EXPECT_STREQ("spin_here", t->frames[0].symbol);
		EXPECT_STREQ("spin_outer", t->frames[1].symbol);
		EXPECT_STREQ("spinner_main", t->frames[2].symbol);
	} else {
		EXPECT_STREQ("", t->frames[0].symbol);
		EXPECT_STREQ("", t->frames[1].symbol);
	}
}

/* The main thread: in read() on the socket, in serve(), from main(), from libc. */
static void check_main(struct __test_metadata *_metadata, const FIXTURE_VARIANT(stack) *variant,
		       const struct thread *t)
{
	int serve, start;

	EXPECT_STREQ("asleep", t->state);
	EXPECT_TRUE(t->in_syscall);
	EXPECT_EQ(0, t->syscall);
	EXPECT_FALSE(t->stopped);
	/* Named from libc's .dynsym, so found in every variant. */
	start = find_symbol(t, "__libc_start_main");
	EXPECT_LE(2, start);
	if (variant->symbols) {
		serve = find_symbol(t, "serve");
		EXPECT_EQ(1, serve);
		EXPECT_STREQ("main", t->frames[2].symbol);
		EXPECT_STREQ("_start", t->frames[t->nr_frames - 1].symbol);
	}
}

TEST_F(stack, json)
{
	const char *args[] = { "stack", "--json", "-p", NULL, NULL };
	struct thread threads[MAX_THREADS];
	const struct thread *t;
	char pid[16], want[64];
	struct run r;
	int n;

	snprintf(pid, sizeof(pid), "%d", self->pid);
	args[3] = pid;
	run_lkpctl(&r, args);
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_STREQ("", r.err);
	EXPECT_EQ(1, count_lines(r.out));
	EXPECT_NE(0, json_valid(r.out)) TH_LOG("not JSON: %s", r.out);
	snprintf(want, sizeof(want), "{\"pid\":%d,\"nr_threads\":3,", self->pid);
	EXPECT_EQ(0, strncmp(r.out, want, strlen(want))) TH_LOG("%.80s", r.out);
	n = parse_threads(r.out, threads, MAX_THREADS);
	ASSERT_EQ(3, n) TH_LOG("%s", r.out);

	t = find_thread(_metadata, threads, n, self->h.reader_tid);
	ASSERT_NE(NULL, t);
	check_reader(_metadata, variant, &self->h, t);
	t = find_thread(_metadata, threads, n, self->h.spinner_tid);
	ASSERT_NE(NULL, t);
	check_spinner(_metadata, variant, &self->h, t);
	t = find_thread(_metadata, threads, n, self->h.main_tid);
	ASSERT_NE(NULL, t);
	check_main(_metadata, variant, t);
	if (_metadata->passed == 0)
		TH_LOG("%s", r.out);
	run_free(&r);
}

/* The table: a header, then per thread its state and one line per frame. */
TEST_F(stack, text)
{
	const char *args[] = { "stack", "-p", NULL, NULL };
	char pid[16], want[128];
	const char *p, *q;
	struct run r;

	snprintf(pid, sizeof(pid), "%d", self->pid);
	args[2] = pid;
	run_lkpctl(&r, args);
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_STREQ("", r.err);
	snprintf(want, sizeof(want), "pid %d: 3 threads, paused ", self->pid);
	EXPECT_EQ(0, strncmp(r.out, want, strlen(want)));
	snprintf(want, sizeof(want), "\nthread %d: asleep in syscall 0\n", self->h.reader_tid);
	p = strstr(r.out, want);
	ASSERT_NE(NULL, p) TH_LOG("%s", r.out);
	q = strstr(p + 1, "\nthread ");
	if (variant->symbols) {
		const char *in = strstr(p, " inner+0x"), *mid = strstr(p, " middle+0x"),
			   *out = strstr(p, " outer+0x");

		ASSERT_NE(NULL, in);
		ASSERT_NE(NULL, mid);
		ASSERT_NE(NULL, out);
		EXPECT_TRUE(in < mid && mid < out && (!q || out < q)) TH_LOG("%s", r.out);
		/* middle's line ends with the object, and says how it was found. */
		snprintf(want, sizeof(want), "(%s)%s\n", variant->binary,
			 variant->cfi ? "" : " [no CFI]");
		q = strchr(mid, '\n');
		ASSERT_NE(NULL, q);
		EXPECT_EQ(0, strncmp(q + 1 - strlen(want), want, strlen(want))) TH_LOG("%s", r.out);
	} else {
		snprintf(want, sizeof(want), " ?? (%s, vaddr 0x", variant->binary);
		EXPECT_NE(NULL, strstr(p, want)) TH_LOG("%s", r.out);
	}
	run_free(&r);
}

/* -n caps the frames per thread, and says so. */
TEST_F(stack, frames_cap)
{
	const char *json[] = { "stack", "-n", "2", "--json", "-p", NULL, NULL };
	const char *plain[] = { "stack", "-n", "2", "-p", NULL, NULL };
	struct thread threads[MAX_THREADS];
	char pid[16];
	struct run r;
	int i, n;

	snprintf(pid, sizeof(pid), "%d", self->pid);
	json[5] = pid;
	plain[4] = pid;
	run_lkpctl(&r, json);
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	n = parse_threads(r.out, threads, MAX_THREADS);
	ASSERT_EQ(3, n);
	for (i = 0; i < n; i++)
		EXPECT_EQ(2, threads[i].nr_frames);
	run_free(&r);
	run_lkpctl(&r, plain);
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "  (2 frames shown: -n shows more)\n")) TH_LOG("%s", r.out);
	run_free(&r);
}

/*
 * After lkpctl stack every thread runs again: the spinner counts on, the
 * reader takes a byte and goes back to read(), the main thread answers
 * both. Twice, so that the first session left nothing behind either.
 */
TEST_F(stack, target_runs_after)
{
	const char *args[] = { "stack", "-p", NULL, NULL };
	struct timespec ts = { 0, 1000000 };
	uint64_t before, now;
	char pid[16], c;
	struct run r;
	int round, i;

	snprintf(pid, sizeof(pid), "%d", self->pid);
	args[2] = pid;
	for (round = 0; round < 2; round++) {
		run_lkpctl(&r, args);
		ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
		run_free(&r);
		before = spin_count(_metadata, self->sock);
		for (i = 0; i < 10000; i++) {
			now = spin_count(_metadata, self->sock);
			if (now != before)
				break;
			nanosleep(&ts, NULL);
		}
		EXPECT_NE(before, now) TH_LOG("the spinner does not run");
		c = ST_CMD_WAKE;
		ASSERT_EQ(1, write(self->sock, &c, 1));
		ASSERT_EQ(0, read_full(self->sock, &c, 1, 10000)) TH_LOG("the reader did not wake");
		EXPECT_EQ('k', c);
	}
}

/* No such process: one line naming the pid, exit status 1; with --json, on stdout. */
TEST(no_such_pid)
{
	const char *plain[] = { "stack", "-p", "999999", NULL };
	const char *json[] = { "--json", "stack", "-p", "999999", NULL };
	struct run r;

	run_lkpctl(&r, plain);
	EXPECT_EQ(1, r.status);
	EXPECT_STREQ("", r.out);
	EXPECT_EQ(1, count_lines(r.err));
	EXPECT_STREQ("lkpctl: pid 999999: No such process\n", r.err);
	run_free(&r);

	run_lkpctl(&r, json);
	EXPECT_EQ(1, r.status);
	EXPECT_STREQ("", r.err);
	EXPECT_EQ(1, count_lines(r.out));
	EXPECT_NE(NULL, strstr(r.out, "{\"error\":{\"object\":\"pid 999999\",\"errno\":3,"))
		TH_LOG("%s", r.out);
	run_free(&r);
}

/* Usage errors: one line, exit status 2. */
TEST(usage)
{
	static const char *const cases[][5] = {
		{ "stack", NULL },
		{ "stack", "-p", NULL },
		{ "stack", "-p", "12x", NULL },
		{ "stack", "-p", "0", NULL },
		{ "stack", "-p", "1", "-n", "0" },
		{ "stack", "-p", "1", "-n", "1025" },
		{ "stack", "-p", "1", "extra", NULL },
		{ "stack", "--bogus", NULL },
	};
	const char *args[6] = { NULL };
	unsigned int i;
	struct run r;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memcpy(args, cases[i], sizeof(cases[i]));
		run_lkpctl(&r, args);
		EXPECT_EQ(2, r.status) TH_LOG("case %u", i);
		EXPECT_STREQ("", r.out);
		EXPECT_EQ(1, count_lines(r.err)) TH_LOG("case %u: %s", i, r.err);
		run_free(&r);
	}
}

TEST_HARNESS_MAIN
