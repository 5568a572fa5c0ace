// SPDX-License-Identifier: GPL-2.0
/* linked.c: linked with libans.so at start; calls lib_answer() first thing in a constructor and in main. */
#include <stdio.h>

#include "answer.h"

__attribute__((constructor)) static void ctor(void)
{
	printf("ctor %d\n", lib_answer());
}

int main(void)
{
	printf("main %d\n", lib_answer());
	return 0;
}
