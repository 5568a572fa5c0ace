// SPDX-License-Identifier: GPL-2.0
/* lkpt.c: helpers of the live apply tests: a ptrace holder, a stop-point driver for lkpctl, patch file rewriters. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lkpp.h"

/*
 * lkpt trace PID [stop]
 *	PTRACE_SEIZE PID (one thread) and hold it. With "stop", also
 *	PTRACE_INTERRUPT it and wait until it sits in the ptrace stop. Prints
 *	"traced" (or "stopped") once that holds, then obeys lines on stdin:
 *	"cont" resumes a stopped tracee and prints "running"; end of file
 *	detaches and exits. Signals the tracee gets meanwhile (SIGCHLD of its
 *	fork-run children) are passed on, group stops are listened through.
 *
 * lkpt when-stopped kill|cont [--run SHELL-COMMAND] -- ARGV...
 *	Run ARGV (lkpctl with LKP_TEST_STOP_AT set), wait until it stops
 *	itself, print "stopped", run SHELL-COMMAND if given, then either
 *	SIGKILL it (prints "killed") or SIGCONT it and wait for it (prints
 *	"exit N" or "signal N"). If ARGV ends without stopping: prints
 *	"never stopped: exit N" (or signal) and exits 125. Gives up after
 *	300 s (exit 124).
 *
 * lkpt set-id IN BUILD-ID-HEX OUT
 *	Copy a patch file with its header's build-id replaced and its checksum
 *	made right again (files too short for a header are copied as they are).
 *
 * lkpt mutate IN SEED BUILD-ID-HEX OUT
 *	Like set-id, after changing 1 to 4 fields of the tables (or the
 *	directory, or the header beyond what set-id rewrites), chosen by SEED.
 *
 * lkpt dead-pid
 *	Print the pid of a child that has exited and been reaped.
 */

static int usage(void)
{
	fprintf(stderr, "usage: lkpt trace PID [stop] | when-stopped kill|cont [--run CMD] -- ARGV... |\n"
			"       set-id IN BUILD-ID OUT | mutate IN SEED BUILD-ID OUT | dead-pid\n");
	return 2;
}

/* ---- trace ------------------------------------------------------------- */

static int trace(int argc, char **argv)
{
	pid_t pid, w;
	int want_stop, stopped = 0, announced = 0, sfd, st, sig;
	sigset_t mask;
	struct pollfd pfd[2];
	char line[64];

	if (argc < 3 || argc > 4)
		return usage();
	pid = atoi(argv[2]);
	want_stop = argc == 4 && !strcmp(argv[3], "stop");
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0 || ptrace(PTRACE_SEIZE, pid, 0, 0)) {
		fprintf(stderr, "lkpt: seize %d: %s\n", pid, strerror(errno));
		return 1;
	}
	if (want_stop && ptrace(PTRACE_INTERRUPT, pid, 0, 0)) {
		fprintf(stderr, "lkpt: interrupt %d: %s\n", pid, strerror(errno));
		return 1;
	}
	if (!want_stop) {
		printf("traced\n");
		fflush(stdout);
		announced = 1;
	}
	pfd[0] = (struct pollfd){ .fd = 0, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	for (;;) {
		struct signalfd_siginfo si;

		while ((w = waitpid(pid, &st, WNOHANG | __WALL)) == pid) {
			if (WIFEXITED(st) || WIFSIGNALED(st))
				return 0;
			if (!WIFSTOPPED(st))
				continue;
			sig = WSTOPSIG(st);
			if ((st >> 16) == PTRACE_EVENT_STOP) {
				if (sig == SIGTRAP && want_stop && !announced) {
					/* Our interrupt: stay stopped until "cont". */
					stopped = 1;
					printf("stopped\n");
					fflush(stdout);
					announced = 1;
				} else if (sig == SIGTRAP) {
					ptrace(PTRACE_CONT, pid, 0, 0);
				} else {
					ptrace(PTRACE_LISTEN, pid, 0, 0);
				}
			} else {
				ptrace(PTRACE_CONT, pid, 0, sig);
			}
		}
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			return 1;
		while (read(sfd, &si, sizeof(si)) > 0)
			;
		if (pfd[0].revents & (POLLIN | POLLHUP)) {
			ssize_t n = read(0, line, sizeof(line) - 1);

			if (n <= 0)
				break;
			if (!strncmp(line, "cont", 4) && stopped) {
				ptrace(PTRACE_CONT, pid, 0, 0);
				stopped = 0;
				printf("running\n");
				fflush(stdout);
			}
		}
	}
	if (stopped) {
		ptrace(PTRACE_DETACH, pid, 0, 0);
		return 0;
	}
	/* Detaching needs a stopped tracee: interrupt it, then detach. */
	ptrace(PTRACE_INTERRUPT, pid, 0, 0);
	while ((w = waitpid(pid, &st, __WALL)) == pid) {
		if (!WIFSTOPPED(st))
			return 0;
		if ((st >> 16) == PTRACE_EVENT_STOP) {
			ptrace(PTRACE_DETACH, pid, 0, 0);
			return 0;
		}
		/* A signal first: hand it on with the detach. */
		ptrace(PTRACE_DETACH, pid, 0, WSTOPSIG(st));
		return 0;
	}
	return 0;
}

