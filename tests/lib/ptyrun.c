// SPDX-License-Identifier: GPL-2.0
/* ptyrun.c: runs a command with its stderr on a fresh pseudo-terminal and copies every byte written there to a file. */
/*
 * usage: ptyrun FILE COMMAND [ARG...]
 *
 * Only stderr is the terminal: stdin and stdout stay the caller's, so that
 * a test sees the command's results and its terminal output apart. The
 * terminal is raw (no "\n" to "\r\n"), so FILE holds exactly the bytes the
 * command wrote. TERM, INT and HUP are passed on to the command, so that a
 * test stops a daemon run through ptyrun as it would stop the daemon. Exits
 * with the command's status, 128+N for signal N.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* Set while TERM, INT and HUP are blocked: the handler never sees it change. */
static pid_t child;

static void pass_on(int sig)
{
	if (child > 0)
		kill(child, sig);
}

static int open_pty(int *master, int *slave)
{
	struct termios t;
	char *name;

	*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*master < 0)
		return -errno;
	if (grantpt(*master) || unlockpt(*master))
		return -errno;
	name = ptsname(*master);
	if (!name)
		return -errno;
	*slave = open(name, O_RDWR | O_NOCTTY);
	if (*slave < 0)
		return -errno;
	if (tcgetattr(*slave, &t))
		return -errno;
	cfmakeraw(&t);
	if (tcsetattr(*slave, TCSANOW, &t))
		return -errno;
	return 0;
}

/* Until the last holder of the terminal closes it (EIO) or the copy fails. */
static int copy(int master, int out)
{
	char buf[4096];
	ssize_t n, w;
	char *p;

	for (;;) {
		n = read(master, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EIO)
			return 0;
		if (n <= 0)
			return n ? -errno : 0;
		for (p = buf; n > 0; p += w, n -= w) {
			w = write(out, p, n);
			if (w < 0)
				return -errno;
		}
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = pass_on };
	sigset_t set;
	int master = -1, slave = -1, out, ret, st;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: ptyrun FILE COMMAND [ARG...]\n");
		return 2;
	}
	out = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		fprintf(stderr, "ptyrun: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	ret = open_pty(&master, &slave);
	if (ret) {
		fprintf(stderr, "ptyrun: cannot open a pseudo-terminal: %s\n", strerror(-ret));
		return 1;
	}
	/* Blocked until the child's pid is known: none is lost or kills only us. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "ptyrun: fork: %s\n", strerror(errno));
		return 1;
	}
	if (!pid) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		if (dup2(slave, STDERR_FILENO) < 0)
			_exit(127);
		close(slave);
		execvp(argv[2], argv + 2);
		dprintf(STDERR_FILENO, "ptyrun: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	child = pid;
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	/* Ours closed, the master reads EIO once the command's side is closed. */
	close(slave);
	ret = copy(master, out);
	if (ret)
		fprintf(stderr, "ptyrun: %s: %s\n", argv[1], strerror(-ret));
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 1;
	if (close(out) || ret)
		return 1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
