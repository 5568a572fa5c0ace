// SPDX-License-Identifier: GPL-2.0
/* report.c: case "tailcall": report() ends in a tail call to printf(), its format in .rodata. */
#include <stdio.h>
#include "report.h"

void report(int x)
{
	printf("old report %d\n", x);
}
