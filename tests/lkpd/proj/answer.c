// SPDX-License-Identifier: GPL-2.0
/* answer.c: the executable's patched function (fix.diff: 42 becomes 43). */
#include "answer.h"

volatile int answer_bias;

__attribute__((noinline)) int answer(void)
{
	return 42 + answer_bias;
}