/* ---- when-stopped -------------------------------------------------------- */

static pid_t victim;

static void on_alarm(int sig)
{
	(void)sig;
	kill(victim, SIGKILL);
	printf("timed out\n");
	fflush(stdout);
	_exit(124);
}

static int report(const char *prefix, int st)
{
	if (WIFSIGNALED(st)) {
		printf("%ssignal %d\n", prefix, WTERMSIG(st));
		return 128 + WTERMSIG(st);
	}
	printf("%sexit %d\n", prefix, WEXITSTATUS(st));
	return WEXITSTATUS(st);
}

static int when_stopped(int argc, char **argv)
{
	const char *run = NULL;
	int i = 3, st, kill_it;

	if (argc < 5)
		return usage();
	kill_it = !strcmp(argv[2], "kill");
	if (!kill_it && strcmp(argv[2], "cont"))
		return usage();
	if (!strcmp(argv[i], "--run")) {
		run = argv[i + 1];
		i += 2;
	}
	if (i >= argc || strcmp(argv[i], "--") || i + 1 >= argc)
		return usage();
	i++;
	fflush(stdout);
	victim = fork();
	if (victim < 0)
		return 1;
	if (victim == 0) {
		execvp(argv[i], argv + i);
		fprintf(stderr, "lkpt: %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	signal(SIGALRM, on_alarm);
	alarm(300);
	if (waitpid(victim, &st, WUNTRACED) != victim)
		return 1;
	if (!WIFSTOPPED(st)) {
		report("never stopped: ", st);
		return 125;
	}
	printf("stopped\n");
	fflush(stdout);
	if (run) {
		int rs = system(run);

		if (rs)
			printf("lkpt: \"%s\" failed (%d)\n", run, rs);
	}
	if (kill_it) {
		kill(victim, SIGKILL);
		waitpid(victim, &st, 0);
		printf("killed\n");
		return 0;
	}
	kill(victim, SIGCONT);
	while (waitpid(victim, &st, 0) == victim && WIFSTOPPED(st))
		;
	return report("", st);
}

/* ---- patch file rewriting ------------------------------------------------ */

static uint8_t *slurp(const char *path, size_t *len)
{
	struct stat sb;
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &sb)) {
		perror(path);
		return NULL;
	}
	buf = malloc(sb.st_size + 1);
	if (!buf || read(fd, buf, sb.st_size) != sb.st_size) {
		perror(path);
		return NULL;
	}
	close(fd);
	*len = sb.st_size;
	return buf;
}

static int spit(const char *path, const uint8_t *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, buf, len) != (ssize_t)len || close(fd)) {
		perror(path);
		return 1;
	}
	return 0;
}

static int parse_hex(const char *hex, uint8_t *id)
{
	size_t n = strlen(hex), i;

	if (n == 0 || n % 2 || n / 2 > LKPP_BUILD_ID_MAX)
		return -1;
	for (i = 0; i < n / 2; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -1;
		id[i] = b;
	}
	return n / 2;
}

#define HDR_BUILD_ID_SIZE offsetof(struct lkpp_disk_header, build_id_size)
#define HDR_BUILD_ID offsetof(struct lkpp_disk_header, build_id)
#define HDR_CHECKSUM offsetof(struct lkpp_disk_header, checksum)

static void set_id(uint8_t *buf, size_t len, const uint8_t *id, int id_len)
{
	uint32_t sum;

	if (len < sizeof(struct lkpp_disk_header))
		return;
	buf[HDR_BUILD_ID_SIZE] = id_len;
	memset(buf + HDR_BUILD_ID, 0, LKPP_BUILD_ID_MAX);
	memcpy(buf + HDR_BUILD_ID, id, id_len);
	sum = lkpp_file_checksum(buf, len);
	memcpy(buf + HDR_CHECKSUM, &sum, sizeof(sum));
}

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	/* xorshift64*: the same mutant for the same seed on every machine. */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 2685821657736338717ULL;
}

