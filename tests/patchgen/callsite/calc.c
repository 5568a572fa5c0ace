// SPDX-License-Identifier: GPL-2.0
/* calc.c: case "callsite": scale(), which fix.diff changes, and a pointer to it. */
#include "calc.h"

__attribute__((noinline)) int scale(int x)
{
	return x * 3 + x / 2;
}

/* An indirect call, which only the jump at scale's entry redirects. */
int (*volatile scale_ptr)(int) = scale;
