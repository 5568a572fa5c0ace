// SPDX-License-Identifier: GPL-2.0
/* state.c: hit/miss counters of case "globals": a global and a file-static variable. */
#include "state.h"

int hits = 5;
static int misses = 2;

void record(int hit)
{
	if (hit)
		hits++;
	else
		misses++;
}

int ratio(void)
{
	return hits * 100 / (hits + misses);
}
