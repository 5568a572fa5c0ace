// SPDX-License-Identifier: GPL-2.0
/* prog.c: the exec benchmark's target: prints the CLOCK_MONOTONIC time at which main began, then exec_fn(41). */
#include <stdio.h>
#include <time.h>

/* What ../fix.diff changes (+ 7 to + 9): long enough for a jump. */
__attribute__((noinline, noipa)) int exec_fn(int x)
{
	return (x ^ 0x5a5a) * 3 + 7;
}

int main(void)
{
	struct timespec ts;

	/* First thing: the time exec_bench measures up to. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("%lld %ld %d\n", (long long)ts.tv_sec, ts.tv_nsec, exec_fn(41));
	return 0;
}
