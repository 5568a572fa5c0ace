// SPDX-License-Identifier: GPL-2.0
/* driver.c: main() of every patchgen case: one round of output, or one per stdin line with --wait; --serve for live tests. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "case.h"

/*
 * --serve [--spin N]: the live tests' target (tests/apply/). It prints
 * "ready", then obeys one command per line read from stdin; every answer
 * ends with one line that starts with '@', so that a test reads exactly one
 * answer per command and never has to guess when output is complete:
 *
 *   run        one round in this process; "@end"
 *   fork-run   one round in a child forked for it, which then exits, so the
 *              round sees the code of this process but leaves its state
 *              alone; "@end exit STATUS" or "@end signal SIGNO"; the
 *              spinners wait between two rounds while it forks ("@stuck K"
 *              when K of them do not get there in 30 s)
 *   spawn      fork a child that serves commands too; "@child PID"
 *   child CMD  CMD to that child; its answer, relayed
 *   count      "@count N": the spinners' iterations, summed
 *   moved      wait (up to 30 s) until every spinner has finished another
 *              round: "@moved N" (the sum) or "@stuck K" (K did not)
 *   stop       stop the spinners and wait for them: "@stopped"
 *
 * With --spin N, N threads call run() in a loop; what they print goes to
 * /dev/null (fds 1 and 2 are redirected, run() itself is untouched) and
 * the answers go to the saved original descriptors. While they spin, run
 * is refused (its output would be lost and its state shared): fork-run
 * gives the child fresh stdio streams on the saved descriptors, since
 * stdout's buffer holds what the spinners wrote for /dev/null.
 * The line commands are read with read(2), never through stdin's buffer,
 * so a spawned child does not inherit unread input.
 */
#define MAX_SPIN 64

struct spinner {
	pthread_t thread;
	_Atomic unsigned long count;
	atomic_bool held;	/* waiting between two rounds (spin_hold) */
	char pad[64 - sizeof(unsigned long) - sizeof(atomic_bool)];
};

static struct spinner *spinners;
static int nr_spin;
static atomic_bool spin_stop;
static atomic_bool spin_hold;
static int in_fd;		/* commands */
static int out_fd = 1, err_fd = 2;	/* answers and rounds (saved while spinning) */
static pid_t child_pid = -1;
static int child_cmd = -1, child_ans = -1;

static void answer(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void answer(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	if (!nr_spin)
		fflush(stdout);
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(out_fd, buf, n) != n)
		exit(1);
}

/* One line from fd without its newline; 0 at end of file, 1 for a line. */
static int read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;
	char c;

	for (;;) {
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return n ? 1 : 0;
		if (c == '\n')
			break;
		if (n < size - 1)
			buf[n++] = c;
	}
	buf[n] = '\0';
	return 1;
}

static void *spin(void *arg)
{
	struct spinner *s = arg;

	struct timespec tick = { 0, 100000 };

	while (!atomic_load_explicit(&spin_stop, memory_order_relaxed)) {
		/*
		 * Cleared before hold is read (both sequentially consistent):
		 * once fork_run() has set hold and read held, this thread is
		 * not in run(), whatever value it read.
		 */
		atomic_store(&s->held, false);
		if (atomic_load(&spin_hold)) {
			atomic_store(&s->held, true);
			while (atomic_load(&spin_hold))
				nanosleep(&tick, NULL);
			continue;
		}
		run();
		atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
	}
	return NULL;
}

static int start_spinners(int n)
{
	int null, i;

	spinners = calloc(n, sizeof(*spinners));
	null = open("/dev/null", O_WRONLY);
	out_fd = dup(1);
	err_fd = dup(2);
	if (!spinners || null < 0 || out_fd < 0 || err_fd < 0)
		return -1;
	fflush(stdout);
	if (dup2(null, 1) < 0 || dup2(null, 2) < 0)
		return -1;
	close(null);
	for (i = 0; i < n; i++) {
		if (pthread_create(&spinners[i].thread, NULL, spin, &spinners[i]))
			return -1;
		nr_spin++;
	}
	return 0;
}

static unsigned long spin_total(void)
{
	unsigned long sum = 0;
	int i;

	for (i = 0; i < nr_spin; i++)
		sum += atomic_load(&spinners[i].count);
	return sum;
}

static void spin_moved(void)
{
	unsigned long before[MAX_SPIN];
	struct timespec tick = { 0, 1000000 };
	int i, stuck = nr_spin, waited;

	for (i = 0; i < nr_spin; i++)
		before[i] = atomic_load(&spinners[i].count);
	for (waited = 0; stuck && waited < 30000; waited++) {
		nanosleep(&tick, NULL);
		stuck = 0;
		for (i = 0; i < nr_spin; i++)
			stuck += atomic_load(&spinners[i].count) == before[i];
	}
	if (stuck)
		answer("@stuck %d", stuck);
	else
		answer("@moved %lu", spin_total());
}

static void spin_stop_all(void)
{
	int i;

	atomic_store(&spin_stop, true);
	for (i = 0; i < nr_spin; i++)
		pthread_join(spinners[i].thread, NULL);
	nr_spin = 0;
	/* What the spinners left in stdout's buffer was meant for /dev/null. */
	fflush(stdout);
	dup2(out_fd, 1);
	dup2(err_fd, 2);
	answer("@stopped");
}

