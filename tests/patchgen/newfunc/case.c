// SPDX-License-Identifier: GPL-2.0
/* case.c: case "newfunc": prints the statistics of a fixed array. */
#include "case.h"
#include "stats.h"

static const int values[] = { 4, 8, 15, 16, 23, 42 };

void run(void)
{
	report_stats(values, sizeof(values) / sizeof(values[0]));
}
