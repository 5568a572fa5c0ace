// SPDX-License-Identifier: GPL-2.0
/* lib-ans.c: libans.so: the library's patched function, which its own constructor calls first thing. */
#include <stdio.h>

#include "answer.h"

volatile int lib_bias;

__attribute__((noinline)) int lib_answer(void)
{
	return 42 + lib_bias;
}

__attribute__((constructor)) static void lib_ctor(void)
{
	printf("libctor %d\n", lib_answer());
}
