// SPDX-License-Identifier: GPL-2.0
/* case.c: case "globals": records a few hits and misses, prints the ratio. */
#include <stdio.h>
#include "case.h"
#include "state.h"

void run(void)
{
	int r;

	record(1);
	record(0);
	r = ratio();
	printf("hits = %d, ratio = %d\n", hits, r);
}
