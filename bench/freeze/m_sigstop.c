// SPDX-License-Identifier: GPL-2.0
/* m_sigstop.c: freeze with SIGSTOP (group stop) and thaw with SIGCONT, both confirmed through waitid. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>

#include "bench.h"

/*
 * The target is our child, so waitid() says when the group stop is complete:
 * CLD_STOPPED is reported only once the last thread has stopped. SIGCONT
 * wakes every stopped thread before kill() returns; CLD_CONTINUED confirms
 * it.
 */
static int sigstop_attach(const struct bench_method *m,
			  const struct bench_target *t, void **state)
{
	*state = (void *)(intptr_t)t->pid;
	return 0;
}

static int sigstop_signal(void *state, int sig, int options, int code)
{
	pid_t pid = (pid_t)(intptr_t)state;
	siginfo_t info;

	if (kill(pid, sig))
		return -errno;
	do {
		info.si_pid = 0;
		if (waitid(P_PID, pid, &info, options) && errno != EINTR)
			return -errno;
	} while (info.si_pid != pid);
	return info.si_code == code ? 0 : -EPROTO;
}

static int sigstop_freeze(void *state)
{
	return sigstop_signal(state, SIGSTOP, WSTOPPED, CLD_STOPPED);
}

static int sigstop_thaw(void *state)
{
	return sigstop_signal(state, SIGCONT, WCONTINUED, CLD_CONTINUED);
}

static void sigstop_detach(void *state)
{
}

const struct bench_method bench_sigstop = {
	.name = "sigstop",
	.attach = sigstop_attach,
	.freeze = sigstop_freeze,
	.thaw = sigstop_thaw,
	.detach = sigstop_detach,
};