/* Change the value at buf[off], w bytes wide. */
static void mutate_field(uint8_t *buf, size_t off, int w)
{
	static const uint64_t special[] = {
		0, 1, 4, 5, 8, 15, 16, 0x7f, 0x80, 0xff, 0x1000, 0x7fffffff, 0x80000000,
		0xffffffff, 0x100000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
		0xffffffffffffffffULL,
	};
	uint64_t v = 0;

	memcpy(&v, buf + off, w);
	switch (rnd() % 5) {
	case 0:
		v ^= 1ULL << (rnd() % (8 * w));
		break;
	case 1:
		v = special[rnd() % (sizeof(special) / sizeof(special[0]))];
		break;
	case 2:
		v += (int64_t)(rnd() % 33) - 16;
		break;
	case 3:
		v = rnd();
		break;
	default:
		v = ~v;
		break;
	}
	memcpy(buf + off, &v, w);
}

static int mutate(uint8_t *buf, size_t len)
{
	struct lkpp_disk_header h;
	struct lkpp_disk_table t;
	int n = 1 + rnd() % 4, i;

	if (len < sizeof(h))
		return -1;
	memcpy(&h, buf, sizeof(h));
	if (h.table_offset + (uint64_t)h.table_count * h.table_entry_size > len || !h.table_count)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned int pick = rnd() % 100;
		size_t off;

		if (pick < 5) {
			/* The header, but not the fields set-id rewrites anyway. */
			static const size_t fields[] = { 8, 10, 12, 16, 28, 32, 40, 44, 48, 52, 55, 120, 124 };
			static const int widths[] = { 2, 2, 4, 8, 4, 8, 4, 4, 4, 2, 1, 4, 4 };
			int f = rnd() % (sizeof(fields) / sizeof(fields[0]));

			mutate_field(buf, fields[f], widths[f]);
			continue;
		}
		if (pick < 12) {
			/* A directory entry field. */
			off = h.table_offset + (rnd() % h.table_count) * h.table_entry_size;
			off += (rnd() % 4) * 8;
			mutate_field(buf, off, rnd() % 2 ? 4 : 8);
			continue;
		}
		/* A field of some table: 4- or 8-aligned, inside the table. */
		memcpy(&t, buf + h.table_offset + (rnd() % h.table_count) * h.table_entry_size, sizeof(t));
		if (!t.size || t.offset > len || t.size > len - t.offset)
			continue;
		if (t.kind == LKPP_TABLE_DATA && rnd() % 2) {
			/* A byte of code or data. */
			buf[t.offset + rnd() % t.size] ^= 1 << (rnd() % 8);
			continue;
		}
		if (t.size < 8)
			continue;
		off = t.offset + (rnd() % (t.size / 4)) * 4;
		if (off + 8 > t.offset + t.size || rnd() % 2)
			mutate_field(buf, off, 4);
		else
			mutate_field(buf, off & ~7UL, 8);
	}
	return 0;
}

static int rewrite(int argc, char **argv, int with_mutation)
{
	uint8_t id[LKPP_BUILD_ID_MAX], *buf;
	const char *in = argv[2], *hex, *out;
	size_t len;
	int id_len;

	if (argc != (with_mutation ? 6 : 5))
		return usage();
	hex = argv[with_mutation ? 4 : 3];
	out = argv[with_mutation ? 5 : 4];
	id_len = parse_hex(hex, id);
	if (id_len < 0) {
		fprintf(stderr, "lkpt: bad build-id %s\n", hex);
		return 2;
	}
	buf = slurp(in, &len);
	if (!buf)
		return 1;
	if (with_mutation) {
		rnd_state = strtoull(argv[3], NULL, 0) * 0x9e3779b97f4a7c15ULL + 1;
		if (mutate(buf, len)) {
			fprintf(stderr, "lkpt: %s: no table directory to mutate\n", in);
			return 1;
		}
	}
	set_id(buf, len, id, id_len);
	return spit(out, buf, len);
}

static int dead_pid(void)
{
	pid_t pid = fork();

	if (pid < 0)
		return 1;
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	printf("%d\n", pid);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "trace"))
		return trace(argc, argv);
	if (!strcmp(argv[1], "when-stopped"))
		return when_stopped(argc, argv);
	if (!strcmp(argv[1], "set-id"))
		return rewrite(argc, argv, 0);
	if (!strcmp(argv[1], "mutate"))
		return rewrite(argc, argv, 1);
	if (!strcmp(argv[1], "dead-pid"))
		return dead_pid();
	return usage();
}
