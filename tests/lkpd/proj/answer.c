// SPDX-License-Identifier: GPL-2.0
/* answer.c: the executable's patched function (fix.diff: 42 becomes 43). */
#include <unistd.h>

#include "answer.h"

volatile int answer_bias;
int answer_hold_fd = -1;

/*
 * With answer_hold_fd set ("prog busy"), it waits in here for one byte of
 * it: a thread inside the function, so no patch can go in meanwhile.
 */
__attribute__((noinline)) int answer(void)
{
	char c;

	if (answer_hold_fd >= 0 && read(answer_hold_fd, &c, 1) >= 0)
		answer_hold_fd = -1;
	return 42 + answer_bias;
}