/*
 * Holds every spinner between two rounds: 0, or the number still inside
 * run() after 30 s. A child forked while a spinner is inside run() gets
 * whatever lock that spinner held at that moment, held for good: stdout's,
 * malloc's, or libgcc's object_mutex, which every throw takes once any
 * unwind rules were registered in the process (docs/apply.md).
 */
static int spin_hold_all(void)
{
	struct timespec tick = { 0, 100000 };
	int i, busy = nr_spin, waited;

	atomic_store(&spin_hold, true);
	for (waited = 0; busy && waited < 300000; waited++) {
		busy = 0;
		for (i = 0; i < nr_spin; i++)
			busy += !atomic_load(&spinners[i].held);
		if (busy)
			nanosleep(&tick, NULL);
	}
	return busy;
}

static void fork_run(void)
{
	pid_t pid;
	int st, busy;

	if (!nr_spin) {
		fflush(stdout);
		fflush(stderr);
	}
	busy = spin_hold_all();
	if (busy) {
		atomic_store(&spin_hold, false);
		answer("@stuck %d", busy);
		return;
	}
	pid = fork();
	atomic_store(&spin_hold, false);
	if (pid < 0) {
		answer("@error fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		if (nr_spin) {
			if (dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
				_exit(126);
			stdout = fdopen(1, "w");
			stderr = fdopen(2, "w");
			if (!stdout || !stderr)
				_exit(126);
			setvbuf(stderr, NULL, _IONBF, 0);
		}
		run();
		fflush(stdout);
		_exit(0);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st))
		answer("@end signal %d", WTERMSIG(st));
	else
		answer("@end exit %d", WEXITSTATUS(st));
}

static int serve(void);

static void spawn(void)
{
	int cmd[2], ans[2];
	pid_t pid;

	if (child_pid > 0 || nr_spin) {
		answer("@error a child is already running, or threads spin");
		return;
	}
	if (pipe(cmd) || pipe(ans)) {
		answer("@error pipe: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		answer("@error fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		close(cmd[1]);
		close(ans[0]);
		if (dup2(ans[1], 1) < 0 || dup2(ans[1], 2) < 0)
			_exit(126);
		close(ans[1]);
		in_fd = cmd[0];
		out_fd = 1;
		err_fd = 2;
		_exit(serve());
	}
	close(cmd[0]);
	close(ans[1]);
	child_pid = pid;
	child_cmd = cmd[1];
	child_ans = ans[0];
	answer("@child %d", (int)pid);
}

/* Pass cmd to the child and its answer, up to its '@' line, to our output. */
static void relay(const char *cmd)
{
	char line[4096];
	size_t len = strlen(cmd);

	if (child_pid <= 0) {
		answer("@error no child");
		return;
	}
	if (write(child_cmd, cmd, len) != (ssize_t)len || write(child_cmd, "\n", 1) != 1) {
		answer("@error the child is gone");
		return;
	}
	for (;;) {
		if (!read_line(child_ans, line, sizeof(line))) {
			answer("@error the child is gone");
			return;
		}
		answer("%s", line);
		if (line[0] == '@')
			return;
	}
}

static int serve(void)
{
	char line[256];
	int st;

	while (read_line(in_fd, line, sizeof(line))) {
		if (!strcmp(line, "run")) {
			if (nr_spin) {
				answer("@error run while spinning");
				continue;
			}
			run();
			answer("@end");
		} else if (!strcmp(line, "fork-run")) {
			fork_run();
		} else if (!strcmp(line, "spawn")) {
			spawn();
		} else if (!strncmp(line, "child ", 6)) {
			relay(line + 6);
		} else if (!strcmp(line, "count")) {
			answer("@count %lu", spin_total());
		} else if (!strcmp(line, "moved")) {
			spin_moved();
		} else if (!strcmp(line, "stop")) {
			spin_stop_all();
		} else {
			answer("@error unknown command: %s", line);
		}
	}
	if (nr_spin) {
		atomic_store(&spin_stop, true);
		while (nr_spin--)
			pthread_join(spinners[nr_spin].thread, NULL);
	}
	if (child_pid > 0) {
		close(child_cmd);
		waitpid(child_pid, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			return 3;
	}
	fflush(stdout);
	return 0;
}

/*
 * main() never changes in a case's fix.diff: it is on the stack for the
 * whole life of the process, so a live patch could never replace it. The
 * patched functions run only inside run(), i.e. while a line is handled,
 * which lets a live test patch the process while it sleeps in fgets().
 */
int main(int argc, char **argv)
{
	char line[256];

	if (argc >= 2 && strcmp(argv[1], "--serve") == 0) {
		if (argc == 4 && strcmp(argv[2], "--spin") == 0) {
			int n = atoi(argv[3]);

			if (n < 1 || n > MAX_SPIN || start_spinners(n)) {
				fprintf(stderr, "prog: cannot start %s spinners\n", argv[3]);
				return 2;
			}
		} else if (argc != 2) {
			fprintf(stderr, "usage: prog --serve [--spin N]\n");
			return 2;
		}
		answer("ready");
		return serve();
	}
	if (argc < 2 || strcmp(argv[1], "--wait") != 0) {
		run();
		fflush(stdout);
		return 0;
	}
	/* Readiness handshake: the dynamic linker is done, the process waits. */
	puts("ready");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		run();
		fflush(stdout);
	}
	return 0;
}
