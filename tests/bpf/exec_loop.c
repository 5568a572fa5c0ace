// SPDX-License-Identifier: GPL-2.0
/* exec_loop.c: fork+exec+wait a program N times and print the mean wall and CPU time of one round, for the cost of the exec hook. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * usage: exec_loop N PATH   prints "N wall_ns cpu_ns" per exec
 *
 * CPU time is ours and the children's, user and system: the exec hooks run
 * in the child's context, and CPU time moves less than wall time when other
 * work shares the machine.
 */
static double cpu_ns(void)
{
	struct rusage self, children;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &children);
	return (self.ru_utime.tv_sec + self.ru_stime.tv_sec +
		children.ru_utime.tv_sec + children.ru_stime.tv_sec) * 1e9 +
	       (self.ru_utime.tv_usec + self.ru_stime.tv_usec +
		children.ru_utime.tv_usec + children.ru_stime.tv_usec) * 1e3;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	double c0;
	long i, n;
	int status;
	pid_t pid;

	n = argc == 3 ? atol(argv[1]) : 0;
	if (n <= 0) {
		fprintf(stderr, "usage: exec_loop N PATH\n");
		return 2;
	}
	c0 = cpu_ns();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (!pid) {
			execl(argv[2], argv[2], (char *)NULL);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "exec_loop: %s failed\n", argv[2]);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%ld %.0f %.0f\n", n, ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / n,
	       (cpu_ns() - c0) / n);
	return 0;
}
